"""Screens of the notifications domain: the public status page (no login, works without JavaScript) and the
front office's bits — the applicant's consent, the failed messages to make up for by phone."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts import access
from hromada.applications import checkcode
from hromada.audit.services import client_ip
from hromada.core.errors import Forbidden, HromadaError, NotFound

from . import selectors, services
from .models import Channel


@require_GET
def status_page(request):
    number = request.GET.get("number", "").strip()[:64]
    code = request.GET.get("code", "")
    ctx, status = {"number": number}, 200
    if number or code:
        try:
            ctx["result"] = services.check_status(number=number, code=code, ip=client_ip(request))
        except HromadaError as exc:     # NotFound (unknown number = wrong code) or RateLimited
            ctx["error"], status = exc.message, exc.status
    ctx["code_length"] = checkcode.LENGTH
    # The language switch returns here without the code (it is a secret; the page never echoes it).
    ctx["lang_next"] = reverse("notifications:status") + (f"?{urlencode({'number': number})}" if number else "")
    return render(request, "notifications/status.html", ctx, status=status)


@access.permission_required("application.intake")
@require_POST
def consent(request, application_id: int):
    """The consent form on the case card: one checkbox per channel; only changed answers are recorded."""
    person_id = selectors.applicant_id(request.user, application_id)
    current = selectors.consents_for(request.user, application_id)
    try:
        for channel in Channel.values:
            granted = request.POST.get(channel) == "on"
            row = current.get(channel)
            if row is None or row.granted != granted:
                services.record_consent(actor=request.user, person_id=person_id, channel=channel,
                                        granted=granted, request=request)
    except HromadaError as exc:
        if isinstance(exc, (NotFound, Forbidden)):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Згоду заявника на сповіщення записано."))
    return redirect(reverse("front:card", args=[application_id]) + "#notifications-h")


@access.permission_required("application.intake")
@require_GET
def failed_list(request):
    rows = list(selectors.failed_notifications(request.user)[:200])
    return render(request, "notifications/failed.html", {"rows": rows, "count": len(rows)})


@access.permission_required("application.intake")
@require_POST
def called(request, notification_id: int):
    try:
        services.mark_resident_called(actor=request.user, notification_id=notification_id, request=request)
    except HromadaError as exc:
        if isinstance(exc, (NotFound, Forbidden)):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Позначено: заявнику зателефонували."))
    return redirect("notifications:failed")
