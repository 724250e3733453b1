"""Database sessions whose idle expiry is renewed at most once a minute.

The session lasts ``SESSION_COOKIE_AGE`` from the last activity (``SESSION_SAVE_EVERY_REQUEST``). Django's
database store then writes the session row on every page view and htmx call; this store skips the write when
nothing in the session changed and the stored expiry is less than a minute older than a fresh one would be
(``SESSION_ENGINE = "hromada.accounts.sessions"``).
"""
from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

RENEW_AFTER = timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    stored_expiry = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    def renewal_due(self) -> bool:
        if self.stored_expiry is None:
            return True
        return self.stored_expiry < timezone.now() + timedelta(seconds=self.get_expiry_age()) - RENEW_AFTER

    def save(self, must_create=False):
        if must_create or self.modified or self.renewal_due():
            super().save(must_create=must_create)
