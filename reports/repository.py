"""The metrics table and the encounters stream: the only module of reports/ that talks to
DynamoDB. It owns the key formats:

  facts      pk "P#<patient id>"   sk "facts"          what the rollup knows of one visit's
             events: one attribute per event, "e#<event id>", written with SET (replaying a
             record sets the same value again; records commute)
  day        pk "R#<hospital id>"  sk "D#<YYYY-MM-DD>"  one local arrival day: `rows`, a map
             from patient id to that visit's row (a line of text), and `n`, a map from patient
             id to the number of events the row was derived from; the dashboard reads a date
             range with ONE Query on this partition
  checkpoint pk "checkpoint"       sk "<stream table>"  where the local drain stopped

A visit's row in its day is replaced only by one derived from at least as many events. Events
are only ever added, so that is never an older picture over a newer one, whatever order the
stream's records (or a rebuild) arrive in.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django.conf import settings

from reports.domain import CLOSED_PREFIX, Day, Visit, row_from_text, row_to_text
from solace import clock, dynamodb
from solace.dynamodb import ConditionFailed, DataStoreError, Expression
from solace.tables import ENCOUNTERS, METRICS

FACTS_PK = "P#{patient_id}"
FACTS_SK = "facts"
EVENT_ATTRIBUTE = "e#{event_id}"
DAY_PK = "R#{hospital_id}"
DAY_SK = "D#{day}"
CHECKPOINT_PK = "checkpoint"


# --- Facts of a visit -------------------------------------------------------------------------
def facts_add(
    patient_id: str, hospital_id: str, facts: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Add events' facts to the visit's facts (idempotent, in any order); every fact known
    after this write, by event id."""
    expression = Expression()
    values = {EVENT_ATTRIBUTE.format(event_id=e): f for e, f in facts.items()}
    values["hospital_id"] = hospital_id
    item = dynamodb.update_item(
        METRICS,
        {"pk": FACTS_PK.format(patient_id=patient_id), "sk": FACTS_SK},
        expression,
        expression.update(values),
        return_new=True,
    )
    prefix = EVENT_ATTRIBUTE.format(event_id="")
    return {k.removeprefix(prefix): v for k, v in (item or {}).items() if k.startswith(prefix)}


# --- Days ---------------------------------------------------------------------------------------
def _day_key(hospital_id: str, day: date) -> dict[str, str]:
    return {"pk": DAY_PK.format(hospital_id=hospital_id), "sk": DAY_SK.format(day=day.isoformat())}


def _visit_text(visit: Visit) -> str:
    if visit.row is None:
        return CLOSED_PREFIX + (visit.closed.value if visit.closed else "closed")
    return row_to_text(visit.row)


VISITS_PER_UPDATE = 25  # keeps each update and condition expression well under 4 KB


def _put_rows(key: dict[str, str], visits: list[Visit]) -> None:
    """One UpdateItem putting every visit's row into the day, each unless a row derived from
    more events is there (ConditionFailed if any is). The day's maps are created when
    missing."""
    expression = Expression(now=clock.utc_now_iso())
    rows, n, updated = expression.name("rows"), expression.name("n"), expression.name("updated_at")
    sets, conditions = [f"{updated} = :now"], []
    for visit in visits:
        visit_name = expression.name(visit.patient_id)
        events = expression.value(visit.events)
        sets.append(f"{rows}.{visit_name} = {expression.value(_visit_text(visit))}")
        sets.append(f"{n}.{visit_name} = {events}")
        conditions.append(
            f"(attribute_not_exists({n}.{visit_name}) OR {n}.{visit_name} <= {events})"
        )
    update, condition = "SET " + ", ".join(sets), " AND ".join(conditions)
    for _ in range(2):
        try:
            dynamodb.update_item(METRICS, key, expression, update, condition=condition)
            return
        except DataStoreError as exc:  # the day has no map yet: make it, then try again
            if "ValidationException" not in str(exc):
                raise
            create = Expression(empty={})
            rows_name, n_name = create.name("rows"), create.name("n")
            dynamodb.update_item(
                METRICS,
                key,
                create,
                f"SET {rows_name} = if_not_exists({rows_name}, :empty), "
                f"{n_name} = if_not_exists({n_name}, :empty)",
            )
    raise DataStoreError("the day's rows could not be created")


def visits_put(hospital_id: str, day: date, visits: list[Visit]) -> int:
    """Put visits of one day into it, 25 to an update; where one of them is older than what is
    stored, each of that group on its own. Returns how many were put."""
    key = _day_key(hospital_id, day)
    put = 0
    for start in range(0, len(visits), VISITS_PER_UPDATE):
        group = visits[start : start + VISITS_PER_UPDATE]
        try:
            _put_rows(key, group)
            put += len(group)
        except ConditionFailed:
            put += sum(visit_put(hospital_id, v) for v in group) if len(group) > 1 else 0
    return put


def visit_put(hospital_id: str, visit: Visit) -> bool:
    """Put one visit's row into its day unless one derived from more events is there."""
    try:
        _put_rows(_day_key(hospital_id, visit.day), [visit])
    except ConditionFailed:
        return False
    return True


def day_from_item(item: dict[str, Any]) -> Day:
    rows, closed = [], {}
    for _, text in sorted((item.get("rows") or {}).items()):
        if text.startswith(CLOSED_PREFIX):
            status = text.removeprefix(CLOSED_PREFIX)
            closed[status] = closed.get(status, 0) + 1
        else:
            rows.append(row_from_text(text))
    return Day(
        day=date.fromisoformat(item["sk"].removeprefix("D#")),
        rows=tuple(rows),
        closed=closed,
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


def _streams_client():
    return _streams_client_for(
        settings.SOLACE_DYNAMODB_ENDPOINT,
        settings.SOLACE_AWS_REGION,
        settings.SOLACE_DYNAMODB_MAX_ATTEMPTS,
    )


@cache
def _streams_client_for(endpoint: str | None, region: str, max_attempts: int):
    # A page of stream records can take a while to assemble (moto's is slow): a longer wait.
    return dynamodb.aws_client(
        "dynamodbstreams", endpoint, region=region, max_attempts=max_attempts, read_timeout=30
    )


def encounters_stream() -> str:
    table = dynamodb.call("describe_table", TableName=dynamodb.table_name(ENCOUNTERS))["Table"]
    return table["LatestStreamArn"]


def shards(stream_arn: str) -> list[str]:
    description = _streams_client().describe_stream(StreamArn=stream_arn)["StreamDescription"]
    return [s["ShardId"] for s in description["Shards"]]


def skip_to_end() -> int:
    """Move the local drain's position past every record now in the stream (records just
    rolled up another way); how many were skipped."""
    stream_arn = encounters_stream()
    positions = checkpoint()
    skipped = 0
    for shard in shards(stream_arn):
        for records in record_batches(stream_arn, shard, positions.get(shard), limit=1000):
            positions[shard] = records[-1]["dynamodb"]["SequenceNumber"]
            skipped += len(records)
    save_checkpoint(positions)
    return skipped


def record_batches(stream_arn: str, shard: str, after: str | None, limit: int = 250):
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
