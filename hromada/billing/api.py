"""Billing API: /api/v1/billing/… — periods (run, close, totals), acts, the national register, tariffs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from hromada.audit.services import record

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
def run_period(request, period: str):
    """Queues the computation (Celery; eager in the embedded setup). Poll ``GET /billing/runs/{run_id}``."""
    run = services.request_billing_run(actor=request.user, period=period)
    return Status(202, _run_out(selectors.run_status(request.user, run.run_id)))


@router.post("/periods/{period}/close", response=PeriodOut, summary="Закрити період (міністерство)")
def close_period(request, period: str):
    services.close_billing_period(actor=request.user, period=period, request=request)
    return selectors.period_summary(request.user, period)


@router.get("/periods/{period}", response=PeriodOut, summary="Стан і підсумки періоду")
def get_period(request, period: str):
    return selectors.period_summary(request.user, period)


@router.get("/periods/{period}/acts", response=list[ActRowOut], summary="Акти громад періоду")
def list_acts(request, period: str):
    return selectors.act_rows(request.user, period)


@router.get("/periods/{period}/acts/{hromada_code}.pdf", summary="Акт громади (PDF)")
def act_pdf(request, period: str, hromada_code: str):
    act = selectors.act(request.user, period, hromada_code)
    pdf = documents.act_pdf(act)
    record(actor=request.user, action="billing.act_download", object_type="billing.billingperiod",
           object_id=act.period.key, hromada_id=act.hromada.pk, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="act-{act.period.key}-{act.hromada.code}.pdf"'
    return response


def _register(request, period: str, fmt: str):
    rows = selectors.act_rows(request.user, period)
    key = selectors.parse_period_key(period)
    record(actor=request.user, action="billing.register_export", object_type="billing.billingperiod",
           object_id=key, request=request, details={"format": fmt, "rows": len(rows)})
    return key, rows


@router.get("/periods/{period}/register.xlsx", summary="Реєстр оплати (XLSX)")
def register_xlsx(request, period: str):
    key, rows = _register(request, period, "xlsx")
    response = HttpResponse(documents.register_xlsx(key, rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="register-{key}.xlsx"'
    return response


@router.get("/periods/{period}/register.csv", summary="Реєстр оплати (CSV)")
def register_csv(request, period: str):
    key, rows = _register(request, period, "csv")
    response = HttpResponse(documents.register_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{key}.csv"'
    return response


@router.get("/runs/{run_id}", response=RunOut, summary="Хід розрахунку")
def get_run(request, run_id: str):
    return _run_out(selectors.run_status(request.user, run_id))


@router.get("/tariffs", response=list[TariffOut], summary="Тарифи (з історією)")
def list_tariffs(request):
    return [{"id": t.id, "service_code": t.service.code if t.service else None, "amount": t.amount,
             "effective_from": t.effective_from, "effective_to": t.effective_to, "basis": t.basis}
            for t in selectors.tariffs(request.user)]


@router.post("/tariffs", response={201: TariffOut}, summary="Встановити тариф (міністерство)")
def set_tariff(request, payload: TariffIn):
    t = services.set_tariff(actor=request.user, amount=payload.amount, effective_from=payload.effective_from,
                            basis=payload.basis, service_code=payload.service_code, request=request)
    return Status(201, {"id": t.id, "service_code": payload.service_code or None, "amount": t.amount,
                        "effective_from": t.effective_from, "effective_to": t.effective_to, "basis": t.basis})


class ExclusionIn(Schema):
    application_number: str
    reason: str


class ExclusionOut(Schema):
    application_number: str
    reason: str
    created_at: datetime


@router.post("/exclusions", response={201: ExclusionOut}, summary="Виключити заяву з оплати (міністерство)")
def exclude(request, payload: ExclusionIn):
    """E.g. a duplicate found on audit. If its month is closed, the next open period's run books the negative
    adjustment (errors: ``already_excluded``, ``not_found``)."""
    exclusion = services.exclude_application_by_number(actor=request.user, number=payload.application_number,
                                                       reason=payload.reason, request=request)
    return Status(201, {"application_number": payload.application_number, "reason": exclusion.reason,
                        "created_at": exclusion.created_at})


class BudgetOut(Schema):
    year: int
    allocated: Decimal | None
    committed: Decimal
    in_progress: Decimal
    remaining: Decimal | None
    forecast: Decimal | None
    warnings: list[str]


@router.get("/budget/{year}", response=BudgetOut, summary="Бюджет року: передбачено, зобов’язання, прогноз")
def get_budget(request, year: int):
    status = selectors.budget(request.user, year)
    return {**status, "warnings": [code for code, _message in status["warnings"]]}
