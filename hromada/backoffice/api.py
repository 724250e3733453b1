"""Back-office API: actions on a case under /applications/{id}/… and the queue under /backoffice/….

Two sub-routers in one mounted router (prefix ""), because the queue is not under /applications.
Optimistic locking: an optional ``version`` field or an ``If-Match: "<version>"`` header.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Body, Field, Query, Router, Schema

from hromada.accounts import access
from hromada.applications import selectors as application_selectors
from hromada.applications.models import Application
from hromada.audit.services import audited_read
from hromada.catalog import slots as catalog_slots
from hromada.catalog.models import ServiceCategory
from hromada.core.errors import Forbidden, NotFound, ValidationFailed
from hromada.core.schemas import Page

from . import calculators, selectors, services
from .models import Decision
from .pdf import decision_pdf

ROUTER_PREFIX = ""
router = Router()
cases = Router(tags=["Бек-офіс: рішення"])
office = Router(tags=["Бек-офіс: черга"])


def _version(request, body_version: int | None) -> int | None:
    if body_version is not None:
        return body_version
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', request.headers.get("If-Match", ""))
    return int(match.group(1)) if match else None


class CaseOut(Schema):
    id: int
    number: str
    status: str
    version: int
    assigned_to_id: int | None = None
    due_date: date | None = None


class VersionIn(Schema):
    version: int | None = None


class AssignIn(VersionIn):
    user_id: int


class ReturnIn(VersionIn):
    reason: str = Field(..., max_length=2000)
    items: list[str] = []


class ReturnOut(Schema):
    id: int
    application: CaseOut
    reason: str
    items: list[str]


class DecideIn(VersionIn):
    outcome: str
    amount: Decimal | None = None
    period_from: date | None = None
    period_to: date | None = None
    reason_code: str = ""
    comment: str = Field("", max_length=2000)
    calculator_inputs: dict | None = None


class DecisionOut(Schema):
    id: int
    outcome: str
    amount: Decimal | None
    period_from: date | None
    period_to: date | None
    reason_code: str
    calculation: dict
    application: CaseOut


def _case(pk: int) -> Application:
    return Application.objects.get(pk=pk)


@cases.post("/{application_id}/take", response=CaseOut, summary="Взяти заяву в роботу")
@access.api_permission("application.take")
def take(request, application_id: int, payload: VersionIn | None = None):
    return services.take_application(actor=request.user, application_id=application_id,
                                     expected_version=_version(request, payload.version if payload else None))


@cases.post("/{application_id}/assign", response=CaseOut, summary="Призначити виконавця (керівник)")
@access.api_permission("application.assign")
def assign(request, application_id: int, payload: AssignIn):
    return services.assign_application(actor=request.user, application_id=application_id, user_id=payload.user_id,
                                       expected_version=_version(request, payload.version))


@cases.post("/{application_id}/return", response=ReturnOut, summary="Повернути на доопрацювання")
@access.api_permission("application.review")
def return_case(request, application_id: int, payload: ReturnIn):
    row = services.return_for_correction(actor=request.user, application_id=application_id, reason=payload.reason,
                                         items=payload.items, expected_version=_version(request, payload.version))
    return {"id": row.pk, "application": _case(application_id), "reason": row.reason, "items": row.items}


@cases.post("/{application_id}/decide", response=DecisionOut, summary="Прийняти рішення (призначити / відмовити)")
@access.api_permission("application.review")
def decide(request, application_id: int, payload: DecideIn):
    decision = services.decide(
        actor=request.user, application_id=application_id, outcome=payload.outcome, amount=payload.amount,
        period_from=payload.period_from, period_to=payload.period_to, reason_code=payload.reason_code,
        comment=payload.comment, calculator_inputs=payload.calculator_inputs,
        expected_version=_version(request, payload.version))
    return {"id": decision.pk, "outcome": decision.outcome, "amount": decision.amount,
            "period_from": decision.period_from, "period_to": decision.period_to,
            "reason_code": decision.reason_code, "calculation": decision.calculation,
            "application": _case(application_id)}


@cases.get("/{application_id}/decision.pdf", summary="Рішення (PDF, аудитується)")
@access.api_permission("application.view")
def decision_document(request, application_id: int):
    app = access.get_visible(request.user, Application, pk=application_id)
    if app.service.category == ServiceCategory.SOCIAL_SERVICES and catalog_slots.social_decision_pdf.provided:
        # Decided by the social case opened from the application: its notice, as the front office prints it.
        body = catalog_slots.social_decision_pdf(request.user, app.pk)
    else:
        decision = (Decision.objects.select_related("application__service", "application__front_office",
                                                    "application__back_office", "decided_by")
                    .filter(application=app).first())
        body = decision_pdf(decision) if decision else None
    if body is None:
        raise NotFound(gettext("Рішення за цією заявою ще не прийнято."), code="no_decision")
    audited_read(actor=request.user, action="decision.download", objects=[app], request=request, limit=False)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rishennia-{app.pk}.pdf"'
    return response


class QueueQuery(Schema):
    service: str = ""
    hromada: int | None = None
    status: str = ""
    assigned_to: str = ""
    overdue: bool = False
    due_soon: bool = False
    page: Page = 1
    q: str = ""


class QueueRow(Schema):
    id: int
    number: str
    status: str
    service: str
    hromada: str
    front_office: str
    assigned_to_id: int | None
    due_date: date | None
    deadline: str
    version: int


class QueuePage(Schema):
    count: int
    page: int
    pages: int
    results: list[QueueRow]


@office.get("/queue", response=QueuePage, summary="Черга бек-офісу (фільтри, 50 на сторінку)")
@access.api_permission("application.take")
def queue(request, filters: Query[QueueQuery]):
    page = selectors.queue(request.user, selectors.QueueFilters(**filters.dict()))
    audited_read(actor=request.user, action="application.queue", objects=page.object_list, request=request,
                 object_type="applications.application", details={"page": page.number})
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [{"id": r.pk, "number": r.number, "status": r.status, "service": r.service_code,
                         "hromada": r.hromada_name, "front_office": r.front_office_name,
                         "assigned_to_id": r.assigned_to_id, "due_date": r.due_date, "deadline": r.deadline_flag,
                         "version": r.version} for r in page.object_list]}


class WorkloadRow(Schema):
    user_id: int | None
    name: str
    open_cases: int
    overdue: int
    due_soon: int


@office.get("/workload", response=list[WorkloadRow], summary="Навантаження на фахівців")
@access.api_permission("application.take")
def workload(request):
    return [{"user_id": w.user.pk if w.user else None, "name": w.user.display_name if w.user else "не призначено",
             "open_cases": w.open_cases, "overdue": w.overdue, "due_soon": w.due_soon}
            for w in selectors.workload(request.user)]


worklist_router = Router(tags=["Робочий список"])


@worklist_router.get("", response=dict[str, int], summary="Робочий список на сьогодні (лічильники)")
@access.api_permission("application.intake", "application.take", refusal=Forbidden(
    gettext("Робочий список є лише у фронт-офісу та бек-офісу."), code="no_worklist"))
def worklist(request):
    """The caller's counts. A front office: ``drafts``, ``returned``, ``results_to_issue``,
    ``documents_due_soon`` (missing documents due within 7 days), ``documents_overdue``, ``late_handover`` (paper
    not handed over within 3 working days). A back office: ``new``, ``in_review``, ``mine`` (in review by the
    caller), ``due_soon``, ``overdue``. Other roles: 403."""
    if access.may(request.user, "application.intake"):
        return application_selectors.front_worklist(request.user).as_dict()
    if access.may(request.user, "application.take"):
        return selectors.worklist(request.user).as_dict()
    raise Forbidden(gettext("Робочий список є лише у фронт-офісу та бек-офісу."), code="no_worklist")


calculators_router = Router(tags=["Калькулятори"])


class CalcLineOut(Schema):
    label: str
    value: str
    source: str


class CalculationOut(Schema):
    calculator: str
    total: Decimal
    currency: str = "UAH"
    monthly: Decimal | None
    period_from: date
    period_to: date
    lines: list[CalcLineOut]
    unconfirmed: list[str]
    legal_basis: str


INPUTS_BODY = Body(..., description="Входи калькулятора та, за потреби, on_date (YYYY-MM-DD)")


@calculators_router.post("/{calculator}", response=CalculationOut,
                         summary="Розрахунок за калькулятором (бек-офіс; кожен рядок зі своїм джерелом)")
@access.api_permission("application.review")
def calculate(request, calculator: str, payload: dict[str, Any] = INPUTS_BODY):
    """The calculator's inputs (e.g. ``birth_assistance``: ``{birth_date, children}``) and optionally ``on_date``
    (the date whose figures apply; today by default). Nothing is stored. Unconfirmed figures are computed and
    listed in ``unconfirmed`` (a decision refuses them); a figure missing for the date → 422
    ``legal_figure_missing``."""
    inputs = dict(payload)
    raw_date = inputs.pop("on_date", None)
    try:
        on_date = date.fromisoformat(str(raw_date)) if raw_date else timezone.localdate()
    except ValueError:
        raise ValidationFailed(gettext("Некоректна дата."), code="invalid_date", details={"field": "on_date"}) from None
    result = calculators.calculate(calculator, inputs, on_date)
    return {"calculator": result.calculator, "total": result.total, "monthly": result.monthly,
            "period_from": result.period_from, "period_to": result.period_to,
            "lines": [line.as_json() for line in result.lines], "unconfirmed": result.unconfirmed,
            "legal_basis": result.legal_basis}


router.add_router("/calculators", calculators_router)
router.add_router("/worklist", worklist_router)
router.add_router("/applications", cases)
router.add_router("/backoffice", office)
