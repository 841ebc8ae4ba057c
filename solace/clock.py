"""The app's clock: one place to read the time (tests move it with a fake `time`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_epoch() -> int:
    return int(time.time())


def now_utc() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds and a Z: sorts correctly as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def utc_now_iso() -> str:
    return iso(now_utc())


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
