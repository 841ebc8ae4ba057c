"""Django SESSION_ENGINE backed by the DynamoDB sessions table.

The item's TTL attribute `expires_at` is the session's life: min(last activity + idle timeout,
created + absolute lifetime). Every read checks it, because DynamoDB deletes expired items only
eventually; there is no cleanup job. `touch()` moves the idle deadline on real interaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS,
    CreateError,
    SessionBase,
    UpdateError,
)
from django.utils.crypto import get_random_string

from accounts import repository
from solace.clock import now_epoch

# Moving the idle deadline costs a write; doing it at most once a minute is precise enough.
TOUCH_EVERY_SECONDS = 60
STAFF_SESSION_KEY = "staff"


class SessionStore(SessionBase):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._item: dict[str, Any] | None = None

    # Keys are 32 random characters; a collision is caught by the conditional create instead of
    # an extra read per new session.
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def load(self) -> dict[str, Any]:
        item = repository.session_get(self.session_key) if self.session_key else None
        if item is None:
            self._session_key = None
            self._item = None
            return {}
        self._item = item
        return self.decode(item["data"])

    def exists(self, session_key: str) -> bool:
        return repository.session_get(session_key) is not None

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def _expiry(self, created_at: int, now: int) -> int:
        return min(
            now + settings.SOLACE_SESSION_IDLE_SECONDS,
            created_at + settings.SOLACE_SESSION_ABSOLUTE_SECONDS,
        )

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        now = now_epoch()
        created_at = now if must_create or self._item is None else self._item["created_at"]
        staff = data.get(STAFF_SESSION_KEY) or {}
        item = {
            "session_key": self._get_or_create_session_key(),
            "data": self.encode(data),
            "created_at": created_at,
            "touched_at": now,
            "expires_at": self._expiry(created_at, now),
            "staff_id": staff.get("staff_id"),
        }
        if not repository.session_put(item, must_be_new=must_create):
            raise CreateError if must_create else UpdateError
        self._item = item
        return None

    def touch(self) -> None:
        """Extend the idle deadline after real interaction (never for passive polls)."""
        if self._item is None or self.modified:
            return  # nothing stored yet, or the response's save moves the deadline anyway
        now = now_epoch()
        if now - self._item["touched_at"] < TOUCH_EVERY_SECONDS:
            return
        expires_at = self._expiry(self._item["created_at"], now)
        repository.session_touch(self._item["session_key"], expires_at, now)
        self._item = {**self._item, "expires_at": expires_at, "touched_at": now}

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        if key is None:
            return
        repository.session_delete(key)
        if key == self.session_key:
            self._item = None

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to do: the table's TTL deletes expired sessions."""
