"""Operations: the template's alarms and their topic, and the EMF business-metric lines."""

import json
import re
import sys
import threading
import time
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from solace import metrics

ROOT = Path(__file__).resolve().parent.parent
TOPIC = {"Ref": "AlarmTopic"}
ONE_DAY_MS = 24 * 3600 * 1000


@pytest.fixture(scope="module")
def template():
    return json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))


def _resources(template, kind):
    return {n: r for n, r in template["Resources"].items() if r["Type"] == kind}


def _alarms(template):
    return {n: r["Properties"] for n, r in _resources(template, "AWS::CloudWatch::Alarm").items()}


def _stats(alarm):
    """(namespace, metric, dimensions, statistic) of every metric the alarm reads."""
    if "MetricName" in alarm:
        dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        return [(alarm["Namespace"], alarm["MetricName"], dimensions, alarm["Statistic"])]
    found = []
    for query in alarm.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            found.append(
                (metric["Namespace"], metric["MetricName"], dimensions, query["MetricStat"]["Stat"])
            )
    return found


def _alarm_on(template, namespace, metric, dimensions):
    matches = [
        (name, alarm)
        for name, alarm in _alarms(template).items()
        if any(s[:3] == (namespace, metric, dimensions) for s in _stats(alarm))
    ]
    assert len(matches) == 1, (namespace, metric, dimensions, [n for n, _ in matches])
    return matches[0][1]


# --- Topic, parameter, condition -----------------------------------------------------------


def test_alarm_email_is_optional_and_subscribes_only_when_given(template):
    parameter = template["Parameters"]["AlarmEmail"]
    assert parameter["Type"] == "String" and parameter["Default"] == ""
    pattern = parameter["AllowedPattern"]
    assert re.fullmatch(pattern, "") and re.fullmatch(pattern, "oncall@example.org")
    assert not re.fullmatch(pattern, "on call") and not re.fullmatch(pattern, "a@b c")
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    subscriptions = _resources(template, "AWS::SNS::Subscription")
    assert list(subscriptions) == ["AlarmEmailSubscription"]
    [subscription] = subscriptions.values()
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": TOPIC,
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }
    assert "Subscription" not in template["Resources"]["AlarmTopic"]["Properties"]


def test_the_topic_is_encrypted_with_the_data_key_and_cloudwatch_may_use_both(template):
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "DataKey"}
    topic_name = topic["TopicName"]["Fn::Sub"]

    key_policy = template["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    [grant] = [s for s in key_policy if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert grant["Effect"] == "Allow"
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(grant["Action"])
    # Scoped to this topic: the encryption context SNS sends is the topic's ARN.
    topic_arn = grant["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"]
    assert topic_arn == {
        "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:" + topic_name
    }

    [policy] = _resources(template, "AWS::SNS::TopicPolicy").values()
    assert policy["Properties"]["Topics"] == [TOPIC]
    [publish] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert publish["Effect"] == "Allow"
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish" and publish["Resource"] == TOPIC
    alarms_here = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"
    assert publish["Condition"] == {"ArnLike": {"aws:SourceArn": {"Fn::Sub": alarms_here}}}


def test_every_alarm_notifies_the_topic_and_says_how_to_treat_missing_data(template):
    alarms = _alarms(template)
    assert len(alarms) >= 7
    names = [a["AlarmName"]["Fn::Sub"] for a in alarms.values()]
    assert len(set(names)) == len(names)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [TOPIC], name
        assert alarm["OKActions"] == [TOPIC], name
        assert alarm["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-"), name
        assert "README, Operations" in alarm["AlarmDescription"], name
        assert alarm["TreatMissingData"] in {"notBreaching", "ignore"}, name


# --- The required alarms -------------------------------------------------------------------


@pytest.mark.parametrize("function", ["WebFunction", "ArchiverFunction"])
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_function_errors_and_throttles_alarm(template, function, metric):
    alarm = _alarm_on(template, "AWS/Lambda", metric, {"FunctionName": {"Ref": function}})
    assert alarm["Statistic"] == "Sum" and alarm["Period"] == 300
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


def test_archiver_iterator_age_alarm_sits_between_the_batching_window_and_stream_expiry(template):
    alarm = _alarm_on(
        template, "AWS/Lambda", "IteratorAge", {"FunctionName": {"Ref": "ArchiverFunction"}}
    )
    stream = template["Resources"]["ArchiverFunction"]["Properties"]["Events"]["AuditStream"]
    window_ms = stream["Properties"]["MaximumBatchingWindowInSeconds"] * 1000
    timeout_ms = template["Resources"]["ArchiverFunction"]["Properties"]["Timeout"] * 1000
    assert alarm["Statistic"] == "Maximum"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    # A healthy archiver reaches one batching window plus one invocation: no page for that;
    # stream records live 24 hours: page long before.
    assert window_ms + timeout_ms < alarm["Threshold"] <= ONE_DAY_MS / 24
    assert alarm["TreatMissingData"] == "notBreaching"


def test_failed_batch_queue_alarm_watches_the_archivers_failure_destination(template):
    stream = template["Resources"]["ArchiverFunction"]["Properties"]["Events"]["AuditStream"]
    destination = stream["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["ArchiverFailures", "Arn"]}
    alarm = _alarm_on(
        template,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": {"Fn::GetAtt": ["ArchiverFailures", "QueueName"]}},
    )
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Statistic"] == "Maximum"
    # An idle queue stops reporting: a message left there must not turn the alarm OK.
    assert alarm["TreatMissingData"] == "ignore"


def test_function_url_5xx_rate_alarm_needs_a_minimum_of_requests(template):
    web = {"FunctionName": {"Ref": "WebFunction"}}
    alarm = _alarm_on(template, "AWS/Lambda", "Url5xxCount", web)
    assert ("AWS/Lambda", "UrlRequestCount", web, "Sum") in _stats(alarm)
    assert ("AWS/Lambda", "Url5xxCount", web, "Sum") in _stats(alarm)
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    [returned] = [q for q in queries.values() if q["ReturnData"]]
    match = re.fullmatch(
        r"IF\((\w+) >= (\d+), 100 \* FILL\((\w+), 0\) / (\w+), 0\)", returned["Expression"]
    )
    assert match, returned["Expression"]
    requests, minimum, errors, divisor = match.groups()
    assert queries[requests]["MetricStat"]["Metric"]["MetricName"] == "UrlRequestCount"
    assert queries[errors]["MetricStat"]["Metric"]["MetricName"] == "Url5xxCount"
    assert divisor == requests
    assert all(q["MetricStat"]["Period"] == 300 for q in queries.values() if "MetricStat" in q)
    assert int(minimum) >= 20  # one error in a quiet hour is not a page
    assert alarm["Threshold"] == 5 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


_TABLE_QUERY = re.compile(
    r'SELECT SUM\((\w+)\) FROM SCHEMA\("AWS/DynamoDB", Operation, TableName\) '
    r"WHERE TableName = '\$\{(\w+)\}'"
)


def _table_alarms(template):
    """{(metric, table logical id): alarm} of the per-table Metrics Insights alarms."""
    found = {}
    for alarm in _alarms(template).values():
        for query in alarm.get("Metrics", []):
            expression = query.get("Expression")
            if isinstance(expression, dict) and "Fn::Sub" in expression:
                match = _TABLE_QUERY.fullmatch(expression["Fn::Sub"])
                if match:
                    assert query["ReturnData"] and query["Period"] == 300
                    assert len(alarm["Metrics"]) == 1
                    found[match.groups()] = alarm
    return found


def test_every_table_has_a_throttle_and_a_system_error_alarm(template):
    tables = _resources(template, "AWS::DynamoDB::Table")
    assert len(tables) >= 9
    alarms = _table_alarms(template)
    for table in tables:
        for metric in ("ThrottledRequests", "SystemErrors"):
            alarm = alarms.pop((metric, table), None)
            assert alarm is not None, f"{table} has no {metric} alarm"
            assert alarm["Threshold"] == 1
            assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
            assert alarm["TreatMissingData"] == "notBreaching"
    assert not alarms, f"alarms on tables that are not in the template: {list(alarms)}"


def test_no_dynamodb_alarm_uses_a_dimension_set_dynamodb_does_not_publish(template):
    """ThrottledRequests and SystemErrors exist only per (TableName, Operation); UserErrors is
    account-wide noise and no alarm."""
    for name, alarm in _alarms(template).items():
        for namespace, metric, dimensions, _ in _stats(alarm):
            if namespace == "AWS/DynamoDB":
                assert metric != "UserErrors", name
                if metric in ("ThrottledRequests", "SystemErrors"):
                    assert set(dimensions) == {"TableName", "Operation"}, name
        assert "UserErrors" not in json.dumps(alarm), name


def test_the_readme_explains_every_alarm_and_metric(template):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Operations\n", 1)[1].split("\n## ", 1)[0]
    for alarm in _alarms(template).values():
        suffix = alarm["AlarmName"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
        generic = re.sub(
            r"^dynamodb-[a-z-]+?-(throttles|system-errors)$", r"dynamodb-<table>-\1", suffix
        )
        assert f"| `{generic}` |" in section, suffix
    for name in metrics.METRICS:
        assert f"| `{name}` |" in section, name


# --- EMF lines ------------------------------------------------------------------------------

CLOUDWATCH_UNITS = {"Count", "Seconds", "Milliseconds", "Bytes", "Percent", "None"}


def _assert_emf(document):
    """The EMF specification's structure, and nothing else in the line."""
    root = document["_aws"]
    assert set(root) == {"Timestamp", "CloudWatchMetrics"}
    assert type(root["Timestamp"]) is int
    referenced = set()
    for directive in root["CloudWatchMetrics"]:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        assert directive["Namespace"] == "Solace"
        assert isinstance(directive["Dimensions"], list) and directive["Dimensions"]
        for dimension_set in directive["Dimensions"]:
            assert isinstance(dimension_set, list) and 0 < len(dimension_set) <= 30
            for dimension in dimension_set:
                assert isinstance(document[dimension], str) and document[dimension]
                referenced.add(dimension)
        assert directive["Metrics"]
        for metric in directive["Metrics"]:
            assert set(metric) == {"Name", "Unit"} and metric["Unit"] in CLOUDWATCH_UNITS
            value = document[metric["Name"]]
            assert isinstance(value, int | float) and not isinstance(value, bool)
            referenced.add(metric["Name"])
    assert set(document) == referenced | {"_aws"}, "nothing but dimensions and metrics"


def _lines(capsys):
    out = capsys.readouterr().out
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def test_one_bare_json_line_per_call_with_the_emf_structure(capsys):
    before = int(time.time() * 1000)
    metrics.count(metrics.REGISTRATIONS, HospitalId="0f3c9a2b7d4e4c1f9a8b6d5e4c3b2a10")
    metrics.count(metrics.QUEUE_NOT_MODIFIED)
    metrics.count(metrics.QUEUE_RENDERS, 3)
    after = int(time.time() * 1000)
    first, second, third = _lines(capsys)
    for document in (first, second, third):
        _assert_emf(document)
        assert before <= document["_aws"]["Timestamp"] <= after
        assert document["Service"] == "web"

    [directive] = first["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["Service"], ["Service", "HospitalId"]]
    assert directive["Metrics"] == [{"Name": "Registrations", "Unit": "Count"}]
    assert first["Registrations"] == 1
    assert first["HospitalId"] == "0f3c9a2b7d4e4c1f9a8b6d5e4c3b2a10"
    assert second["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"]]
    assert second["QueueNotModified"] == 1 and "HospitalId" not in second
    assert third["QueueRenders"] == 3


def test_every_metric_constant_emits(capsys):
    names = [
        metrics.REGISTRATIONS,
        metrics.DUPLICATE_REPLAYS,
        metrics.VERSION_CONFLICTS,
        metrics.QUEUE_RENDERS,
        metrics.QUEUE_NOT_MODIFIED,
        metrics.REGISTRATIONS_LIMITED,
    ]
    assert set(names) == metrics.METRICS
    for name in names:
        metrics.count(name, HospitalId="demo")
    documents = _lines(capsys)
    assert [d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for d in documents] == names
    for document in documents:
        _assert_emf(document)


def test_the_line_bypasses_the_json_request_log_formatter(capsys, caplog):
    caplog.set_level("DEBUG")
    metrics.count(metrics.VERSION_CONFLICTS, HospitalId="demo")
    captured = capsys.readouterr()
    assert captured.out.startswith('{"_aws":') and captured.out.count("\n") == 1
    assert "_aws" not in captured.err
    assert not [r for r in caplog.records if "_aws" in r.getMessage()]


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("PatientName",), {}, ValueError),
        ((metrics.REGISTRATIONS,), {"patient_id": "abc"}, ValueError),
        ((metrics.REGISTRATIONS,), {"HospitalName": "St. Mary"}, ValueError),
        ((metrics.REGISTRATIONS, -1), {}, ValueError),
        ((metrics.REGISTRATIONS, float("nan")), {}, ValueError),
        ((metrics.REGISTRATIONS, True), {}, TypeError),
        ((metrics.REGISTRATIONS, "1"), {}, TypeError),
    ],
)
def test_unknown_names_and_bad_values_are_refused_and_nothing_is_written(
    capsys, args, kwargs, error
):
    with pytest.raises(error):
        metrics.count(*args, **kwargs)
    assert capsys.readouterr().out == ""


def test_a_dimension_value_that_is_not_an_id_is_never_written(capsys, caplog):
    metrics.count(metrics.REGISTRATIONS, HospitalId="Jane Doe, 1980-02-03")
    captured = capsys.readouterr()
    assert "Jane" not in captured.out + captured.err + caplog.text
    [document] = [json.loads(line) for line in captured.out.splitlines()]
    _assert_emf(document)
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"]]
    assert document["Registrations"] == 1


def test_the_archiver_function_is_its_own_service(capsys, monkeypatch):
    monkeypatch.setenv("SOLACE_ARCHIVER", "1")
    metrics.count(metrics.QUEUE_RENDERS)
    [document] = _lines(capsys)
    assert document["Service"] == "archiver"


def test_a_broken_stdout_never_fails_the_caller(monkeypatch):
    class Broken:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            raise AssertionError("not reached")

    monkeypatch.setattr(sys, "stdout", Broken())
    metrics.count(metrics.REGISTRATIONS)


def test_lines_from_many_threads_stay_whole(capsys):
    def emit():
        for _ in range(50):
            metrics.count(metrics.QUEUE_NOT_MODIFIED, HospitalId="demo")

    threads = [threading.Thread(target=emit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    documents = _lines(capsys)
    assert len(documents) == 400
    for document in documents:
        _assert_emf(document)


def _counted(capsys) -> list[str]:
    return [d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for d in _lines(capsys)]


def test_the_app_counts_registrations_replays_conflicts_and_polls(
    capsys, client, hospital, make_staff, sign_in
):
    from accounts.domain import Role
    from tests.cockpit_helpers import poll
    from tests.intake_helpers import open_form, patients, submit

    capsys.readouterr()
    key = open_form(client, hospital)
    assert submit(client, hospital, key).status_code == 303
    assert submit(client, hospital, key).status_code == 303  # a double tap
    assert _counted(capsys) == [metrics.REGISTRATIONS, metrics.DUPLICATE_REPLAYS]

    [patient] = patients(hospital)
    nurse = sign_in(make_staff(Role.NURSE))
    rendered = poll(nurse, hospital)
    assert poll(nurse, hospital, rendered["ETag"]).status_code == 204
    assert _counted(capsys) == [metrics.QUEUE_RENDERS, metrics.QUEUE_NOT_MODIFIED]

    url = f"/cockpit/patients/{patient['patient_id']}/room/"
    assert nurse.post(url, {"version": 1, "room": "B1"}).status_code == 303
    assert nurse.post(url, {"version": 1, "room": "C2"}).status_code == 409
    assert _counted(capsys) == [metrics.VERSION_CONFLICTS]
