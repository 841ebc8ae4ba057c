"""Opaque pagination cursors: DynamoDB's LastEvaluatedKey, signed and bound to one query.

A cursor carries the scope it was minted for (say, one hospital's audit filter); presenting it
to another scope, or altering it, raises InvalidCursor, which Django answers with 400.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.exceptions import SuspiciousOperation

_SALT = "solace.cursor"


class InvalidCursor(SuspiciousOperation):
    """A tampered, expired or foreign cursor (Django turns SuspiciousOperation into a 400)."""


def encode(last_evaluated_key: dict[str, Any] | None, scope: str) -> str | None:
    if not last_evaluated_key:
        return None
    return signing.dumps({"k": last_evaluated_key, "s": scope}, salt=_SALT, compress=True)


def decode(cursor: str | None, scope: str, max_age_seconds: int = 24 * 3600) -> dict | None:
    if not cursor:
        return None
    try:
        payload = signing.loads(cursor, salt=_SALT, max_age=max_age_seconds)
    except signing.BadSignature as exc:
        raise InvalidCursor("bad cursor") from exc
    if not isinstance(payload, dict) or payload.get("s") != scope:
        raise InvalidCursor("cursor from another query")
    return payload["k"]
