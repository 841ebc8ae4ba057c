# Solace: `make run` serves the app locally, `make test` is the whole check (what CI runs).
# `make manage CMD="audit_archive"`: a management command against the store `make run` serves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The lock files pin every package, transitive ones too, with the hashes PyPI serves. They are
# generated from requirements*.txt (the files people edit) by `make lock`, for CPython 3.11 on
# Linux (x86_64 and aarch64: the image and CI). Only PyPI is consulted, never local config.
LOCK := $(BIN)/uv pip compile --quiet --no-config --index-url https://pypi.org/simple \
	--custom-compile-command "make lock" \
	--python-version 3.11 --generate-hashes

.PHONY: run manage test bench screenshots format lock clean triage-report

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

# Exactly the locked files: every one checked against its hash, nothing resolved here.
$(STAMP): $(BIN)/python requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip check
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

# After editing requirements*.txt. Pins already in the locks are kept where they still fit; the
# runtime lock is the development lock's versions of the runtime packages (tests run what ships).
# The aarch64 resolution must come out the same, or the lock would not serve both platforms.
lock: $(STAMP)
	$(LOCK) --python-platform x86_64-manylinux_2_28 requirements-dev.txt -o requirements-dev.lock
	$(LOCK) --python-platform x86_64-manylinux_2_28 requirements.txt -c requirements-dev.lock \
		-o requirements.lock
	$(LOCK) --python-platform aarch64-manylinux_2_28 --no-annotate --no-header \
		requirements-dev.txt -c requirements-dev.lock -o $(VENV)/lock-aarch64.txt
	$(LOCK) --python-platform x86_64-manylinux_2_28 --no-annotate --no-header \
		requirements-dev.txt -c requirements-dev.lock -o $(VENV)/lock-x86_64.txt
	cmp $(VENV)/lock-x86_64.txt $(VENV)/lock-aarch64.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
