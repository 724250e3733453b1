"""Billing API: /api/v1/billing/… — periods (run, close, totals), acts, the national register, tariffs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.errors import ValidationFailed
from hromada.core.exports import file_response, machine_wanted
from hromada.core.schemas import Page

from . import documents, selectors, services

ROUTER_PREFIX = "/billing"
router = Router(tags=["billing"])


class RunOut(Schema):
    period: str
    run_id: str
    status: str
    progress: int
    started_at: datetime | None
    finished_at: datetime | None
    error: str
    error_code: str
    events: int
    excluded: int
    adjustments: int


class PeriodOut(Schema):
    period: str
    status: str
    closed_at: datetime | None
    hromadas: int
    count: int
    amount: Decimal
    adjustment_count: int
    adjustments: Decimal
    total: Decimal
    last_run: dict | None


class ActRowOut(Schema):
    hromada_code: str
    hromada_name: str
    oblast: str
    raion: str
    count: int
    amount: Decimal
    adjustments: Decimal
    total: Decimal


class TariffIn(Schema):
    amount: str                      # a string: money is never a float
    effective_from: date
    basis: str
    service_code: str | None = None


class TariffOut(Schema):
    id: int
    service_code: str | None
    amount: Decimal
    effective_from: date
    effective_to: date | None
    basis: str


def _run_out(run) -> dict:
    return {"period": run.period.key, "run_id": str(run.run_id), "status": run.status, "progress": run.progress,
            "started_at": run.started_at, "finished_at": run.finished_at, "error": run.error,
            "error_code": run.error_code, "events": run.events, "excluded": run.excluded,
            "adjustments": run.adjustments}


@router.post("/periods/{period}/run", response={202: RunOut}, summary="Розрахувати період (міністерство)")
@access.api_permission("billing.run")
def run_period(request, period: str):
    """Queues the computation (Celery; eager in the embedded setup). Poll ``GET /billing/runs/{run_id}``."""
    run = services.request_billing_run(actor=request.user, period=period)
    return Status(202, _run_out(selectors.run_status(request.user, run.run_id)))


@router.post("/periods/{period}/close", response=PeriodOut, summary="Закрити період (міністерство)")
@access.api_permission("billing.run")
def close_period(request, period: str):
    services.close_billing_period(actor=request.user, period=period, request=request)
    return selectors.period_summary(request.user, period)


@router.get("/periods/{period}", response=PeriodOut, summary="Стан і підсумки періоду")
@access.api_permission("billing.view")
def get_period(request, period: str):
    return selectors.period_summary(request.user, period)


@router.get("/periods/{period}/acts", response=list[ActRowOut], summary="Акти громад періоду")
@access.api_permission("billing.view")
def list_acts(request, period: str):
    return selectors.act_rows(request.user, period)


@router.get("/periods/{period}/acts/{hromada_code}.pdf", summary="Акт громади (PDF)")
@access.api_permission("billing.view")
def act_pdf(request, period: str, hromada_code: str):
    act = selectors.act(request.user, period, hromada_code)
    pdf = documents.act_pdf(act)
    audited_read(actor=request.user, action="billing.act_download", object_type="billing.billingperiod",
                 object_id=act.period.key, hromada_id=act.hromada.pk, request=request, limit=False)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="act-{act.period.key}-{act.hromada.code}.pdf"'
    return response


def _register(request, period: str, fmt: str):
    rows = selectors.act_rows(request.user, period)
    key = selectors.parse_period_key(period)
    audited_read(actor=request.user, action="billing.register_export", object_type="billing.billingperiod",
                 object_id=key, request=request, details={"format": fmt, "rows": len(rows)}, limit=False)
    return key, rows


@router.get("/periods/{period}/register.xlsx", summary="Реєстр оплати (XLSX)")
@access.api_permission("billing.view")
def register_xlsx(request, period: str):
    key, rows = _register(request, period, "xlsx")
    return file_response(documents.register_xlsx(key, rows), fmt="xlsx", filename=f"register-{key}")


@router.get("/periods/{period}/register.csv", summary="Реєстр оплати (CSV)")
@access.api_permission("billing.view")
def register_csv(request, period: str):
    """Excel-ready for people (UTF-8 with BOM, ``;``, decimal comma, Ukrainian headers, oblast subtotals);
    ``?format=machine`` — plain UTF-8, ``,``, dot decimals, code headers, one row per hromada."""
    machine = machine_wanted(request)
    key, rows = _register(request, period, "csv-machine" if machine else "csv")
    return file_response(documents.register_csv(rows, machine=machine), fmt="csv", filename=f"register-{key}")


class ItemOut(Schema):
    application_number: str
    service_code: str
    event_date: date
    tariff: Decimal | None
    amount: Decimal
    state: str
    reason: str
    duplicate_of: str | None
    adjusts_period: str | None


ITEMS_PAGE = 100


def _items(request, period: str, code: str, state: str | None, service_code: str | None, number: str | None):
    if state and state not in selectors.ITEM_STATES:
        raise ValidationFailed(_("Стан: paid, excluded, duplicate або adjustment."), code="invalid_item_state",
                               details={"allowed": list(selectors.ITEM_STATES)})
    rows = selectors.hromada_items(request.user, period, code, state=state or "", service_code=service_code or "",
                                   number=number or "")
    return selectors.parse_period_key(period), rows


@router.get("/periods/{period}/hromadas/{code}/items", response=list[ItemOut],
            summary="Заяви рядка громади за період (посторінково)")
@access.api_permission("billing.view")
def list_items(request, period: str, code: str, response: HttpResponse, state: str | None = None,
               service_code: str | None = None, number: str | None = None, page: Page = 1):
    """Every application behind the hromada's line: ``paid``, ``excluded`` (``reason``), ``duplicate``
    (``duplicate_of``), ``adjustment`` (``adjusts_period``). 100 a page; the headers ``X-Total-Count``, ``X-Page``,
    ``X-Pages`` tell the rest. Outside the caller's scope: 404."""
    key, rows = _items(request, period, code, state, service_code, number)
    pages = max(1, -(-len(rows) // ITEMS_PAGE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * ITEMS_PAGE:page * ITEMS_PAGE]
    audited_read(actor=request.user, action="billing.items_view", object_type="billing.billingperiod",
                 object_id=key, request=request, details={"hromada": code, "rows": len(shown), "page": page},
                 limit=False)
    response["X-Total-Count"], response["X-Page"], response["X-Pages"] = str(len(rows)), str(page), str(pages)
    return shown


@router.get("/periods/{period}/hromadas/{code}/items.{fmt}", summary="Заяви рядка громади (CSV або XLSX)")
@access.api_permission("billing.view")
def export_items(request, period: str, code: str, fmt: str, state: str | None = None,
                 service_code: str | None = None, number: str | None = None):
    """``csv`` (Excel-ready; ``?format=machine`` — codes, «,», dots) or ``xlsx``; the same filters as the list."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(_("Формат експорту: csv або xlsx."), code="invalid_format")
    key, rows = _items(request, period, code, state, service_code, number)
    machine = fmt == "csv" and machine_wanted(request)
    audited_read(actor=request.user, action="billing.items_export", object_type="billing.billingperiod",
                 object_id=key, request=request, limit=False,
                 details={"hromada": code, "rows": len(rows), "format": "csv-machine" if machine else fmt})
    table = documents.items_table(rows, machine=machine)
    body = documents.items_csv(table, machine=machine) if fmt == "csv" else documents.items_xlsx(key, code, table)
    return file_response(body, fmt=fmt, filename=f"items-{key}-{code}")


@router.get("/runs/{run_id}", response=RunOut, summary="Хід розрахунку")
@access.api_permission("billing.run")
def get_run(request, run_id: str):
    return _run_out(selectors.run_status(request.user, run_id))


@router.get("/tariffs", response=list[TariffOut], summary="Тарифи (з історією)")
@access.api_permission("billing.view")
def list_tariffs(request):
    return [{"id": t.id, "service_code": t.service.code if t.service else None, "amount": t.amount,
             "effective_from": t.effective_from, "effective_to": t.effective_to, "basis": t.basis}
            for t in selectors.tariffs(request.user)]


@router.post("/tariffs", response={201: TariffOut}, summary="Встановити тариф (міністерство)")
@access.api_permission("billing.tariffs")
def set_tariff(request, payload: TariffIn):
    t = services.set_tariff(actor=request.user, amount=payload.amount, effective_from=payload.effective_from,
                            basis=payload.basis, service_code=payload.service_code, request=request)
    return Status(201, {"id": t.id, "service_code": payload.service_code or None, "amount": t.amount,
                        "effective_from": t.effective_from, "effective_to": t.effective_to, "basis": t.basis})


class ExclusionIn(Schema):
    application_number: str
    reason: str


class InclusionIn(Schema):
    reason: str


class ExclusionOut(Schema):
    application_number: str
    reason: str
    created_at: datetime


@router.post("/exclusions", response={201: ExclusionOut}, summary="Виключити заяву з оплати (міністерство)")
@access.api_permission("billing.run")
def exclude(request, payload: ExclusionIn):
    """E.g. a duplicate found on audit. If its month is closed, the next open period's run books the negative
    adjustment (errors: ``already_excluded``, ``not_found``)."""
    exclusion = services.exclude_application_by_number(actor=request.user, number=payload.application_number,
                                                       reason=payload.reason, request=request)
    return Status(201, {"application_number": payload.application_number, "reason": exclusion.reason,
                        "created_at": exclusion.created_at})


@router.post("/exclusions/{number}/include", response={204: None},
             summary="Повернути виключену заяву до оплати (міністерство)")
@access.api_permission("billing.run")
def include(request, number: str, payload: InclusionIn):
    """Undo an exclusion with the reason why; the rule decides again (errors: ``not_excluded``,
    ``inclusion_reason_required``)."""
    services.include_application_by_number(actor=request.user, number=number, reason=payload.reason,
                                           request=request)
    return Status(204, None)


class BudgetOut(Schema):
    year: int
    allocated: Decimal | None
    committed: Decimal
    in_progress: Decimal
    remaining: Decimal | None
    forecast: Decimal | None
    warnings: list[str]


@router.get("/budget/{year}", response=BudgetOut, summary="Бюджет року: передбачено, зобов’язання, прогноз")
@access.api_permission("billing.run")
def get_budget(request, year: int):
    status = selectors.budget(request.user, year)
    return {**status, "warnings": [code for code, _message in status["warnings"]]}
