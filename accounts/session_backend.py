"""Django SESSION_ENGINE backed by the DynamoDB sessions table.

The item's TTL attribute `expires_at` is the session's life. Every read checks it, because
DynamoDB deletes expired items only eventually; there is no cleanup job.

A session without a signed-in staff member lives until min(last activity + idle timeout,
created + absolute lifetime). A staff session lives until created + absolute lifetime, and its
`idle_deadline` (last activity + idle timeout) LOCKS it: past that deadline the screen shows a
de-identified locked view until the same person re-enters the password (`unlock`), instead of
turning into a blank sign-in page. `touch()` moves the idle deadline on real interaction.
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
        return self._loaded(item)

    def _loaded(self, item: dict[str, Any] | None) -> dict[str, Any]:
        if item is None:
            self._session_key = None
            self._item = None
            return {}
        self._item = item
        return self.decode(item["data"])

    def prime(self, item: dict[str, Any] | None) -> None:
        """Use a session item the caller read already (in one BatchGetItem with its own items,
        `repository.session_live` applied), so the session is not read a second time."""
        self._session_cache = self._loaded(item)
        self.accessed = True

    @property
    def locked(self) -> bool:
        """A staff session past its idle deadline: only the locked view and unlock are open."""
        self._get_session()
        deadline = (self._item or {}).get("idle_deadline")
        return deadline is not None and deadline <= now_epoch()

    @property
    def idle_seconds_left(self) -> int | None:
        """Seconds until a staff session locks (None for other sessions)."""
        self._get_session()
        deadline = (self._item or {}).get("idle_deadline")
        return None if deadline is None else max(0, deadline - now_epoch())

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

    def _end_of_life(self, created_at: int) -> int:
        return created_at + settings.SOLACE_SESSION_ABSOLUTE_SECONDS

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
        if staff:
            item["expires_at"] = self._end_of_life(created_at)
            stored = (self._item or {}).get("idle_deadline") if not must_create else None
            # A locked session stays locked through a save; otherwise a save is activity.
            item["idle_deadline"] = (
                stored if stored is not None and stored <= now else self._expiry(created_at, now)
            )
        if not repository.session_put(item, must_be_new=must_create):
            raise CreateError if must_create else UpdateError
        self._item = item
        return None

    def touch(self) -> None:
        """Extend the idle deadline after real interaction (never for passive polls, never for
        a locked session: only unlocking opens it again)."""
        if self._item is None or self.modified:
            return  # nothing stored yet, or the response's save moves the deadline anyway
        now = now_epoch()
        if now - self._item["touched_at"] < TOUCH_EVERY_SECONDS or self.locked:
            return
        deadline = "idle_deadline" if "idle_deadline" in self._item else "expires_at"
        value = self._expiry(self._item["created_at"], now)
        if repository.session_touch(self._item["session_key"], deadline, value, now):
            self._item = {**self._item, deadline: value, "touched_at": now}

    def unlock(self) -> bool:
        """Open a locked staff session again (after the password was checked)."""
        if self._item is None:
            return False
        now = now_epoch()
        deadline = self._expiry(self._item["created_at"], now)
        if not repository.session_unlock(self._item["session_key"], deadline, now):
            return False
        self._item = {**self._item, "idle_deadline": deadline, "touched_at": now}
        return True

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
