"""AWS Lambda entry point of the archiver (same image as the web app, another command).

Fed by the audit-log table's stream with ReportBatchItemFailures: on an error the whole batch
is retried from its first record; objects already written are skipped by If-None-Match."""

from __future__ import annotations

import logging

from audit.archive import archive_batch
from audit.archive_repository import ArchiveConfig, ArchiveStore

logger = logging.getLogger("solace.archiver")
_store: ArchiveStore | None = None


def handler(event, context):
    global _store
    if _store is None:
        _store = ArchiveStore(ArchiveConfig.from_env())
    records = event.get("Records") or []
    if not records:
        return {"batchItemFailures": []}
    try:
        result = archive_batch(_store, records)
    except Exception:
        logger.exception("archive batch failed")
        first = records[0]["dynamodb"]["SequenceNumber"]
        return {"batchItemFailures": [{"itemIdentifier": first}]}
    logger.info(
        "archived",
        extra={
            "written": len(result.written),
            "already_there": len(result.already_there),
            "ignored": result.ignored,
        },
    )
    return {"batchItemFailures": []}
