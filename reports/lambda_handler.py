"""AWS Lambda entry point of the rollup (same image as the web app, another function).

Fed by the encounters table's stream with ReportBatchItemFailures and bisection: on an error the
whole batch is retried from its first record. Applying a batch again changes nothing (every
visit is re-derived from its whole timeline), so a retry is always safe."""

from __future__ import annotations

import logging

from reports.services import rollup_apply

logger = logging.getLogger("solace.rollup")


def handler(event, context):
    records = event.get("Records") or []
    if not records:
        return {"batchItemFailures": []}
    try:
        result = rollup_apply(records)
    except Exception:
        logger.exception("rollup batch failed")
        first = records[0]["dynamodb"]["SequenceNumber"]
        return {"batchItemFailures": [{"itemIdentifier": first}]}
    logger.info(
        "rolled up",
        extra={"records": result.records, "visits": result.visits, "days": len(result.days)},
    )
    return {"batchItemFailures": []}
