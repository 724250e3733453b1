"""The sign-in backend: Django's model backend, whose user of a session comes with what every page reads of it.

Every signed-in page asks the access layer for the user's scope, which reads the office and its hromada; loaded
apart, that was a second statement on every request (the token lookup of the API already joins them). Where the
cache is shared by every worker, the user is kept there for a minute, as a token's user is
(``accounts.services.session_user``: whatever changes the user or the office forgets it when it commits).
A session row names Django's backend, which a host on the previous release reads (``accounts.sessions``).
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import session_user


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        def load() -> User | None:
            user = User.objects.select_related("office__hromada", "territory").filter(pk=user_id).first()
            return user if user is not None and self.user_can_authenticate(user) else None

        return session_user(user_id, load)   # only an active user is kept, and a deactivation forgets it
