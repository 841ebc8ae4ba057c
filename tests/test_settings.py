"""Settings from the environment: one strict parser (solace.env), errors that name the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.archive_repository import ArchiveConfig
from solace import metrics
from solace.env import (
    SettingError,
    aws_region,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
)

ROOT = Path(__file__).resolve().parent.parent
NAME = "SOLACE_TEST_VARIABLE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(v, True) for v in ("1", "true", "TRUE", "True", "yes", "YES", "on", "On", " on ")],
        *[(v, False) for v in ("0", "false", "FALSE", "no", "No", "off", "OFF", "\t0\n")],
    ],
)
def test_booleans_accept_exactly_the_six_spellings_in_any_case(monkeypatch, value, expected):
    monkeypatch.setenv(NAME, value)
    assert env_bool(NAME, not expected) is expected


@pytest.mark.parametrize("value", ["ture", "2", "y", "n", "enabled", "t", "-1", "0n", "yes!"])
def test_any_other_boolean_is_an_error_naming_variable_and_value(monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    with pytest.raises(SettingError) as raised:
        env_bool(NAME, True)
    message = str(raised.value)
    assert NAME in message and repr(value) in message
    assert "1/0, true/false, yes/no, on/off" in message
    assert raised.value.name == NAME


@pytest.mark.parametrize("blank", ["", "   "])
def test_unset_or_blank_takes_the_default(monkeypatch, blank):
    monkeypatch.delenv(NAME, raising=False)
    assert env_bool(NAME, True) is True and env_bool(NAME, False) is False
    assert env_int(NAME, 7) == 7 and env_float(NAME, 2.5) == 2.5
    assert env_str(NAME, "x") == "x" and env_list(NAME, ["a"]) == ["a"]
    assert env_choice(NAME, "INFO", ["INFO", "DEBUG"]) == "INFO"
    monkeypatch.setenv(NAME, blank)
    assert env_bool(NAME, True) is True and env_bool(NAME, False) is False
    assert env_int(NAME, 7) == 7 and env_float(NAME, 2.5) == 2.5
    assert env_str(NAME, "x") == "x" and env_list(NAME, ["a"]) == ["a"]
    assert env_choice(NAME, "INFO", ["INFO", "DEBUG"]) == "INFO"


def test_numbers_parse_within_their_bounds(monkeypatch):
    monkeypatch.setenv(NAME, " 42 ")
    assert env_int(NAME, 0, minimum=1) == 42
    assert env_float(NAME, 0, minimum=0.1) == 42.0
    monkeypatch.setenv(NAME, "0.5")
    assert env_float(NAME, 2, minimum=0.1) == 0.5


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env_int(NAME, 5), "five"),
        (lambda: env_int(NAME, 5), "1.5"),
        (lambda: env_int(NAME, 5), "1e3"),
        (lambda: env_int(NAME, 5, minimum=1), "0"),
        (lambda: env_int(NAME, 5, minimum=0), "-3"),
        (lambda: env_int(NAME, 5, minimum=1, maximum=65535), "70000"),
        (lambda: env_float(NAME, 2), "fast"),
        (lambda: env_float(NAME, 2), "2s"),
        (lambda: env_float(NAME, 2), "nan"),
        (lambda: env_float(NAME, 2), "inf"),
        (lambda: env_float(NAME, 2, minimum=0.1), "0"),
        (lambda: env_choice(NAME, "INFO", ["DEBUG", "INFO"]), "LOUD"),
    ],
)
def test_malformed_numbers_and_choices_are_errors_naming_the_variable(monkeypatch, reader, value):
    monkeypatch.setenv(NAME, value)
    with pytest.raises(SettingError, match=NAME) as raised:
        reader()
    assert repr(value) in str(raised.value)


def test_lists_and_choices(monkeypatch):
    monkeypatch.setenv(NAME, " a.example , ,b.example,")
    assert env_list(NAME) == ["a.example", "b.example"]
    monkeypatch.setenv(NAME, "warning")
    assert env_choice(NAME, "INFO", ["DEBUG", "INFO", "WARNING"]) == "WARNING"


def test_region_prefers_solace_then_lambdas_then_the_default(monkeypatch):
    monkeypatch.delenv("SOLACE_AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert aws_region() == "us-east-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert aws_region() == "eu-west-1"
    monkeypatch.setenv("SOLACE_AWS_REGION", " ca-central-1 ")
    assert aws_region() == "ca-central-1"


def test_the_parser_imports_without_django():
    code = "import sys, solace.env; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_archiver_reads_its_environment_through_the_same_parser(monkeypatch):
    monkeypatch.setenv("SOLACE_ARCHIVE_BUCKET", "  ")
    monkeypatch.setenv("SOLACE_S3_ENDPOINT", "")
    monkeypatch.delenv("SOLACE_AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    config = ArchiveConfig.from_env()
    assert config.bucket == "solace-audit-archive"  # blank: the default, not ""
    assert config.s3_endpoint is None and config.region == "eu-central-1"
    monkeypatch.setenv("SOLACE_ARCHIVER", "ture")
    with pytest.raises(SettingError, match="SOLACE_ARCHIVER"):
        metrics.service()
    monkeypatch.setenv("SOLACE_ARCHIVER", "On")
    assert metrics.service() == "archiver"


def _start(**variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOLACE_SECRET_KEY": "settings-test-key", **variables}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SOLACE_HSTS_PRELOAD", "ture"),
        ("SOLACE_DYNAMODB_READ_TIMEOUT", "five"),
        ("SOLACE_SESSION_IDLE_SECONDS", "15m"),
        ("SOLACE_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_malformed_setting_stops_the_start_and_names_the_variable(name, value):
    result = _start(**{name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line and repr(value) in last_line, result.stderr[-2000:]


def test_technical_pages_need_development_mode():
    result = _start(SOLACE_DEBUG="0", SOLACE_DEBUG_TECHNICAL_PAGES="1")
    assert result.returncode != 0
    assert "SOLACE_DEBUG_TECHNICAL_PAGES" in result.stderr.strip().splitlines()[-1]


# A mistyped hospital slug under `make run`'s settings, in a fresh interpreter (settings are
# read once per process), on in-process moto.
_MISTYPED_SLUG = """
import django
from moto import mock_aws
mock_aws().start()
django.setup()
from django.conf import settings
from django.test import Client
from solace import schema
schema.create_tables()
response = Client(HTTP_HOST="localhost").get("/h/no-such-hospital/intake/")
print(response.status_code, settings.DEBUG, settings.SESSION_COOKIE_SECURE)
print(response.content.decode())
"""


@pytest.mark.parametrize("technical", ["", "1"])
def test_development_mode_shows_the_apps_own_404_unless_technical_pages_are_asked_for(technical):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "solace.settings",
        "SOLACE_DEBUG": "1",
        "SOLACE_SECRET_KEY": "",
        "SOLACE_DEBUG_TECHNICAL_PAGES": technical,
        "SOLACE_SECURE_SSL_REDIRECT": "",
        "SOLACE_DYNAMODB_ENDPOINT": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", _MISTYPED_SLUG],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status_line, body = result.stdout.split("\n", 1)
    # Development mode either way: cookies over plain http.
    assert status_line == f"404 {bool(technical)} False"
    if technical:
        assert "Page not found" in body and "Raised by:" in body
    else:
        assert "This page does not exist." in body and "Raised by:" not in body
