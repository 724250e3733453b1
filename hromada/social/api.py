"""REST API for social services: /api/v1/social-services (catalogue), /api/v1/providers (register) and
/api/v1/social-cases (the contract of issue #22). A case outside the user's scope — another hromada, or a client of
another provider — is 404; every read of a case is audited."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.api import BearerAuth, SessionAuthActive

from . import rules, selectors, services
from .models import SocialCase
from .workflow import EVENT_LABELS, allowed_actions

ROUTER_PREFIX = ""


VIEW, INTAKE, CHANGE, DELIVER = selectors.VIEW, "socialcase.intake", "socialcase.change", "socialcase.deliver"
# The action of each operation on one case, by the path's last segment (the same as its ``api_permission``).
_CASE_ACTIONS = {"assessment": CHANGE, "decision": CHANGE, "plan": CHANGE, "close": CHANGE, "deliveries": DELIVER}


class _CaseScope:
    """Authenticate as the project does; a case id in the path outside the user's scope is 404 before the body
    is parsed (no 422 tells that it exists). The role comes first, as everywhere: a role that may never do the
    operation is left to ``access.api_permission`` (403) without the case being looked up."""

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is not None:
            match = getattr(request, "resolver_match", None)
            case_id = match.kwargs.get("case_id") if match is not None else None
            action = _CASE_ACTIONS.get(request.path.rstrip("/").rsplit("/", 1)[-1], VIEW)
            if case_id is not None and access.may(user, action):
                access.get_visible(user, SocialCase, pk=case_id)
        return user


class SocialBearerAuth(_CaseScope, BearerAuth):
    pass


class SocialSessionAuth(_CaseScope, SessionAuthActive):
    pass


router = Router(tags=["social-services"], auth=[SocialBearerAuth(), SocialSessionAuth()])


# ---- catalogue and providers --------------------------------------------------------------------------------

class SocialTermOut(Schema):
    days: int
    kind: str
    source: str
    confirmed: bool


class SocialServiceOut(Schema):
    code: str
    name: str
    legal_basis: str
    recipients: list[str]
    basic: bool
    unit: str


class SocialCatalogOut(Schema):
    version: str
    source: str
    note: str
    terms: dict[str, SocialTermOut]
    payment_rule: dict
    services: list[SocialServiceOut]


class SocialOfferOut(Schema):
    code: str
    name: str
    capacity: int
    active: int
    waiting: int


class SocialProviderOut(Schema):
    id: int
    name: str
    kind: str
    edrpou: str
    hromada: str
    address: str
    phone: str
    is_active: bool
    services: list[SocialOfferOut]


@router.get("/social-services", response=SocialCatalogOut, summary="Каталог соціальних послуг (дані з джерелами)")
def catalog(request):
    data = rules.rules()
    groups = rules.recipient_groups()
    return {
        "version": data["version"], "source": data["source"], "note": data["note"],
        "terms": {k: rules.term(k).__dict__ for k in ("assessment", "assessment_crisis", "decision")},
        "payment_rule": data["payment"],
        "services": [{"code": s.code, "name": s.name, "legal_basis": s.legal_basis,
                      "recipients": [groups.get(r, r) for r in s.recipients], "basic": s.basic, "unit": s.unit}
                     for s in rules.services().values()],
    }


@router.get("/providers", response=list[SocialProviderOut], summary="Реєстр надавачів соціальних послуг громади")
@access.api_permission("socialprovider.view")
def providers(request, service: str = ""):
    qs = selectors.providers_for(request.user)
    if service:
        qs = qs.filter(offers__service_code=service).distinct()
    rows = list(qs)
    loads = selectors.provider_loads(rows)
    return [{"id": p.pk, "name": p.name, "kind": p.kind, "edrpou": p.edrpou, "hromada": str(p.hromada),
             "address": p.address, "phone": p.phone, "is_active": p.is_active, "services": loads[p.pk]}
            for p in rows]


# ---- cases -----------------------------------------------------------------------------------------------------

class SocialCaseIn(Schema):
    person_id: int
    service_codes: list[str]
    urgency: Literal["normal", "crisis"]
    summary: str = ""
    applied_on: date | None = None
    documents: list[str] = Field(default_factory=list, description="коди поданих документів (каталог)")


class SocialCaseCreatedOut(Schema):
    id: int
    number: str
    status: str
    assessment_due: date


class SocialSectionIn(Schema):
    score: int = Field(description="0..3 (шкала в каталозі)")
    note: str = ""


class SocialAssessmentIn(Schema):
    sections: dict[str, SocialSectionIn]
    conclusion: str
    recommended: list[str] = Field(default_factory=list, description="коди послуг; порожньо — потреби не виявлено")
    free_conditions: list[str] = Field(default_factory=list)
    home_visit_on: date | None = None
    home_visit_note: str = ""
    completed_on: date | None = None
    expected_version: int | None = None


class SocialServiceChoiceIn(Schema):
    code: str
    provider_id: int


class SocialDecisionIn(Schema):
    outcome: Literal["provide", "refuse"]
    services: list[SocialServiceChoiceIn] = Field(default_factory=list)
    reason: str
    decided_on: date | None = None
    expected_version: int | None = None


class SocialPlanItemIn(Schema):
    code: str
    frequency: str
    goal: str = ""
    contract_number: str = ""
    contract_on: date | None = None


class SocialPlanIn(Schema):
    goals: str
    items: list[SocialPlanItemIn]
    consent_on: date | None = None
    approved_on: date | None = None
    expected_version: int | None = None


class SocialDeliveryIn(Schema):
    service_code: str
    delivered_on: date | None = None
    minutes: int = 0
    note: str = ""


class SocialCloseIn(Schema):
    outcome: str
    note: str = ""
    expected_version: int | None = None


class SocialCodeLabel(Schema):
    code: str
    label: str


class SocialAssessmentOut(Schema):
    id: int
    is_reassessment: bool
    due_date: date
    completed_on: date
    on_time: bool
    home_visit_on: date | None
    sections: dict
    total_score: int
    needs_identified: bool
    conclusion: str
    recommended: list[str]


class SocialDecisionOut(Schema):
    outcome: str
    reason: str
    decided_on: date
    on_time: bool
    payment: str


class SocialCaseServiceOut(Schema):
    code: str
    name: str
    provider_id: int
    provider: str
    state: str
    frequency: str
    goal: str
    contract_number: str
    deliveries: int


class SocialPlanOut(Schema):
    approved_on: date
    goals: str
    next_reassessment_due: date


class SocialEventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    at: datetime


class SocialCaseOut(Schema):
    id: int
    number: str
    status: SocialCodeLabel
    urgency: str
    person_id: int
    person: str
    hromada: str
    office: str | None
    applied_on: date
    assessment_due: date
    decision_due: date
    requested: list[str]
    assessments: list[SocialAssessmentOut]
    decision: SocialDecisionOut | None
    services: list[SocialCaseServiceOut]
    plan: SocialPlanOut | None
    outcome: str
    version: int
    allowed_actions: list[str]
    events: list[SocialEventOut]


def _case(c: SocialCase, user) -> dict:
    decision, plan = getattr(c, "decision", None), getattr(c, "plan", None)
    names = rules.service_names()
    return {
        "id": c.pk, "number": c.number, "status": {"code": c.status, "label": str(selectors.STATUS_LABELS[c.status])},
        "urgency": c.urgency, "person_id": c.person_id, "person": c.person.full_name, "hromada": str(c.hromada),
        "office": str(c.office) if c.office_id else None, "applied_on": c.applied_on,
        "assessment_due": c.assessment_due, "decision_due": c.decision_due,
        "requested": [r.code for r in c.requested.all()],
        "assessments": [{"id": a.pk, "is_reassessment": a.is_reassessment, "due_date": a.due_date,
                         "completed_on": a.completed_on, "on_time": a.on_time, "home_visit_on": a.home_visit_on,
                         "sections": a.sections, "total_score": a.total_score,
                         "needs_identified": a.needs_identified, "conclusion": a.conclusion,
                         "recommended": a.recommended} for a in c.assessments.all()],
        "decision": None if decision is None else {
            "outcome": "provide" if decision.provide else "refuse", "reason": decision.reason,
            "decided_on": decision.decided_on, "on_time": decision.on_time, "payment": decision.payment},
        "services": [{"code": s.code, "name": names.get(s.code, s.code), "provider_id": s.provider_id,
                      "provider": s.provider.name, "state": s.state, "frequency": s.frequency, "goal": s.goal,
                      "contract_number": s.contract_number, "deliveries": len(s.deliveries.all())}
                     for s in c.services.all()],
        "plan": None if plan is None else {"approved_on": plan.approved_on, "goals": plan.goals,
                                           "next_reassessment_due": plan.next_reassessment_due},
        "outcome": c.outcome, "version": c.version, "allowed_actions": allowed_actions(c, user),
        "events": [{"action": e.action, "label": str(EVENT_LABELS.get(e.action, e.action)), "from_status": e.from_status,
                    "to_status": e.to_status, "at": e.at} for e in c.events.all()],
    }


def _card(request, pk: int) -> dict:
    case = selectors.case_for(request.user, pk)
    audited_read(actor=request.user, action="socialcase.view", objects=[case], request=request, limit=False)
    return _case(case, request.user)


@router.post("/social-cases", response={201: SocialCaseCreatedOut}, summary="Заява про надання соціальних послуг")
@access.api_permission(INTAKE)
def create_case(request, payload: SocialCaseIn):
    case = services.register_social_case(
        actor=request.user, person_id=payload.person_id, service_codes=payload.service_codes,
        urgency=payload.urgency, summary=payload.summary, applied_on=payload.applied_on,
        documents=payload.documents, request=request)
    return Status(201, {"id": case.pk, "number": case.number, "status": case.status,
                        "assessment_due": case.assessment_due})


@router.get("/social-cases/{int:case_id}", response=SocialCaseOut, summary="Справа соціальних послуг (читання в журналі)")
@access.api_permission(VIEW)
def get_case(request, case_id: int):
    return _card(request, case_id)


@router.post("/social-cases/{int:case_id}/assessment", response=SocialCaseOut, summary="Результат оцінювання потреб")
@access.api_permission(CHANGE)
def assessment(request, case_id: int, payload: SocialAssessmentIn):
    services.complete_assessment(
        actor=request.user, case_id=case_id, expected_version=payload.expected_version, request=request,
        data=services.AssessmentInput(
            sections={k: services.SectionInput(v.score, v.note) for k, v in payload.sections.items()},
            conclusion=payload.conclusion, recommended=payload.recommended, free_conditions=payload.free_conditions,
            home_visit_on=payload.home_visit_on, home_visit_note=payload.home_visit_note,
            completed_on=payload.completed_on))
    return _card(request, case_id)


@router.post("/social-cases/{int:case_id}/decision", response=SocialCaseOut, summary="Рішення: надати чи відмовити")
@access.api_permission(CHANGE)
def decision(request, case_id: int, payload: SocialDecisionIn):
    services.decide(actor=request.user, case_id=case_id, outcome=payload.outcome,
                    services=[services.ServiceChoice(s.code, s.provider_id) for s in payload.services],
                    reason=payload.reason, decided_on=payload.decided_on, expected_version=payload.expected_version,
                    request=request)
    return _card(request, case_id)


@router.post("/social-cases/{int:case_id}/plan", response=SocialCaseOut, summary="Індивідуальний план")
@access.api_permission(CHANGE)
def plan(request, case_id: int, payload: SocialPlanIn):
    services.approve_plan(actor=request.user, case_id=case_id, goals=payload.goals,
                          items=[services.PlanItemInput(**i.model_dump()) for i in payload.items],
                          consent_on=payload.consent_on, approved_on=payload.approved_on,
                          expected_version=payload.expected_version, request=request)
    return _card(request, case_id)


@router.post("/social-cases/{int:case_id}/deliveries", response={201: SocialCaseOut}, summary="Зафіксувати надання")
@access.api_permission(DELIVER)
def deliveries(request, case_id: int, payload: SocialDeliveryIn):
    services.record_delivery(actor=request.user, case_id=case_id, service_code=payload.service_code,
                             delivered_on=payload.delivered_on, minutes=payload.minutes, note=payload.note,
                             request=request)
    return Status(201, _card(request, case_id))


@router.post("/social-cases/{int:case_id}/close", response=SocialCaseOut, summary="Закрити справу з результатом")
@access.api_permission(CHANGE)
def close(request, case_id: int, payload: SocialCloseIn):
    services.close_case(actor=request.user, case_id=case_id, outcome=payload.outcome, note=payload.note,
                        expected_version=payload.expected_version, request=request)
    return _card(request, case_id)
