"""What the WSGI application imports at start-up (the cold start `make bench` measures): the whole
request path of our code, so the first patient waits for no import of ours; not boto3, nor
botocore's client machinery before the first client, nor OpenSSL; and no password hash."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REQUEST_PATH = [
    "solace.urls",
    "intake.views",
    "intake.services",
    "cockpit.views",
    "cockpit.selectors",
    "cockpit.services",
    "accounts.views",
    "accounts.services",
    "accounts.session_backend",
    "patients.repository",
    "triage.engine",
    "console.views",
    "reports.views",
]
NOT_AT_START = [
    "boto3",
    "botocore.session",
    "botocore.client",
    "OpenSSL",
    "cryptography",
    "segno",
    "moto",
    "audit.archive",
    "audit.lambda_handler",
    "reports.lambda_handler",
]


def start(**env) -> dict:
    code = (
        "import json, sys, time\n"
        "import django.contrib.auth.hashers as hashers\n"
        "hashed = []\n"
        "real = hashers.make_password\n"
        "hashers.make_password = lambda *a, **k: hashed.append(1) or real(*a, **k)\n"
        "import solace.wsgi\n"
        "from django.urls import resolve, Resolver404\n"
        "try:\n"
        "    events = resolve('/events').url_name\n"
        "except Resolver404:\n"
        "    events = None\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'events': events,"
        " 'hashed': len(hashed)}))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "SOLACE_ARCHIVER"}
    environment.update(DJANGO_SETTINGS_MODULE="solace.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_the_application_imports_the_request_path_and_nothing_heavy_it_does_not_need():
    started = start()
    modules = set(started["modules"])
    assert [m for m in REQUEST_PATH if m not in modules] == []
    assert [m for m in NOT_AT_START if m in modules] == []
    assert started["events"] is None  # the web function does not route the archiver's path
    assert started["hashed"] == 0  # no password is hashed to start (Argon2 is slow on purpose)


def test_the_archiver_function_routes_stream_batches():
    assert start(SOLACE_ARCHIVER="1")["events"] == "events"


def test_botocore_keeps_the_standard_library_ssl_context_without_the_pyopenssl_shim():
    import ssl

    from solace import aws

    aws.client("dynamodb", "http://127.0.0.1:9", region="us-east-1")
    import botocore.httpsession
    import urllib3.util.ssl_

    assert sys.modules["urllib3.contrib.pyopenssl"] is None
    assert botocore.httpsession.SSLContext is urllib3.util.ssl_.SSLContext is ssl.SSLContext
