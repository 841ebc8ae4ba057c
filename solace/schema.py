"""Create (and, for test runs, delete) the tables defined in solace.tables."""

from __future__ import annotations

import time
from collections.abc import Iterable

from solace import dynamodb
from solace.tables import TABLES, Index, TableDef


def _key_schema(partition, sort) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort is not None:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def _projection(index: Index) -> dict:
    projection: dict = {"ProjectionType": index.projection}
    if index.projection == "INCLUDE":
        projection["NonKeyAttributes"] = list(index.non_key_attributes)
    return projection


def create_table_request(table: TableDef) -> dict:
    request: dict = {
        "TableName": dynamodb.table_name(table),
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": type_}
            for name, type_ in table.attribute_definitions().items()
        ],
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": _projection(index),
            }
            for index in table.indexes
        ]
    if table.stream_view_type:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": table.stream_view_type,
        }
    return request


def existing_table_names() -> set[str]:
    names: set[str] = set()
    kwargs: dict = {}
    while True:
        page = dynamodb.call("list_tables", **kwargs)
        names.update(page.get("TableNames", []))
        if "LastEvaluatedTableName" not in page:
            return names
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]


def _wait_active(name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = dynamodb.call("describe_table", TableName=name)["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        time.sleep(0.5)
    raise dynamodb.DataStoreError(f"table {name} did not become ACTIVE in {timeout:.0f}s")


def create_tables(tables: Iterable[TableDef] = TABLES) -> list[str]:
    """Create every missing table, wait until active, enable TTL. Idempotent: returns the new."""
    existing = existing_table_names()
    created = []
    for table in tables:
        name = dynamodb.table_name(table)
        if name not in existing:
            try:
                dynamodb.call("create_table", **create_table_request(table))
                created.append(name)
            except dynamodb.DataStoreError as exc:
                if "ResourceInUse" not in str(exc):  # created concurrently by another process
                    raise
        _wait_active(name)
        if table.ttl_attribute:
            _ensure_ttl(name, table.ttl_attribute)
    return created


def _ensure_ttl(name: str, attribute: str) -> None:
    current = dynamodb.call("describe_time_to_live", TableName=name)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return
    dynamodb.call(
        "update_time_to_live",
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )


def delete_tables(tables: Iterable[TableDef] = TABLES) -> None:
    existing = existing_table_names()
    for table in tables:
        name = dynamodb.table_name(table)
        if name in existing:
            dynamodb.call("delete_table", TableName=name)
