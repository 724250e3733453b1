"""Database sessions whose idle expiry is renewed at most once a minute, read from the shared cache where there is one.

The session lasts ``SESSION_COOKIE_AGE`` from the last activity (``SESSION_SAVE_EVERY_REQUEST``). Django's
database store then writes the session row on every page view and htmx call; this store skips the write when
nothing in the session changed and the stored expiry is less than a minute older than a fresh one would be
(``SESSION_ENGINE = "hromada.accounts.sessions"``).

Every page began with the session's row. Where the cache is shared by every worker (Redis in production), the row's
data and expiry are kept there too, for a minute at most: the database stays the record (every write goes to it
first), the cache spares the read. What could bring back a session that ended is closed or bounded:
- a session deleted (sign-out, a new key at sign-in) leaves a mark under a key of its own, written before the row is
  deleted and read with the entry; a later write of the entry (a renewal racing the sign-out) cannot cover it;
- whatever skips the mark (a host still on the previous release during a rolling upgrade, a failed cache write)
  is bounded by the minute an entry lives; an entry also ends with the session's own expiry;
- a restored backup (which holds no sessions) voids every kept session with the other cached answers
  (``core.caching.forget_every_versioned``): each entry carries the version it was written under.
A per-process cache (local memory) is not used: a sign-out in one worker would not reach the others.

The sign-in backend is ``accounts.backends.UserBackend``; a session row still names Django's ``ModelBackend``, as it
did before that backend existed, so a host on the previous release reads it during a rolling upgrade (operations
§7): it is read as ours and written as Django's.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from hromada.core.caching import Versioned, shared_cache

RENEW_AFTER = timedelta(minutes=1)
KEPT_SECONDS = 60             # an entry's longest life in the cache
ENDED_SECONDS = 10 * 60       # a mark's: longer than any entry added by a read that raced the sign-out
# Only the version is used (entries are written by this store); a new version voids every kept session.
_KEPT: Versioned[Any] = Versioned("accounts:sessions-version", 0)
STORED_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "hromada.accounts.backends.UserBackend"


def _entry_key(session_key: str) -> str:
    return f"session:{session_key}"


def _ended_key(session_key: str) -> str:
    return f"session-ended:{session_key}"


def _kept_seconds(expiry: datetime) -> int:
    return max(1, min(KEPT_SECONDS, int((expiry - timezone.now()).total_seconds())))


def _as_read(data: dict[str, Any]) -> dict[str, Any]:
    if data.get(BACKEND_SESSION_KEY) == STORED_BACKEND:
        data[BACKEND_SESSION_KEY] = BACKEND
    return data


def _as_stored(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, BACKEND_SESSION_KEY: STORED_BACKEND} if data.get(BACKEND_SESSION_KEY) == BACKEND else data


class SessionStore(DatabaseSessionStore):
    stored_expiry: datetime | None = None
    _written: tuple[dict[str, Any], datetime] | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    def renewal_due(self) -> bool:
        if self.stored_expiry is None:
            return True
        return self.stored_expiry < timezone.now() + timedelta(seconds=self.get_expiry_age()) - RENEW_AFTER

    def load(self) -> dict[str, Any]:
        cache, key = shared_cache(), self.session_key
        if cache is None or not key:
            return _as_read(super().load())
        got = cache.get_many([_KEPT.version_key, _entry_key(key), _ended_key(key)])
        version = _KEPT.version_in(cache, got)
        if got.get(_ended_key(key)) == version:
            self._session_key = None
            return {}
        kept = got.get(_entry_key(key))
        if kept is not None and kept[0] == version and kept[2] > timezone.now():
            self.stored_expiry = kept[2]
            return _as_read(dict(kept[1]))
        data = _as_read(super().load())
        if self.stored_expiry is not None:   # the row was there: kept, unless a write came first
            cache.add(_entry_key(key), (version, data, self.stored_expiry), _kept_seconds(self.stored_expiry))
        return data

    def create_model_instance(self, data: dict[str, Any]):
        row = super().create_model_instance(_as_stored(data))
        self._written = (data, row.expire_date)
        return row

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self.renewal_due():
            super().save(must_create=must_create)
            cache = shared_cache()
            if self._written is not None and cache is not None and self.session_key:
                data, expiry = self._written
                self.stored_expiry = expiry
                version = _KEPT.version_in(cache, {})
                cache.set(_entry_key(self.session_key), (version, data, expiry), _kept_seconds(expiry))

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        cache = shared_cache()
        if key and cache is not None:
            # Before the row goes: a read between the two finds the mark, not a row it could keep.
            version = _KEPT.version_in(cache, {})
            cache.set(_ended_key(key), version, ENDED_SECONDS)
            cache.delete(_entry_key(key))
        super().delete(session_key)
