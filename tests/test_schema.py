"""Table creation from the definitions in solace.tables."""

from django.core.management import call_command

from solace import dynamodb, schema
from solace.tables import TABLES


def test_every_defined_table_exists_active_with_its_ttl_indexes_and_stream():
    for table in TABLES:
        name = dynamodb.table_name(table)
        description = dynamodb.call("describe_table", TableName=name)["Table"]
        assert description["TableStatus"] == "ACTIVE"
        assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i.name for i in table.indexes}
        ttl = dynamodb.call("describe_time_to_live", TableName=name)["TimeToLiveDescription"]
        if table.ttl_attribute:
            assert ttl["AttributeName"] == table.ttl_attribute
            assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED"
        stream = description.get("StreamSpecification", {})
        assert stream.get("StreamViewType") == table.stream_view_type


def test_create_tables_is_idempotent(capsys):
    assert schema.create_tables() == []
    call_command("dynamodb_create_tables")
    out = capsys.readouterr().out
    assert out.count("exists ") == len(TABLES)
    assert "created" not in out


def test_physical_names_carry_the_prefix(settings):
    assert all(dynamodb.table_name(t).startswith(settings.SOLACE_TABLE_PREFIX) for t in TABLES)
