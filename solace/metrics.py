"""Business metrics as CloudWatch embedded metric format (EMF) lines on stdout.

One call, one bare JSON object on its own line. In Lambda, CloudWatch Logs turns each such line
in the function's log group into a data point in the `Solace` namespace: no API call, no boto3,
no extra latency. Elsewhere (tests, `make run`) the line is just printed.

    from solace import metrics
    metrics.count(metrics.REGISTRATIONS, HospitalId=hospital.hospital_id)

Nothing but the metric, its value and the dimensions below is ever written: metric and dimension
names come from closed sets, dimension values must be short ids, so no patient data can get in.

Dimensions are low-cardinality on purpose (every distinct combination is a billed custom metric):
`Service` ("web" or "archiver") always, and optionally `HospitalId`: bounded by the hospitals an
admin creates (a handful per organization), not by patients or requests, and not patient data.
A line with `HospitalId` publishes both the all-hospitals series and the per-hospital one, so
5 metrics cost 5 x (1 + hospitals) custom metrics.

The lines are written straight to stdout, not through `logging`: the app's JSON formatter
(solace.logging) would wrap them in a request-log object and CloudWatch would not see EMF.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import threading
import time

from solace.env import env_bool

NAMESPACE = "Solace"

REGISTRATIONS = "Registrations"  # a new patient registered (first answer, not a replay)
DUPLICATE_REPLAYS = "DuplicateReplays"  # a repeated submission answered with the stored result
VERSION_CONFLICTS = "VersionConflicts"  # a clinician action refused: someone changed it first
QUEUE_RENDERS = "QueueRenders"  # the queue page or fragment rendered (and audited)
QUEUE_NOT_MODIFIED = "QueueNotModified"  # a queue poll answered 204: nothing changed
# a self-registration refused at a limit (per address, per hospital, wrong waiting-room codes)
REGISTRATIONS_LIMITED = "RegistrationsLimited"

METRICS = frozenset(
    {
        REGISTRATIONS,
        DUPLICATE_REPLAYS,
        VERSION_CONFLICTS,
        QUEUE_RENDERS,
        QUEUE_NOT_MODIFIED,
        REGISTRATIONS_LIMITED,
    }
)
OPTIONAL_DIMENSIONS = frozenset({"HospitalId"})
UNIT = "Count"

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def service() -> str:
    """The function writing the line: the archiver sets SOLACE_ARCHIVER (no Django settings)."""
    return "archiver" if env_bool("SOLACE_ARCHIVER", False) else "web"


def document(
    name: str, value: float = 1, dimensions: dict[str, str] | None = None, *, timestamp_ms: int
) -> dict:
    """The EMF object for one data point (pure: `count` adds the time and writes it)."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; use a constant of solace.metrics")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("a metric value is a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError("a count is finite and not negative")
    dimensions = dict(dimensions or {})
    unknown = set(dimensions) - OPTIONAL_DIMENSIONS
    if unknown:
        raise ValueError(f"unknown dimension(s) {sorted(unknown)}; allowed: HospitalId")
    for key, dimension_value in list(dimensions.items()):
        if not isinstance(dimension_value, str) or not _ID.fullmatch(dimension_value):
            # Not an id: keep counting (all-hospitals series), never write the odd value.
            logger.warning("metric dimension %s dropped: not an id", key)
            del dimensions[key]
    dimension_sets = [["Service"]]
    if dimensions:
        dimension_sets.append(["Service", *sorted(dimensions)])
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": dimension_sets,
                    "Metrics": [{"Name": name, "Unit": UNIT}],
                }
            ],
        },
        "Service": service(),
        **dimensions,
        name: value,
    }


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Count `value` occurrences of `name` (a constant above); dimensions: HospitalId=<id>.

    Raises for an unknown metric or dimension name (a programming error); never for a failed
    write: a metric must not fail the request that counts it.
    """
    line = json.dumps(
        document(name, value, dimensions, timestamp_ms=time.time_ns() // 1_000_000),
        separators=(",", ":"),
    )
    try:
        with _lock:
            stream = sys.stdout  # looked up per call: tests and servers may replace it
            stream.write(line + "\n")
            stream.flush()
    except (OSError, ValueError):  # closed or broken stdout
        pass
