"""The front office's home panel for messages that did not reach the resident (she must be phoned)."""
from __future__ import annotations

from django.template.loader import render_to_string

from hromada.accounts import access

from . import selectors


def failed_notifications_panel(request) -> str | None:
    user = request.user
    if not access.may(user, "application.intake"):
        return None
    return render_to_string("notifications/_home_failed.html",
                            {"n": selectors.failed_notifications_count(user)}, request=request)


PANELS = [failed_notifications_panel]
