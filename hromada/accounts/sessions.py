"""Database sessions whose idle expiry is renewed at most once a minute.

The session lasts ``SESSION_COOKIE_AGE`` from the last activity. Renewing it on every request (Django's
``SESSION_SAVE_EVERY_REQUEST``) writes the session row on every page view and htmx call; here a request
renews it only when the stored expiry is more than a minute older than a fresh one would be
(``SESSION_ENGINE = "hromada.accounts.sessions"`` with ``SessionRenewalMiddleware`` after Django's).
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


class SessionRenewalMiddleware:
    """Marks a used session for saving when its idle expiry is due for renewal (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (session is not None and session.accessed and not session.modified
                and getattr(session, "renewal_due", None) and not session.is_empty() and session.renewal_due()):
            session.modified = True
        return response
