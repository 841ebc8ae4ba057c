"""The audit archiver: DynamoDB Stream records of the audit-log table become JSONL objects in
S3, one per hospital and day per batch, keyed by the batch's first and last sequence numbers and
written with If-None-Match: *, so replaying a batch writes nothing new."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from boto3.dynamodb.types import TypeDeserializer

from audit import archive_bucket
from audit.archive_repository import ArchiveStore
from audit.repository import public_record

_deserializer = TypeDeserializer()
OBJECT_KEY = archive_bucket.ARCHIVE_PREFIX + "hospital={hospital}/date={date}/{first}-{last}.jsonl"


def day_prefix(hospital_id: str, day: str) -> str:
    return archive_bucket.ARCHIVE_PREFIX + f"hospital={hospital_id}/date={day}/"


@dataclass
class BatchResult:
    written: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    ignored: int = 0


def _sequence(record: dict) -> str:
    # Sequence numbers are decimal strings of varying length: pad so keys sort by them.
    return record["dynamodb"]["SequenceNumber"].rjust(40, "0")


def _entry(record: dict) -> dict | None:
    """The new audit entry of an INSERT; None for anything else. TTL deletions (REMOVE by the
    DynamoDB service) and any other change are not archived: entries are written once."""
    if record.get("eventName") != "INSERT":
        return None
    image = record["dynamodb"].get("NewImage")
    if not image:
        return None
    item = {k: _deserializer.deserialize(v) for k, v in image.items()}
    return public_record(item)


def archive_batch(store: ArchiveStore, records: list[dict]) -> BatchResult:
    result = BatchResult()
    if not records:
        return result
    first, last = _sequence(records[0]), _sequence(records[-1])
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        entry = _entry(record)
        if entry is None:
            result.ignored += 1
            continue
        groups[(entry["hospital_id"], entry["time"][:10])].append(entry)
    for (hospital_id, day), entries in groups.items():
        key = OBJECT_KEY.format(hospital=hospital_id, date=day, first=first, last=last)
        body = "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in entries)
        if store.put_new(key, body.encode()):
            result.written.append(key)
        else:
            result.already_there.append(key)
    return result


def drain_stream(store: ArchiveStore, table: str) -> BatchResult:
    """Archive every new record of the table's stream, remembering each shard's position."""
    total = BatchResult()
    stream_arn = store.stream_arn(table)
    checkpoint_name = f"{table}.json"
    positions = store.checkpoint(checkpoint_name)
    for shard in store.shards(stream_arn):
        for records in store.record_batches(stream_arn, shard, positions.get(shard)):
            result = archive_batch(store, records)
            total.written += result.written
            total.already_there += result.already_there
            total.ignored += result.ignored
            positions[shard] = records[-1]["dynamodb"]["SequenceNumber"]
            store.save_checkpoint(checkpoint_name, positions)
    return total


@dataclass
class PatientArchiveRead:
    entries: list[dict] = field(default_factory=list)
    # Days not read in full: archived (needs a restore) or over the budget of objects.
    unread_days: list[str] = field(default_factory=list)
    objects_read: int = 0


def patient_entries(
    store: ArchiveStore, hospital_id: str, patient_id: str, days: list[str], max_objects: int
) -> PatientArchiveRead:
    """One patient's entries in a hospital's archive for the given UTC days: one listing per
    day, then the day's objects where their storage class can be read without a restore, at
    most `max_objects` in all (the rest of the days are reported unread, never guessed)."""
    result = PatientArchiveRead()
    for day in days:
        objects = store.objects(day_prefix(hospital_id, day))
        day_complete = True
        for key, storage_class in objects:
            if storage_class not in archive_bucket.READABLE_STORAGE_CLASSES:
                day_complete = False
                continue
            if result.objects_read >= max_objects:
                day_complete = False
                break
            body = store.read_if_readable(key)
            result.objects_read += 1
            if body is None:
                day_complete = False
                continue
            for line in body.decode().splitlines():
                if line.strip():
                    entry = json.loads(line)
                    if entry.get("patient_id") == patient_id:
                        result.entries.append(entry)
        if not day_complete:
            result.unread_days.append(day)
    return result


@dataclass
class Verification:
    in_table: int
    in_archive: int
    missing: list[str]
    duplicated: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.duplicated


def verify_day(store: ArchiveStore, hospital_id: str, day: str, table_event_ids: list[str]):
    """Compare a day's entries in DynamoDB with the archive's objects for that day."""
    counts: dict[str, int] = defaultdict(int)
    for key in store.keys(day_prefix(hospital_id, day)):
        for line in store.read(key).decode().splitlines():
            if line.strip():
                counts[json.loads(line)["event_id"]] += 1
    return Verification(
        in_table=len(table_event_ids),
        in_archive=sum(counts.values()),
        missing=sorted(set(table_event_ids) - set(counts)),
        duplicated=sorted(e for e, n in counts.items() if n > 1),
    )
