"""The back office's home panel: the day's worklist (new, in review — mine and all —, due soon, overdue)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.applications.models import Status

from . import selectors


def back_worklist_panel(request) -> str | None:
    user = request.user
    if not access.may(user, "application.take"):
        return None
    counts = selectors.worklist(user)
    queue = reverse("back:queue")

    def link(**params) -> str:
        return f"{queue}?{urlencode(params)}"

    items = [
        (counts.new, _("Нові, ще не взяті в роботу"), link(status=selectors.NEW_FILTER), "ok"),
        (counts.mine, _("На розгляді у мене"), link(status=Status.IN_REVIEW, assigned_to="me"), ""),
        (counts.in_review, _("На розгляді (усі)"), link(status=Status.IN_REVIEW), ""),
        (counts.due_soon, _("Строк рішення спливає протягом 3 робочих днів"), link(due_soon=1), "warn"),
        (counts.overdue, _("Строк рішення минув"), link(overdue=1), "bad"),
    ]
    return render_to_string("backoffice/_home_worklist.html",
                            {"items": [{"n": n, "label": label, "url": url, "tone": tone if n else ""}
                                       for n, label, url, tone in items]}, request=request)


PANELS = [back_worklist_panel]
