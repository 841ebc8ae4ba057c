# Solace: `make run` serves the app locally, `make test` is the whole check (what CI runs).
# `make manage CMD="audit_archive"`: a management command against the store `make run` serves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run manage test bench screenshots format clean triage-report

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m solace.local

# No install step: `make run` (which this needs running) has done it.
manage:
	$(BIN)/python -m solace.local manage $(CMD)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run

# The triage engine's vignette agreement and rule tables (docs/TRIAGE.md).
triage-report: $(STAMP)
	$(BIN)/python -m tests.triage.report

screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.screenshots

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
