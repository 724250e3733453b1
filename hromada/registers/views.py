"""Pages and actions of the registers: run the checks, accept a mismatch with a reason, correct an income, export
the exchange log, the proactive offers. Thin: parse, call one service or selector, redirect or render."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core import exports
from hromada.core.errors import Forbidden, HromadaError, NotFound

from . import selectors, services, xroad


def _back(request, fallback: str):
    target = request.POST.get("back") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _case_url(user, pk: int) -> str:
    return reverse("front:card", args=[pk]) if access.may(user, "application.intake") else reverse("back:case", args=[pk])


@access.permission_required("application.intake", "application.review")
@require_POST
def run(request, pk: int):
    try:
        rows = services.request_verifications(actor=request.user, application_id=pk, request=request)
    except (NotFound, Forbidden):
        raise    # the decorator answers 404 / 403
    except HromadaError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Перевірки в реєстрах запущено: %(n)s.") % {"n": len(rows)})
    return _back(request, _case_url(request.user, pk))


@access.permission_required("application.intake", "application.review")
@require_POST
def override(request, pk: int):
    try:
        row = services.override_mismatch(actor=request.user, verification_id=pk, reason=request.POST.get("reason", ""),
                                         request=request)
    except (NotFound, Forbidden):
        raise    # the decorator answers 404 / 403
    except HromadaError as exc:
        messages.error(request, exc.message)
        return _back(request, reverse("front:list"))
    messages.success(request, _("Підставу записано."))
    return _back(request, _case_url(request.user, row.application_id))


@access.permission_required("application.review")
@require_POST
def correct_income(request, pk: int):
    try:
        prefill = selectors.income_prefill(request.user, pk)
        services.correct_income(actor=request.user, application_id=pk, monthly_income=request.POST.get("monthly_income"),
                                reason=request.POST.get("reason", ""), register_value=prefill.register_monthly,
                                request=request)
    except (NotFound, Forbidden):
        raise    # the decorator answers 404 / 403
    except HromadaError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Дохід виправлено; калькулятор бере виправлене значення."))
    return redirect("back:case", pk=pk)


LOG_COLUMNS = (
    exports.Column("application", _("Заява")), exports.Column("register", _("Реєстр")),
    exports.Column("service", _("Сервіс")), exports.Column("request_id", _("Ідентифікатор запиту")),
    exports.Column("user_id", _("Користувач")), exports.Column("sent_at", _("Надіслано"), "datetime"),
    exports.Column("duration_ms", _("Тривалість, мс"), "int"), exports.Column("outcome", _("Результат")),
    exports.Column("http_status", _("HTTP-статус")), exports.Column("response_sha256", _("SHA-256 відповіді")),
    exports.Column("endpoint", _("Адреса")), exports.Column("simulator", _("Тестовий реєстр")),
    exports.Column("detail", _("Подробиці")),
)


def _log_row(e, number: str) -> list:
    return [number, e.register, e.service, e.request_id, e.user_id, e.sent_at, e.duration_ms, e.outcome,
            e.http_status or "", e.response_sha256, e.endpoint, e.via_simulator, e.detail]


@access.permission_required("application.view")
@require_GET
def log_csv(request, pk: int):
    """The case's exchanges with the registers, for an audit (the export itself is an audited read)."""
    app = selectors.case(request.user, pk)
    rows = selectors.exchange_log_for(request.user, pk)
    audited_read(actor=request.user, action="registers.log_export", objects=[app], request=request,
                 details={"rows": len(rows)}, limit=False)
    body = exports.csv_text(LOG_COLUMNS, (_log_row(e, app.number) for e in rows),
                            machine=exports.machine_wanted(request))
    return exports.file_response(body, fmt="csv", filename=f"trembita-{app.number}")


def _day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@access.permission_required("audit.view")
@require_GET
def log_page(request):
    """Auditors: choose the days and download the exchange log."""
    return render(request, "registers/log.html", {"today": timezone.localdate()})


@access.permission_required("audit.view")
@require_GET
def log_export(request):
    """The whole exchange log (or the days ?from=…&to=…) as CSV for an audit; the export is an audited read."""
    since, until = _day(request.GET.get("from")), _day(request.GET.get("to"))
    rows = selectors.exchange_log_all(request.user, since=since, until=until)
    audited_read(actor=request.user, action="registers.log_export", object_type="registers.exchangelog",
                 request=request, limit=False,
                 details={"from": since.isoformat() if since else "", "to": until.isoformat() if until else ""})
    lines = (_log_row(e, e.application.number if e.application_id else "") for e in rows.iterator(chunk_size=2000))
    return exports.csv_streaming_response(LOG_COLUMNS, lines, filename="trembita-log",
                                          machine=exports.machine_wanted(request))


@access.permission_required("application.intake")
@require_GET
def offers(request):
    rows = selectors.offers_for(request.user)
    audited_read(actor=request.user, action="registers.offers", objects=rows, request=request)
    return render(request, "registers/offers.html", {
        "offers": rows, "counts": selectors.offer_counts(request.user), "configured": services.configured(),
        "simulator": xroad.config().simulator or any(o.via_simulator for o in rows)})


@access.permission_required("monitoring.view")
@require_GET
def offer_figures(request):
    """Monitoring: how many proactive offers each hromada got and how many became applications."""
    rows = selectors.offer_figures(request.user)
    totals = {"total": sum(r["total"] for r in rows), "converted": sum(r["converted"] for r in rows)}
    return render(request, "registers/figures.html", {"rows": rows, "totals": totals})


@access.permission_required("application.intake")
@require_POST
def offers_poll(request):
    """Read the birth feed now (the scheduler does it every 5 minutes)."""
    if not services.configured():
        messages.error(request, services.RegistersNotConfigured.default_message)
    else:
        made = services.poll_births()
        messages.success(request, _("Нових пропозицій: %(n)s.") % {"n": made})
    return redirect("registers:offers")


@access.permission_required("application.intake")
@require_POST
def offer_start(request, pk: int):
    try:
        app = services.start_application_from_offer(actor=request.user, offer_id=pk, request=request)
    except (NotFound, Forbidden):
        raise    # the decorator answers 404 / 403
    except HromadaError as exc:
        messages.error(request, exc.message)
        return redirect("registers:offers")
    messages.success(request, _("Чернетку заяви %(n)s створено з проактивної пропозиції.") % {"n": app.number})
    return redirect("front:edit", pk=app.pk)
