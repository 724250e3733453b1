"""The front office's home panel: the day's worklist (counts and links; the returned cases with their reasons)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from hromada.accounts import access

from . import selectors
from .models import Status

RETURNED_SHOWN = 5


def front_worklist_panel(request) -> str | None:
    user = request.user
    if not access.may(user, "application.intake"):
        return None
    counts = selectors.front_worklist(user)
    front = reverse("front:list")
    items = [
        (counts.results_to_issue, _("Результати до видачі заявникам"), reverse("front:results"), "ok"),
        (counts.returned, _("Повернуто бек-офісом на доопрацювання"), reverse("front:returned"), "warn"),
        (counts.drafts, _("Незавершені чернетки"), f"{front}?{urlencode({'status': Status.DRAFT})}", ""),
        (counts.documents_overdue, _("Строк донесення документів минув — зателефонуйте заявнику"),
         f"{front}?w=documents_overdue", "bad"),
        (counts.documents_due_soon, _("Строк донесення документів спливає протягом 7 днів"),
         f"{front}?w=documents_due_soon", "warn"),
        (counts.late_handover, _("Паперові заяви не передано протягом 3 робочих днів"),
         f"{front}?w=late_handover", "bad"),
    ]
    returned = []
    if counts.returned:
        qs = selectors.applications_for(user, status=Status.RETURNED)
        returned = [{"app": app, "ret": selectors.last_return_event(app)} for app in qs[:RETURNED_SHOWN]]
    return render_to_string("applications/_home_worklist.html",
                            {"items": [{"n": n, "label": label, "url": url, "tone": tone if n else ""}
                                       for n, label, url, tone in items],
                             "returned": returned}, request=request)


PANELS = [front_worklist_panel]
