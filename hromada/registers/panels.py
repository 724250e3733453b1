"""The "Перевірити в реєстрах" panel of a case, for the front office (through applications.slots) and the back
office (a template tag in its case page): each check's result with its date, overrides, the exchange log."""
from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from hromada.accounts import access

from . import adapters, selectors


def context(request, app, *, side: str) -> dict:
    user = request.user
    rows = selectors.verifications_for(user, app.pk)
    for row in rows:
        row.field_label = adapters.FIELD_LABELS.get(row.field, row.field)
    summary = selectors.summary(rows)
    acts = access.may(user, "application.intake") or access.may(user, "application.review")
    ctx = {"app": app, "rows": rows, "summary": summary, "side": side, "can_run": summary.configured and acts,
           "can_override": acts,
           "offer": selectors.offer_for_application(app.pk), "csrf_token": get_token(request), "request": request}
    if side == "back":
        ctx["exchanges"] = selectors.exchange_log_for(user, app.pk)
        if app.service.code in adapters.INCOME_SERVICES:
            ctx["prefill"] = selectors.income_prefill(user, app.pk)
            ctx["can_correct"] = access.may(user, "application.review")
    return ctx


def render_panel(request, app, *, side: str) -> str:
    return render_to_string("registers/_panel.html", context(request, app, side=side), request=request)


def front_panel(request, app) -> str:
    return render_panel(request, app, side="front")
