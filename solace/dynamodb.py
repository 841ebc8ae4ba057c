"""The DynamoDB layer: one low-level client per process, item (de)serialization, error mapping.

Repositories are the only callers. They hand plain Python values in and get plain Python values
out; DynamoDB JSON and botocore exceptions never leave a repository.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

from solace import clock
from solace.tables import TABLES, TableDef

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_client = None
_client_lock = threading.Lock()

# DynamoDB API calls made while serving the current request: [name, started, seconds taken]
# (read by the request log line). Filled by botocore event hooks on the client.
_request_calls: contextvars.ContextVar[list[list] | None] = contextvars.ContextVar(
    "solace_dynamodb_calls", default=None
)


# --- Domain errors (what repositories raise instead of botocore's) ----------------------------
class DataStoreError(Exception):
    """DynamoDB could not serve the request after the retry budget was spent."""


class ConditionFailed(Exception):
    """A conditional write found the item in another state. `item` is its current image."""

    def __init__(self, item: dict[str, Any] | None = None):
        super().__init__("condition failed")
        self.item = item


class TransactionCancelled(Exception):
    """A transaction was cancelled. `reasons` lists, per action, its code and old item (if any)."""

    def __init__(self, reasons: list[tuple[str, dict[str, Any] | None]]):
        super().__init__("transaction cancelled: " + ", ".join(code for code, _ in reasons))
        self.reasons = reasons

    @property
    def only_conflicts(self) -> bool:
        return any(code == "TransactionConflict" for code, _ in self.reasons) and all(
            code in ("None", "TransactionConflict") for code, _ in self.reasons
        )


# --- Client -----------------------------------------------------------------------------------
def _call_started(model: Any = None, context: dict | None = None, **_kwargs: Any) -> None:
    calls = _request_calls.get()
    if calls is not None:
        entry = [getattr(model, "name", "?"), time.perf_counter(), None]
        calls.append(entry)
        if context is not None:
            context["solace_call"] = entry


def _call_finished(context: dict | None = None, **_kwargs: Any) -> None:
    entry = (context or {}).get("solace_call")
    if entry is not None:
        entry[2] = time.perf_counter() - entry[1]


def get_client():
    """The process-wide DynamoDB client, built once from settings (thread-safe, reusable)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = build_client("dynamodb", settings.SOLACE_DYNAMODB_ENDPOINT)
                _client.meta.events.register("before-call.dynamodb", _call_started)
                _client.meta.events.register("after-call.dynamodb", _call_finished)
    return _client


def build_client(service: str, endpoint: str | None):
    return aws_client(
        service,
        endpoint,
        region=settings.SOLACE_AWS_REGION,
        max_attempts=settings.SOLACE_DYNAMODB_MAX_ATTEMPTS,
        connect_timeout=settings.SOLACE_DYNAMODB_CONNECT_TIMEOUT,
        read_timeout=settings.SOLACE_DYNAMODB_READ_TIMEOUT,
    )


def aws_client(
    service: str,
    endpoint: str | None,
    *,
    region: str,
    max_attempts: int = 4,
    connect_timeout: float = 2,
    read_timeout: float = 5,
):
    """A low-level client with standard retries and short timeouts (no Django settings needed,
    so the archiver Lambda can build one too)."""
    config = Config(
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=20,
    )
    return boto3.session.Session().client(service, endpoint_url=endpoint, config=config)


def reset_client() -> None:
    """Forget the cached client (tests switch endpoints and mocks)."""
    global _client
    with _client_lock:
        _client = None


def start_counting() -> contextvars.Token:
    return _request_calls.set([])


def counted_calls() -> list[str]:
    """Names of the DynamoDB calls the current request made."""
    return [name for name, _, _ in _request_calls.get() or []]


def seconds_in_calls() -> float:
    """Time the current request spent waiting for DynamoDB (finished calls only)."""
    return sum(seconds for _, _, seconds in _request_calls.get() or [] if seconds is not None)


def stop_counting(token: contextvars.Token) -> None:
    _request_calls.reset(token)


def table_name(table: TableDef | str) -> str:
    name = table.name if isinstance(table, TableDef) else table
    return settings.SOLACE_TABLE_PREFIX + name


# --- Items ------------------------------------------------------------------------------------
def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: _to_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_value(v) for v in value]
    if isinstance(value, set):
        return {_from_dynamo_value(v) for v in value}
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict to DynamoDB JSON; None values are left out (DynamoDB has no use for them)."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in item.items() if v is not None}


def serialize_value(value: Any) -> dict[str, Any]:
    return _serializer.serialize(_to_dynamo_value(value))


def deserialize(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


def values(**kwargs: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(now=1) -> {":now": {"N": "1"}}."""
    return {f":{k}": serialize_value(v) for k, v in kwargs.items()}


now_epoch = clock.now_epoch


# --- Errors -----------------------------------------------------------------------------------
def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def cancellation_reasons(exc: ClientError) -> list[tuple[str, dict[str, Any] | None]]:
    reasons = exc.response.get("CancellationReasons") or []
    return [(r.get("Code", "None"), deserialize(r.get("Item"))) for r in reasons]


def map_client_error(exc: ClientError) -> Exception:
    """Translate a botocore error into the domain errors above."""
    code = error_code(exc)
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(deserialize(exc.response.get("Item")))
    if code == "TransactionCanceledException":
        return TransactionCancelled(cancellation_reasons(exc))
    return DataStoreError(code or "unknown DynamoDB error")


def get_item(table: TableDef, key: dict[str, Any], *, consistent: bool = False):
    """One item by its key, as a plain dict (None when absent)."""
    response = call(
        "get_item", TableName=table_name(table), Key=serialize(key), ConsistentRead=consistent
    )
    return deserialize(response.get("Item"))


def query_key(
    table: TableDef,
    key_name: str,
    value: Any,
    *,
    index: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """One page of the items whose partition key (of the table or an index) equals value."""
    kwargs: dict[str, Any] = {
        "TableName": table_name(table),
        "KeyConditionExpression": "#k = :v",
        "ExpressionAttributeNames": {"#k": key_name},
        "ExpressionAttributeValues": values(v=value),
        "ScanIndexForward": not newest_first,
    }
    if index:
        kwargs["IndexName"] = index
    if limit:
        kwargs["Limit"] = limit
    return [deserialize(i) for i in call("query", **kwargs).get("Items", [])]


def query_all(**kwargs: Any) -> tuple[list[dict[str, Any]], int]:
    """Every page of a Query (pages end at 1 MB); the items and the total ScannedCount."""
    items: list[dict[str, Any]] = []
    scanned = 0
    while True:
        response = call("query", **kwargs)
        items += [deserialize(i) for i in response.get("Items", [])]
        scanned += response.get("ScannedCount", 0)
        if "LastEvaluatedKey" not in response:
            return items, scanned
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def call(operation: str, **kwargs: Any) -> dict[str, Any]:
    """Run one DynamoDB API call; botocore errors come out as domain errors."""
    client = get_client()
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as exc:
        raise map_client_error(exc) from exc
    except Exception as exc:  # connection errors, read timeouts after the retry budget
        if exc.__class__.__module__.startswith(("botocore", "urllib3")):
            raise DataStoreError(exc.__class__.__name__) from exc
        raise


__all__ = [
    "TABLES",
    "ConditionFailed",
    "DataStoreError",
    "TransactionCancelled",
    "call",
    "deserialize",
    "get_client",
    "serialize",
    "table_name",
    "values",
]
