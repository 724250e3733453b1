"""Database sessions whose idle expiry is renewed at most once a minute, read from the shared cache where there is one.

The session lasts ``SESSION_COOKIE_AGE`` from the last activity (``SESSION_SAVE_EVERY_REQUEST``). Django's
database store then writes the session row on every page view and htmx call; this store skips the write when
nothing in the session changed and the stored expiry is less than a minute older than a fresh one would be
(``SESSION_ENGINE = "hromada.accounts.sessions"``).

Every page began with the session's row. Where the cache is shared by every worker (Redis in production), the row's
data and expiry are kept there too, until that expiry: the database stays the record (every write goes to it first),
the cache spares the read. What could bring back a session that ended is closed:
- a session deleted (sign-out, a new key at sign-in) leaves a mark in its place for as long as it could have lasted,
  and a read that found the row just before the delete only *adds* to the cache — it never overwrites the mark;
- a restored backup (which holds no sessions) voids every kept session with the other cached answers
  (``core.caching.forget_every_versioned``): each entry carries the version it was written under.
A per-process cache (local memory) is not used: a sign-out in one worker would not reach the others.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import BaseCache
from django.utils import timezone

from hromada.core.caching import Versioned, shared_cache

RENEW_AFTER = timedelta(minutes=1)
ENDED = "ended"   # the mark of a deleted session
# Only the version is used (entries are written by this store); a new version voids every kept session.
_KEPT: Versioned[Any] = Versioned("accounts:sessions-version", 0)


def _cache_key(session_key: str) -> str:
    return f"session:{session_key}"


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - timezone.now()).total_seconds()))


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
            return super().load()
        got = cache.get_many([_KEPT.version_key, _cache_key(key)])
        version = _KEPT.version_in(cache, got)
        kept = got.get(_cache_key(key))
        if kept is not None and kept[0] == version:
            if kept[1] == ENDED:
                self._session_key = None
                return {}
            data, expiry = kept[1], kept[2]
            if expiry > timezone.now():
                self.stored_expiry = expiry
                return dict(data)
        data = super().load()
        if self.stored_expiry is not None:   # the row was there: kept, unless a write or a delete came first
            cache.add(_cache_key(key), (version, data, self.stored_expiry), _seconds_until(self.stored_expiry))
        return data

    def create_model_instance(self, data: dict[str, Any]):
        row = super().create_model_instance(data)
        self._written = (data, row.expire_date)
        return row

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self.renewal_due():
            super().save(must_create=must_create)
            if self._written is not None:
                data, expiry = self._written
                self.stored_expiry = expiry
                self._keep(self.session_key, (data, expiry), _seconds_until(expiry))

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            self._keep(key, ENDED, settings.SESSION_COOKIE_AGE)

    @staticmethod
    def _keep(key: str | None, value: Any, seconds: int) -> None:
        cache: BaseCache | None = shared_cache()
        if cache is None or not key:
            return
        version = _KEPT.version_in(cache, cache.get_many([_KEPT.version_key]))
        entry = (version, value) if value == ENDED else (version, *value)
        cache.set(_cache_key(key), entry, seconds)
