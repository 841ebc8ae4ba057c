"""The DynamoDB layer: one low-level client per process, item (de)serialization, error mapping,
and the few request shapes every repository uses.

Repositories are the only callers. They hand plain Python values in and get plain Python values
out; DynamoDB JSON and botocore exceptions never leave a repository.
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings

from solace.aws import ClientError
from solace.aws import client as aws_client
from solace.dynamodb_json import deserialize_value, serialize_value
from solace.tables import TableDef

_client = None
_client_lock = threading.Lock()

# BatchGetItem takes at most 100 keys; what it leaves unprocessed is asked for again after a
# growing pause (DynamoDB's advice for throttled batches), a bounded number of times.
BATCH_GET_MAX_KEYS = 100
UNPROCESSED_RETRIES = 6
UNPROCESSED_PAUSE_SECONDS = 0.05

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
    """A transaction was cancelled. Each action's code and old item are looked up by the name
    the caller gave that action (see `transact_write`)."""

    def __init__(self, reasons: list[tuple[str, dict[str, Any] | None]], names=()):
        super().__init__("transaction cancelled: " + ", ".join(code for code, _ in reasons))
        self.reasons = reasons
        self.names = list(names)

    def _reason(self, name: str) -> tuple[str, dict[str, Any] | None]:
        """The named action's code and old item; ("None", None) for an action not sent."""
        index = self.names.index(name) if name in self.names else len(self.reasons)
        return self.reasons[index] if index < len(self.reasons) else ("None", None)

    def failed(self, name: str) -> bool:
        """Did the named action's condition fail?"""
        return self._reason(name)[0] == "ConditionalCheckFailed"

    def item(self, name: str) -> dict[str, Any] | None:
        """The named action's item as it was (ReturnValuesOnConditionCheckFailure=ALL_OLD)."""
        return self._reason(name)[1]

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
                _client = aws_client(
                    "dynamodb",
                    settings.SOLACE_DYNAMODB_ENDPOINT,
                    region=settings.SOLACE_AWS_REGION,
                    max_attempts=settings.SOLACE_DYNAMODB_MAX_ATTEMPTS,
                    connect_timeout=settings.SOLACE_DYNAMODB_CONNECT_TIMEOUT,
                    read_timeout=settings.SOLACE_DYNAMODB_READ_TIMEOUT,
                )
                _client.meta.events.register("before-call.dynamodb", _call_started)
                _client.meta.events.register("after-call.dynamodb", _call_finished)
    return _client


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
    return {k: serialize_value(_to_dynamo_value(v)) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: _from_dynamo_value(deserialize_value(v)) for k, v in item.items()}


# --- Expiry: one rule for every table with a TTL attribute ------------------------------------
# An item whose expiry is at or before now is expired. TTL deletes only eventually, so every
# read and every condition applies this rule itself.
LIVE = "expires_at > :now"
EXPIRED = "expires_at <= :now"


def expired(item: Mapping[str, Any] | None, now: int) -> bool:
    return item is None or item["expires_at"] <= now


# --- Expressions ------------------------------------------------------------------------------
class Expression:
    """Placeholders for one request: attribute names as #n0.., values as :v0.. (or named)."""

    def __init__(self, **named_values: Any):
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {f":{k}": v for k, v in named_values.items()}

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def update(
        self,
        set_values: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        add: Mapping[str, Any] | None = None,
        append: Mapping[str, list] | None = None,
    ) -> str:
        """An UpdateExpression: SET name = value, REMOVE name, ADD name value, and `append`:
        entries added at the end of a list (created when missing), the rest left untouched."""
        clauses = []
        pairs = [f"{self.name(k)} = {self.value(v)}" for k, v in (set_values or {}).items()]
        for key, entries in (append or {}).items():
            name, empty, added = self.name(key), self.value([]), self.value(entries)
            pairs.append(f"{name} = list_append(if_not_exists({name}, {empty}), {added})")
        if pairs:
            clauses.append("SET " + ", ".join(pairs))
        removed = [self.name(k) for k in remove]
        if removed:
            clauses.append("REMOVE " + ", ".join(removed))
        if add:
            clauses.append(
                "ADD " + ", ".join(f"{self.name(k)} {self.value(v)}" for k, v in add.items())
            )
        return " ".join(clauses)

    def params(self) -> dict[str, Any]:
        """ExpressionAttributeNames / ExpressionAttributeValues, leaving out empty ones."""
        params: dict[str, Any] = {}
        if self.names:
            params["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            params["ExpressionAttributeValues"] = {
                k: serialize_value(_to_dynamo_value(v)) for k, v in self.values.items()
            }
        return params


# --- Errors -----------------------------------------------------------------------------------
def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _map_client_error(exc: ClientError) -> Exception:
    """Translate a botocore error into the domain errors above."""
    code = _error_code(exc)
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(deserialize(exc.response.get("Item")))
    if code == "TransactionCanceledException":
        reasons = exc.response.get("CancellationReasons") or []
        return TransactionCancelled(
            [(r.get("Code", "None"), deserialize(r.get("Item"))) for r in reasons]
        )
    return DataStoreError(code or "unknown DynamoDB error")


def call(operation: str, **kwargs: Any) -> dict[str, Any]:
    """Run one DynamoDB API call; botocore errors come out as domain errors."""
    client = get_client()
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as exc:
        raise _map_client_error(exc) from exc
    except Exception as exc:  # connection errors, read timeouts after the retry budget
        if exc.__class__.__module__.startswith(("botocore", "urllib3")):
            raise DataStoreError(exc.__class__.__name__) from exc
        raise


# --- Reads ------------------------------------------------------------------------------------
def get_item(table: TableDef, key: dict[str, Any], *, consistent: bool = False):
    """One item by its key, as a plain dict (None when absent)."""
    response = call(
        "get_item", TableName=table_name(table), Key=serialize(key), ConsistentRead=consistent
    )
    return deserialize(response.get("Item"))


def batch_get(
    requests: Mapping[TableDef, Iterable[dict[str, Any]]], *, consistent: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Items of one or more tables by key, in as few BatchGetItem requests as the 100-key limit
    allows; unprocessed keys are asked for again with back-off. Returns items by table name
    (TableDef.name), in no particular order; absent keys are simply missing."""
    wanted = [(table, key) for table, keys in requests.items() for key in keys]
    found: dict[str, list[dict[str, Any]]] = {table.name: [] for table in requests}
    by_physical = {table_name(table): table.name for table in requests}
    for start in range(0, len(wanted), BATCH_GET_MAX_KEYS):
        request: dict[str, Any] = {}
        for table, key in wanted[start : start + BATCH_GET_MAX_KEYS]:
            entry = request.setdefault(
                table_name(table), {"Keys": [], "ConsistentRead": consistent}
            )
            entry["Keys"].append(serialize(key))
        for attempt in range(UNPROCESSED_RETRIES + 1):
            response = call("batch_get_item", RequestItems=request)
            for physical, items in response.get("Responses", {}).items():
                found[by_physical[physical]] += [deserialize(i) for i in items]
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            if attempt == UNPROCESSED_RETRIES:
                raise DataStoreError("BatchGetItem left keys unprocessed")
            time.sleep(UNPROCESSED_PAUSE_SECONDS * 2**attempt)
    return found


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
    expression = Expression(v=value)
    kwargs: dict[str, Any] = {
        "TableName": table_name(table),
        "KeyConditionExpression": f"{expression.name(key_name)} = :v",
        "ScanIndexForward": not newest_first,
        **expression.params(),
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


# --- Writes -----------------------------------------------------------------------------------
def put_item(
    table: TableDef,
    item: dict[str, Any],
    *,
    condition: str | None = None,
    expression: Expression | None = None,
) -> None:
    """Write an item, optionally only where `condition` holds (ConditionFailed otherwise).

    botocore retries a request whose answer was lost. When the first attempt had succeeded,
    the retry finds the item already there and its condition fails; the old image it returns is
    then exactly what this call wrote, and that is success, not a conflict.
    """
    kwargs: dict[str, Any] = {"TableName": table_name(table), "Item": serialize(item)}
    if condition:
        kwargs["ConditionExpression"] = condition
        kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        kwargs.update((expression or Expression()).params())
    try:
        call("put_item", **kwargs)
    except ConditionFailed as exc:
        if exc.item is not None and exc.item == deserialize(kwargs["Item"]):
            return
        raise


def update_item(
    table: TableDef,
    key: dict[str, Any],
    expression: Expression,
    update: str,
    *,
    condition: str | None = None,
    return_new: bool = False,
) -> dict[str, Any] | None:
    """UpdateItem with an expression built by `Expression.update`; the new attributes when
    asked for. ConditionFailed when the condition does not hold."""
    kwargs: dict[str, Any] = {
        "TableName": table_name(table),
        "Key": serialize(key),
        "UpdateExpression": update,
        **expression.params(),
    }
    if condition:
        kwargs["ConditionExpression"] = condition
    if return_new:
        kwargs["ReturnValues"] = "ALL_NEW"
    response = call("update_item", **kwargs)
    return deserialize(response.get("Attributes")) if return_new else None


def delete_item(table: TableDef, key: dict[str, Any]) -> None:
    call("delete_item", TableName=table_name(table), Key=serialize(key))


def put_action(
    table: TableDef,
    item: dict[str, Any],
    *,
    condition: str | None = None,
    expression: Expression | None = None,
) -> dict[str, Any]:
    """A Put for `transact_write`. A conditional one returns the item it found when its
    condition fails (`exc.item(name)`), which also lets `transact_write` recognise its own
    retried commit."""
    put: dict[str, Any] = {"TableName": table_name(table), "Item": serialize(item)}
    if condition:
        put["ConditionExpression"] = condition
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        put.update((expression or Expression()).params())
    return {"Put": put}


def update_action(
    table: TableDef,
    key: dict[str, Any],
    expression: Expression,
    update: str,
    *,
    condition: str | None = None,
    return_old: bool = False,
) -> dict[str, Any]:
    """An Update for `transact_write`."""
    action: dict[str, Any] = {
        "TableName": table_name(table),
        "Key": serialize(key),
        "UpdateExpression": update,
        **expression.params(),
    }
    if condition:
        action["ConditionExpression"] = condition
    if return_old:
        action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Update": action}


def transact_write(actions: list[tuple[str, dict[str, Any]]]) -> None:
    """Commit named actions in ONE TransactWriteItems, or nothing. On cancellation the error
    answers by action name (`exc.failed("patient")`), never by position.

    The client request token makes botocore's retry of a commit whose answer was lost a no-op
    in DynamoDB. A store that ignores the token (moto) cancels that retry instead, on the
    conditional puts the first attempt made: when every failed condition is a put finding
    exactly the item it was writing, the commit is ours and this is success, as in `put_item`.
    """
    names = [name for name, _ in actions]
    if len(set(names)) != len(names):
        raise ValueError(f"action names must be unique: {names}")
    try:
        call(
            "transact_write_items",
            TransactItems=[action for _, action in actions],
            ClientRequestToken=uuid.uuid4().hex,
        )
    except TransactionCancelled as exc:
        cancelled = TransactionCancelled(exc.reasons, names)
        if _is_own_commit(cancelled, actions):
            return
        raise cancelled from exc


def _is_own_commit(cancelled: TransactionCancelled, actions) -> bool:
    failed = [(name, action) for name, action in actions if cancelled.failed(name)]
    others_ok = all(code in ("None", "ConditionalCheckFailed") for code, _ in cancelled.reasons)
    return (
        bool(failed)
        and others_ok
        and all(
            "Put" in action and cancelled.item(name) == deserialize(action["Put"]["Item"])
            for name, action in failed
        )
    )


__all__ = [
    "EXPIRED",
    "LIVE",
    "ConditionFailed",
    "DataStoreError",
    "Expression",
    "TransactionCancelled",
    "aws_client",
    "batch_get",
    "call",
    "counted_calls",
    "delete_item",
    "deserialize",
    "expired",
    "get_item",
    "put_action",
    "put_item",
    "query_all",
    "query_key",
    "reset_client",
    "seconds_in_calls",
    "serialize",
    "start_counting",
    "stop_counting",
    "table_name",
    "transact_write",
    "update_action",
    "update_item",
]
