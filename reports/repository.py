"""The metrics table and the encounters stream: the only module of reports/ that talks to
DynamoDB. It owns the key formats:

  visit row  pk "V#<hospital>#<YYYY-MM-DD>"  sk "<patient id>"  one visit, filed under its local
             arrival day; `n` is the number of events it was derived from
  day        pk "R#<hospital>"               sk "D#<YYYY-MM-DD>" the day's rows; `total` is the
             sum of its visits' `n`
  checkpoint pk "checkpoint"                 sk "<stream table>" where the local drain stopped

Both rollup writes are conditional on those counts never going down. Events are only ever
added to a visit, so a row derived from more events is newer: a replayed or late stream record
can never put an older picture over a newer one.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django.conf import settings

from reports.domain import Day, Visit, row_from_item, row_to_item
from solace import clock, dynamodb
from solace.dynamodb import ConditionFailed, Expression
from solace.tables import ENCOUNTERS, METRICS

VISIT_PK = "V#{hospital_id}#{day}"
DAY_PK = "R#{hospital_id}"
DAY_SK = "D#{day}"
CHECKPOINT_PK = "checkpoint"


def _newer_or_equal(counter: str, value: int) -> tuple[str, Expression]:
    """Write only where nothing is stored, or what is stored counts no more events."""
    expression = Expression(counter=value)
    condition = (
        f"attribute_not_exists({expression.name('pk')}) OR {expression.name(counter)} <= :counter"
    )
    return condition, expression


# --- Visit rows ---------------------------------------------------------------------------------
def visit_put(hospital_id: str, visit: Visit) -> bool:
    """Store a visit's row unless a row derived from more events is already there."""
    item: dict[str, Any] = {
        "pk": VISIT_PK.format(hospital_id=hospital_id, day=visit.day.isoformat()),
        "sk": visit.patient_id,
        "n": visit.events,
        "arrived_at": clock.iso(visit.arrived_at),
        "row": row_to_item(visit.row) if visit.row else None,
        "closed": visit.closed.value if visit.closed else None,
        "updated_at": clock.utc_now_iso(),
    }
    condition, expression = _newer_or_equal("n", visit.events)
    try:
        dynamodb.put_item(METRICS, item, condition=condition, expression=expression)
    except ConditionFailed:
        return False
    return True


def visit_items_of_day(hospital_id: str, day: date) -> list[dict[str, Any]]:
    """Every visit row of a hospital's day (consistent: the rollup just wrote some)."""
    expression = Expression(pk=VISIT_PK.format(hospital_id=hospital_id, day=day.isoformat()))
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(METRICS),
        KeyConditionExpression=f"{expression.name('pk')} = :pk",
        ConsistentRead=True,
        **expression.params(),
    )
    return items


# --- Days ---------------------------------------------------------------------------------------
def day_item(hospital_id: str, day: date, visit_items: list[dict[str, Any]]) -> dict[str, Any]:
    """The day's rollup item from its visit rows (closed registrations are only counted)."""
    rows = [i["row"] for i in sorted(visit_items, key=lambda i: i["arrived_at"]) if i.get("row")]
    closed: dict[str, int] = {}
    for item in visit_items:
        if item.get("closed"):
            closed[item["closed"]] = closed.get(item["closed"], 0) + 1
    return {
        "pk": DAY_PK.format(hospital_id=hospital_id),
        "sk": DAY_SK.format(day=day.isoformat()),
        "rows": rows,
        "closed": closed or None,
        "total": sum(i["n"] for i in visit_items),
        "updated_at": clock.utc_now_iso(),
    }


def day_put(item: dict[str, Any]) -> bool:
    """Store a day unless one computed from more events is already there."""
    condition, expression = _newer_or_equal("total", item["total"])
    try:
        dynamodb.put_item(METRICS, item, condition=condition, expression=expression)
    except ConditionFailed:
        return False
    return True


def day_from_item(item: dict[str, Any]) -> Day:
    return Day(
        day=date.fromisoformat(item["sk"].removeprefix("D#")),
        rows=tuple(row_from_item(r) for r in item.get("rows") or ()),
        closed=dict(item.get("closed") or {}),
        updated_at=item.get("updated_at"),
    )


def day_items_between(
    hospital_id: str, start: date, end: date, *, consistent: bool = False
) -> list[dict[str, Any]]:
    """A hospital's stored days from start to end: ONE Query on the hospital's rollup
    partition (paged by DynamoDB only past 1 MB). Days nobody arrived on have no item."""
    expression = Expression(
        pk=DAY_PK.format(hospital_id=hospital_id),
        start=DAY_SK.format(day=start.isoformat()),
        end=DAY_SK.format(day=end.isoformat()),
    )
    pk, sk = expression.name("pk"), expression.name("sk")
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(METRICS),
        KeyConditionExpression=f"{pk} = :pk AND {sk} BETWEEN :start AND :end",
        ConsistentRead=consistent,
        **expression.params(),
    )
    return items


def days_between(hospital_id: str, start: date, end: date) -> list[Day]:
    return [day_from_item(i) for i in day_items_between(hospital_id, start, end)]


# --- The encounters stream (local drain; in AWS Lambda's event source reads it) --------------
def _checkpoint_key() -> dict[str, str]:
    return {"pk": CHECKPOINT_PK, "sk": dynamodb.table_name(ENCOUNTERS)}


def checkpoint() -> dict[str, str]:
    item = dynamodb.get_item(METRICS, _checkpoint_key(), consistent=True)
    return dict((item or {}).get("positions") or {})


def save_checkpoint(positions: dict[str, str]) -> None:
    dynamodb.put_item(
        METRICS, {**_checkpoint_key(), "positions": positions, "updated_at": clock.utc_now_iso()}
    )


@cache
def _streams_client():
    return dynamodb.aws_client(
        "dynamodbstreams",
        settings.SOLACE_DYNAMODB_ENDPOINT,
        region=settings.SOLACE_AWS_REGION,
        max_attempts=settings.SOLACE_DYNAMODB_MAX_ATTEMPTS,
    )


def encounters_stream() -> str:
    table = dynamodb.call("describe_table", TableName=dynamodb.table_name(ENCOUNTERS))["Table"]
    return table["LatestStreamArn"]


def shards(stream_arn: str) -> list[str]:
    description = _streams_client().describe_stream(StreamArn=stream_arn)["StreamDescription"]
    return [s["ShardId"] for s in description["Shards"]]


def record_batches(stream_arn: str, shard: str, after: str | None, limit: int = 1000):
    """Batches of stream records of one shard, oldest first, after a sequence number."""
    client = _streams_client()
    kwargs: dict[str, Any] = {"StreamArn": stream_arn, "ShardId": shard}
    if after:
        kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
    else:
        kwargs["ShardIteratorType"] = "TRIM_HORIZON"
    iterator = client.get_shard_iterator(**kwargs)["ShardIterator"]
    while iterator:
        response = client.get_records(ShardIterator=iterator, Limit=limit)
        if not response["Records"]:
            return
        yield response["Records"]
        iterator = response.get("NextShardIterator")


def reset_streams_client() -> None:
    _streams_client.cache_clear()
