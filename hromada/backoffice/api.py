"""Back-office API: actions on a case under /applications/{id}/… and the queue under /backoffice/….

Two sub-routers in one mounted router (prefix ""), because the queue is not under /applications.
Optimistic locking: an optional ``version`` field or an ``If-Match: "<version>"`` header.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from hromada.accounts import access
from hromada.applications.models import Application
from hromada.audit.services import record
from hromada.core.errors import NotFound

from . import selectors, services
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
def take(request, application_id: int, payload: VersionIn | None = None):
    return services.take_application(actor=request.user, application_id=application_id,
                                     expected_version=_version(request, payload.version if payload else None))


@cases.post("/{application_id}/assign", response=CaseOut, summary="Призначити виконавця (керівник)")
def assign(request, application_id: int, payload: AssignIn):
    return services.assign_application(actor=request.user, application_id=application_id, user_id=payload.user_id,
                                       expected_version=_version(request, payload.version))


@cases.post("/{application_id}/return", response=ReturnOut, summary="Повернути на доопрацювання")
def return_case(request, application_id: int, payload: ReturnIn):
    row = services.return_for_correction(actor=request.user, application_id=application_id, reason=payload.reason,
                                         items=payload.items, expected_version=_version(request, payload.version))
    return {"id": row.pk, "application": _case(application_id), "reason": row.reason, "items": row.items}


@cases.post("/{application_id}/decide", response=DecisionOut, summary="Прийняти рішення (призначити / відмовити)")
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
def decision_document(request, application_id: int):
    app = access.get_visible(request.user, Application, pk=application_id)
    decision = (Decision.objects.select_related("application__service", "application__front_office",
                                                "application__back_office", "decided_by")
                .filter(application=app).first())
    if decision is None:
        raise NotFound("Рішення за цією заявою ще не прийнято.", code="no_decision")
    record(actor=request.user, action="decision.download", obj=app, request=request)
    response = HttpResponse(decision_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rishennia-{app.pk}.pdf"'
    return response


class QueueQuery(Schema):
    service: str = ""
    hromada: int | None = None
    status: str = ""
    assigned_to: str = ""
    overdue: bool = False
    due_soon: bool = False
    page: int = 1


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
def queue(request, filters: Query[QueueQuery]):
    page = selectors.queue(request.user, selectors.QueueFilters(**filters.dict()))
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [{"id": a.pk, "number": a.number, "status": a.status, "service": a.service.code,
                         "hromada": a.hromada.name, "front_office": a.front_office.name,
                         "assigned_to_id": a.assigned_to_id, "due_date": a.due_date, "deadline": a.deadline_flag,
                         "version": a.version} for a in page.object_list]}


class WorkloadRow(Schema):
    user_id: int | None
    name: str
    open_cases: int
    overdue: int
    due_soon: int


@office.get("/workload", response=list[WorkloadRow], summary="Навантаження на фахівців")
def workload(request):
    return [{"user_id": w.user.pk if w.user else None, "name": w.user.display_name if w.user else "не призначено",
             "open_cases": w.open_cases, "overdue": w.overdue, "due_soon": w.due_soon}
            for w in selectors.workload(request.user)]


router.add_router("/applications", cases)
router.add_router("/backoffice", office)
