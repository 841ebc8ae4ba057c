"""Deployment checks: the SAM template agrees with the code, lints pass, production settings
pass `check --deploy`, and the image's exact start command serves the app."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cfnlint.decode import cfn_yaml
from django.test import RequestFactory

from audit import archive_bucket
from solace import embedded
from solace.tables import TABLES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def template():
    return cfn_yaml.load(str(ROOT / "template.yaml"))


def plain(node):
    """cfn-lint's YAML nodes as plain dicts and lists."""
    return json.loads(json.dumps(node))


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SOLACE_") or k in ("SOLACE_TABLE_PREFIX",)
    }
    env.update(
        SOLACE_SECRET_KEY="p" * 10 + "roduction-like-secret-key-with-enough-entropy-0123456789",
        SOLACE_DEBUG="0",
        SOLACE_DOMAIN="solace.example.org",
        DJANGO_SETTINGS_MODULE="solace.settings",
        **extra,
    )
    return env


def test_cfn_lint_passes():
    result = subprocess.run(
        [BIN / "cfn-lint", "template.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_passes():
    result = subprocess.run(
        [BIN / "hadolint", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _template_tables(template):
    tables = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            properties = plain(resource["Properties"])
            table_name = properties["TableName"]["Fn::Sub"].removeprefix("${TablePrefix}")
            tables[table_name] = (name, properties)
    return tables


def _key_schema(schema):
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def _code_key_schema(partition, sort):
    keys = [(partition.name, "HASH")]
    return [*keys, (sort.name, "RANGE")] if sort else keys


def test_template_tables_are_exactly_the_code_tables(template):
    tables = _template_tables(template)
    assert set(tables) == {t.name for t in TABLES}
    for table in TABLES:
        _, properties = tables[table.name]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Ref": "DataKey"},
        }
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
        assert properties["DeletionProtectionEnabled"] is True
        assert _key_schema(properties["KeySchema"]) == _code_key_schema(
            table.partition_key, table.sort_key
        )
        assert {
            a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]
        } == table.attribute_definitions()
        template_indexes = {
            i["IndexName"]: (
                _key_schema(i["KeySchema"]),
                i["Projection"]["ProjectionType"],
                tuple(i["Projection"].get("NonKeyAttributes", ())),
            )
            for i in properties.get("GlobalSecondaryIndexes", [])
        }
        code_indexes = {
            i.name: (
                _code_key_schema(i.partition_key, i.sort_key),
                i.projection,
                i.non_key_attributes,
            )
            for i in table.indexes
        }
        assert template_indexes == code_indexes, table.name
        ttl = properties.get("TimeToLiveSpecification")
        assert (ttl or {}).get("AttributeName") == table.ttl_attribute, table.name
        if ttl:
            assert ttl["Enabled"] is True
        stream = properties.get("StreamSpecification", {}).get("StreamViewType")
        assert stream == table.stream_view_type, table.name


def test_archive_bucket_matches_the_code(template):
    bucket = plain(template["Resources"]["ArchiveBucket"]["Properties"])
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == archive_bucket.PUBLIC_ACCESS_BLOCK
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    [code_rule] = archive_bucket.LIFECYCLE_RULES
    assert rule["Prefix"] == code_rule["Filter"]["Prefix"]
    assert rule["Transitions"] == [
        {
            "TransitionInDays": archive_bucket.GLACIER_AFTER_DAYS,
            "StorageClass": archive_bucket.ARCHIVE_STORAGE_CLASS,
        }
    ]
    assert rule["ExpirationInDays"] == archive_bucket.EXPIRE_AFTER_DAYS
    assert (
        bucket["LifecycleConfiguration"]["TransitionDefaultMinimumObjectSize"]
        == archive_bucket.MIN_TRANSITION_SIZE
    )
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert archive_bucket.EXPIRE_AFTER_DAYS >= 6 * 365


def _statements(template, function):
    policies = plain(template["Resources"][function]["Properties"]["Policies"])
    return [s for policy in policies for s in policy["Statement"]]


def test_no_function_may_update_or_delete_audit_entries(template):
    for function in ("WebFunction", "ArchiverFunction", "RollupFunction"):
        for statement in _statements(template, function):
            if "AuditLogTable" in json.dumps(statement["Resource"]):
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                assert not {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:*"} & set(
                    actions
                )


def test_the_web_function_may_use_every_table(template):
    granted = json.dumps(_statements(template, "WebFunction"))
    tables = _template_tables(template)
    for logical_name, _ in tables.values():
        assert logical_name in granted


def test_check_deploy_reports_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _start_command() -> list[str]:
    [cmd] = re.findall(r"^CMD (\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.M)
    return json.loads(cmd)


def _image_env() -> dict[str, str]:
    """ENV of the Dockerfile's final stage (PORT, the adapter's settings...)."""
    final = (ROOT / "Dockerfile").read_text().split("\nFROM ")[-1]
    env_block = re.search(r"^ENV (.*?)(?=^\S)", final, re.M | re.S).group(1)
    pairs = shlex.split(env_block.replace("\\\n", " "))
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair and "$" not in pair)


def _template_allowed_hosts(template, region: str) -> str:
    variables = plain(template["Globals"]["Function"]["Environment"]["Variables"])
    return variables["SOLACE_ALLOWED_HOSTS"]["Fn::Sub"].replace("${AWS::Region}", region)


@pytest.mark.live
def test_the_image_start_command_serves_health_and_sign_in(tmp_path, template):
    command = _start_command()
    assert command[0] == "gunicorn" and "--workers" in command
    assert command[command.index("--workers") + 1] == "1"
    store, endpoint = embedded.start_moto_server()
    env = production_env(
        **_image_env(),
        SOLACE_DYNAMODB_ENDPOINT=endpoint,
        SOLACE_STATIC_ROOT=str(tmp_path / "static"),
        SOLACE_ALLOWED_HOSTS=_template_allowed_hosts(template, "us-east-1"),
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        **embedded.LOCAL_CREDENTIALS,
    )
    try:
        for step in (["collectstatic", "--noinput"], ["dynamodb_create_tables"]):
            subprocess.run(
                [sys.executable, "manage.py", *step],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            embedded.wait_for_http("http://127.0.0.1:8000/healthz")
            assert requests.get("http://127.0.0.1:8000/healthz", timeout=5).status_code == 200
            # Behind the function URL the scheme arrives in X-Forwarded-Proto.
            page = requests.get(
                "http://127.0.0.1:8000/accounts/login/",
                headers={"X-Forwarded-Proto": "https"},
                timeout=5,
            )
            assert page.status_code == 200 and 'name="password"' in page.text
            # The adapter passes the function URL's Host through: the template allows it.
            function_url = requests.get(
                "http://127.0.0.1:8000/accounts/login/",
                headers={
                    "X-Forwarded-Proto": "https",
                    "Host": "abcdefghij0123456789.lambda-url.us-east-1.on.aws",
                },
                timeout=5,
            )
            assert function_url.status_code == 200
            css = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
            static = requests.get(
                f"http://127.0.0.1:8000{css}", headers={"X-Forwarded-Proto": "https"}, timeout=5
            )
            assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        embedded.stop(store)


def test_the_rollup_function_writes_only_rollups(template):
    granted = {}
    for statement in _statements(template, "RollupFunction"):
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            granted.setdefault(action, []).append(json.dumps(statement["Resource"]))
    writes = {
        a for a in granted if a.split(":")[1].startswith(("Put", "Update", "Delete", "Batch"))
    }
    dynamodb_writes = {a for a in writes if a.startswith("dynamodb:")}
    assert dynamodb_writes == {"dynamodb:UpdateItem"}
    assert granted["dynamodb:UpdateItem"] == [json.dumps({"Fn::GetAtt": ["MetricsTable", "Arn"]})]
    variables = template["Resources"]["RollupFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["SOLACE_ROLLUP"] == "1"
    assert variables["AWS_LWA_PASS_THROUGH_PATH"] == "/rollup/events"


@pytest.mark.parametrize(
    ("variable", "path"), [("SOLACE_ARCHIVER", "/events"), ("SOLACE_ROLLUP", "/rollup/events")]
)
def test_stream_batches_reach_their_function_over_plain_http(variable, path):
    """The adapter posts batches over plain http on loopback, without X-Forwarded-Proto: with
    production settings they must be answered, not redirected to https."""
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='127.0.0.1:8080')\n"
        f"r = c.post({path!r}, data=json.dumps({{'Records': []}}), "
        "content_type='application/json')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(**{variable: "1", "SOLACE_STATIC_MANIFEST": "0"}),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '200 {"batchItemFailures": []}'


def test_stream_functions_accept_batches_passed_through_by_the_adapter():
    from solace.views import stream_batch_view

    calls = []
    view = stream_batch_view(lambda event, ctx: calls.append(event) or {"ok": 1})
    request = RequestFactory().post(
        "/events", data=json.dumps({"Records": []}), content_type="application/json"
    )
    response = view(request)
    assert response.status_code == 200 and json.loads(response.content) == {"ok": 1}
    assert calls == [{"Records": []}]
    garbled = RequestFactory().post("/events", data="{", content_type="application/json")
    assert view(garbled).status_code == 400 and calls == [{"Records": []}]
