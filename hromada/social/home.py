"""The social-work specialist's home panel: the day's worklist (counts and links)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from hromada.accounts import access

from . import selectors


def social_worklist_panel(request) -> str | None:
    user = request.user
    if not access.may(user, "socialcase.change"):
        return None
    counts = selectors.worklist(user)
    base = reverse("social:list")
    items = [
        (counts["new"], _("Нові заяви — призначте фахівця й почніть оцінювання"),
         f"{base}?{urlencode({'status': 'registered'})}", "warn"),
        (counts["overdue"], _("Строк оцінювання потреб минув"), f"{base}?overdue=1", "bad"),
        (counts["assessment"], _("Оцінювання потреб триває"), f"{base}?{urlencode({'status': 'assessment'})}", ""),
        (counts["to_decide"], _("Очікують рішення або індивідуального плану"), f"{base}?status=to_decide", "warn"),
        (counts["reassessment_due"], _("Настав строк повторного оцінювання"), f"{base}?status=in_service", "warn"),
        (counts["in_service"], _("Отримують послуги"), f"{base}?{urlencode({'status': 'in_service'})}", "ok"),
    ]
    return render_to_string("social/_home_worklist.html",
                            {"items": [{"n": n, "label": label, "url": url, "tone": tone if n else ""}
                                       for n, label, url, tone in items]}, request=request)


PANELS = [social_worklist_panel]
