"""REST API for child cases (/api/v1/child-cases). Other roles get 403 (``access.api_permission``), another
territory's case is 404; every read is audited; an anonymous reporter is never returned."""
from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status
from pydantic import Field

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.api import BearerAuth, SessionAuthActive
from hromada.core.schemas import Page

from . import rules, selectors, services
from .models import ChildCase
from .workflow import allowed_actions

ROUTER_PREFIX = "/child-cases"


class _ChildServiceOnly:
    """Authenticate as the project does; a case id in the path is checked against the user's scope here,
    before the body is parsed: another territory's case is 404 whatever the body (no 422 telling it exists).
    The role comes first (403), as everywhere."""

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is not None:
            selectors.ensure_child_service(user)
            match = getattr(request, "resolver_match", None)
            case_id = match.kwargs.get("case_id") if match is not None else None
            if case_id is not None:
                access.get_visible(user, ChildCase, pk=case_id)
        return user


class ChildBearerAuth(_ChildServiceOnly, BearerAuth):
    pass


class ChildSessionAuth(_ChildServiceOnly, SessionAuthActive):
    pass


router = Router(tags=["child-cases"], auth=[ChildBearerAuth(), ChildSessionAuth()])


# ---- input -------------------------------------------------------------------------------------------

class PersonIn(Schema):
    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: date
    sex: str = Field(description="M | F")
    rnokpp: str = ""
    phone: str = ""
    is_idp: bool = False


class RepresentativeIn(Schema):
    role: str = Field(description="код із /child-cases/reference: representative_roles")
    person: PersonIn


class ReporterIn(Schema):
    name: str = ""
    organisation: str = ""
    phone: str = ""
    details: str = ""


class CaseIn(Schema):
    child: PersonIn
    urgency: str
    reporter_type: str
    reporter: ReporterIn | None = Field(None, description="не зберігається для анонімного повідомлення")
    circumstances: list[str]
    summary: str = ""
    reported_on: date | None = None
    hromada_id: int | None = None
    representatives: list[RepresentativeIn] = []


class ChildVersionIn(Schema):
    expected_version: int | None = None


class StartAssessmentIn(ChildVersionIn):
    started_on: date | None = None


class AssessmentIn(Schema):
    needs: str
    findings: str
    completed_on: date | None = None


class DecisionIn(ChildVersionIn):
    in_difficult_circumstances: bool
    basis: str
    decided_on: date | None = None


class MeasureIn(Schema):
    description: str
    responsible_service: str
    due_date: date


class ChildPlanIn(ChildVersionIn):
    goal: str
    measures: list[MeasureIn]
    approved_on: date | None = None
    next_review_due: date | None = None


class MeasureDoneIn(Schema):
    done_on: date | None = None


class ReviewIn(ChildVersionIn):
    findings: str
    reviewed_on: date | None = None
    next_review_due: date | None = None


class ReferralIn(Schema):
    service_name: str
    purpose: str = ""
    sent_on: date | None = None


class FeedbackIn(Schema):
    feedback: str
    feedback_on: date | None = None


class CloseIn(ChildVersionIn):
    outcome: str
    note: str = ""


# ---- output ------------------------------------------------------------------------------------------

class CodeLabel(Schema):
    code: str
    label: str


class PersonOut(Schema):
    id: int
    full_name: str
    birth_date: date
    sex: str
    rnokpp_masked: str


class MemberOut(Schema):
    role: CodeLabel
    person: PersonOut


class ReporterOut(Schema):
    name: str
    organisation: str
    phone: str
    details: str


class AssessmentOut(Schema):
    started_on: date
    due_date: date
    completed_on: date | None
    on_time: bool | None
    needs: str
    findings: str


class ChildDecisionOut(Schema):
    in_difficult_circumstances: bool
    decided_on: date
    basis: str


class MeasureOut(Schema):
    id: int
    description: str
    responsible_service: str
    due_date: date
    done_on: date | None


class ChildPlanOut(Schema):
    approved_on: date
    goal: str
    next_review_due: date
    measures: list[MeasureOut]


class ReviewOut(Schema):
    id: int
    reviewed_on: date
    findings: str
    next_review_due: date | None


class ReferralOut(Schema):
    id: int
    service_name: str
    purpose: str
    sent_on: date
    feedback: str
    feedback_on: date | None


class ChildEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    at: datetime
    comment: str


class CaseBrief(Schema):
    id: int
    number: str
    status: CodeLabel
    urgency: CodeLabel
    child: str
    hromada: str
    reported_on: date
    assessment_due: date
    version: int


class ChildCaseOut(CaseBrief):
    hromada_id: int
    child_person: PersonOut
    reporter_type: CodeLabel
    reporter: ReporterOut | None
    circumstances: list[CodeLabel]
    summary: str
    representatives: list[MemberOut]
    assessment: AssessmentOut | None
    decision: ChildDecisionOut | None
    plan: ChildPlanOut | None
    reviews: list[ReviewOut]
    referrals: list[ReferralOut]
    outcome: CodeLabel | None
    outcome_note: str
    closed_at: datetime | None
    allowed_actions: list[str]
    events: list[ChildEventOut]


class CasePage(Schema):
    count: int
    page: int
    results: list[CaseBrief]


class ReferenceOut(Schema):
    urgency: list[CodeLabel]
    reporter_types: list[CodeLabel]
    circumstances: list[CodeLabel]
    representative_roles: list[CodeLabel]
    outcomes: list[CodeLabel]
    statuses: list[CodeLabel]


def _cl(code: str, labels: dict) -> dict:
    return {"code": code, "label": str(labels.get(code, code))}


def _person(p) -> dict:
    return {"id": p.pk, "full_name": p.full_name, "birth_date": p.birth_date, "sex": p.sex,
            "rnokpp_masked": p.masked_rnokpp}


def _brief(c: ChildCase) -> dict:
    return {"id": c.pk, "number": c.number, "status": _cl(c.status, selectors.STATUS_LABELS),
            "urgency": _cl(c.urgency, {k: u.name for k, u in rules.urgencies().items()}),
            "child": c.child.full_name, "hromada": str(c.hromada), "reported_on": c.reported_on,
            "assessment_due": c.assessment_due, "version": c.version}


def _optional(obj, name):
    return getattr(obj, name, None)


def _case(c: ChildCase, user) -> dict:
    reporter = selectors.reporter_of(c)
    assessment, decision, plan = _optional(c, "assessment"), _optional(c, "decision"), _optional(c, "plan")
    return {
        **_brief(c), "hromada_id": c.hromada_id, "child_person": _person(c.child),
        "reporter_type": _cl(c.reporter_type, rules.reporter_types()),
        "reporter": None if reporter is None else {"name": reporter.name, "organisation": reporter.organisation,
                                                   "phone": reporter.phone, "details": reporter.details},
        "circumstances": [_cl(x.code, rules.circumstances()) for x in c.circumstances.all()],
        "summary": c.summary,
        "representatives": [{"role": _cl(m.role, rules.representative_roles()), "person": _person(m.person)}
                            for m in c.members.all()],
        "assessment": None if assessment is None else {
            "started_on": assessment.started_on, "due_date": assessment.due_date,
            "completed_on": assessment.completed_on, "on_time": assessment.on_time, "needs": assessment.needs,
            "findings": assessment.findings},
        "decision": None if decision is None else {
            "in_difficult_circumstances": decision.in_difficult_circumstances, "decided_on": decision.decided_on,
            "basis": decision.basis},
        "plan": None if plan is None else {
            "approved_on": plan.approved_on, "goal": plan.goal, "next_review_due": plan.next_review_due,
            "measures": [{"id": m.pk, "description": m.description, "responsible_service": m.responsible_service,
                          "due_date": m.due_date, "done_on": m.done_on} for m in plan.measures.all()]},
        "reviews": [{"id": r.pk, "reviewed_on": r.reviewed_on, "findings": r.findings,
                     "next_review_due": r.next_review_due} for r in c.reviews.all()],
        "referrals": [{"id": r.pk, "service_name": r.service_name, "purpose": r.purpose, "sent_on": r.sent_on,
                       "feedback": r.feedback, "feedback_on": r.feedback_on} for r in c.referrals.all()],
        "outcome": _cl(c.outcome, rules.outcomes()) if c.outcome else None,
        "outcome_note": c.outcome_note, "closed_at": c.closed_at,
        "allowed_actions": allowed_actions(c, user),
        "events": [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                    "actor": e.actor.short_name if e.actor_id else "", "at": e.at, "comment": e.comment}
                   for e in c.events.all()],
    }


def _card(request, pk: int) -> dict:
    case = selectors.case_for(request.user, pk)
    audited_read(actor=request.user, action="childcase.view", objects=[case], request=request, limit=False)
    return _case(case, request.user)


def _person_input(p: PersonIn) -> services.PersonInput:
    return services.PersonInput(**p.model_dump())


PAGE_SIZE = 50


@router.get("/reference", response=ReferenceOut, summary="Довідники: терміновість, обставини, результати")
@access.api_permission("childcase.view")
def reference(request):
    return {
        "urgency": [_cl(k, {k: u.name}) for k, u in rules.urgencies().items()],
        "reporter_types": [_cl(k, rules.reporter_types()) for k in rules.reporter_types()],
        "circumstances": [_cl(k, rules.circumstances()) for k in rules.circumstances()],
        "representative_roles": [_cl(k, rules.representative_roles()) for k in rules.representative_roles()],
        "outcomes": [_cl(k, rules.outcomes()) for k in rules.outcomes()],
        "statuses": [_cl(k, selectors.STATUS_LABELS) for k in selectors.STATUS_LABELS],
    }


@router.get("", response=CasePage, summary="Справи дітей (служба у справах дітей)")
@access.api_permission("childcase.view")
def list_cases(request, status: str = "", urgency: str = "", q: str = "", page: Page = 1):
    qs = selectors.cases_for(request.user, status=status, urgency=urgency, query=q)
    page = max(page, 1)
    rows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    audited_read(actor=request.user, action="childcase.list", objects=rows, object_type="children.childcase",
                 request=request, limit=False, details={"status": status, "urgency": urgency, "searched": bool(q.strip())})
    return {"count": qs.count(), "page": page, "results": [_brief(c) for c in rows]}


@router.post("", response={201: ChildCaseOut}, summary="Зареєструвати повідомлення про дитину")
@access.api_permission("childcase.change")
def register_case(request, payload: CaseIn):
    rep = payload.reporter or ReporterIn()
    case = services.register_child_case(
        actor=request.user, child=_person_input(payload.child), urgency=payload.urgency,
        reporter_type=payload.reporter_type, circumstances=payload.circumstances, summary=payload.summary,
        reported_on=payload.reported_on, hromada_id=payload.hromada_id, reporter_name=rep.name,
        reporter_organisation=rep.organisation, reporter_phone=rep.phone, reporter_details=rep.details,
        representatives=[services.RepresentativeInput(role=r.role, person=_person_input(r.person))
                         for r in payload.representatives],
        request=request)
    return Status(201, _card(request, case.pk))


@router.get("/{int:case_id}", response=ChildCaseOut, summary="Картка справи (читання записується в журнал)")
@access.api_permission("childcase.view")
def get_case(request, case_id: int):
    return _card(request, case_id)


@router.post("/{int:case_id}/assessment/start", response=ChildCaseOut, summary="Розпочати оцінювання потреб")
@access.api_permission("childcase.change")
def start_assessment(request, case_id: int, payload: StartAssessmentIn):
    services.start_assessment(actor=request.user, case_id=case_id, started_on=payload.started_on,
                              expected_version=payload.expected_version, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/assessment", response=ChildCaseOut, summary="Завершити оцінювання потреб")
@access.api_permission("childcase.change")
def complete_assessment(request, case_id: int, payload: AssessmentIn):
    services.complete_assessment(actor=request.user, case_id=case_id, needs=payload.needs, findings=payload.findings,
                                 completed_on=payload.completed_on, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/decision", response=ChildCaseOut, summary="Рішення про перебування у СЖО")
@access.api_permission("childcase.change")
def decide(request, case_id: int, payload: DecisionIn):
    services.decide_on_circumstances(
        actor=request.user, case_id=case_id, in_difficult_circumstances=payload.in_difficult_circumstances,
        basis=payload.basis, decided_on=payload.decided_on, expected_version=payload.expected_version,
        request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/plan", response=ChildCaseOut, summary="Затвердити план із заходами")
@access.api_permission("childcase.change")
def approve_plan(request, case_id: int, payload: ChildPlanIn):
    services.approve_case_plan(
        actor=request.user, case_id=case_id, goal=payload.goal,
        measures=[services.MeasureInput(**m.model_dump()) for m in payload.measures], approved_on=payload.approved_on,
        next_review_due=payload.next_review_due, expected_version=payload.expected_version, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/measures", response=ChildCaseOut, summary="Додати захід до плану")
@access.api_permission("childcase.change")
def add_measure(request, case_id: int, payload: MeasureIn):
    services.add_measure(actor=request.user, case_id=case_id, measure=services.MeasureInput(**payload.model_dump()),
                         request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/measures/{int:measure_id}/done", response=ChildCaseOut, summary="Захід виконано")
@access.api_permission("childcase.change")
def measure_done(request, case_id: int, measure_id: int, payload: MeasureDoneIn):
    services.mark_measure_done(actor=request.user, case_id=case_id, measure_id=measure_id, done_on=payload.done_on,
                               request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/reviews", response=ChildCaseOut, summary="Перегляд плану")
@access.api_permission("childcase.change")
def review(request, case_id: int, payload: ReviewIn):
    services.record_review(actor=request.user, case_id=case_id, findings=payload.findings,
                           reviewed_on=payload.reviewed_on, next_review_due=payload.next_review_due,
                           expected_version=payload.expected_version, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/referrals", response=ChildCaseOut, summary="Направити до іншої служби")
@access.api_permission("childcase.change")
def refer(request, case_id: int, payload: ReferralIn):
    services.send_referral(actor=request.user, case_id=case_id, service_name=payload.service_name,
                           purpose=payload.purpose, sent_on=payload.sent_on, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/referrals/{int:referral_id}/feedback", response=ChildCaseOut,
             summary="Зворотний зв’язок за направленням")
@access.api_permission("childcase.change")
def referral_feedback(request, case_id: int, referral_id: int, payload: FeedbackIn):
    services.record_referral_feedback(actor=request.user, case_id=case_id, referral_id=referral_id,
                                      feedback=payload.feedback, feedback_on=payload.feedback_on, request=request)
    return _card(request, case_id)


@router.post("/{int:case_id}/close", response=ChildCaseOut, summary="Закрити справу з результатом")
@access.api_permission("childcase.change")
def close(request, case_id: int, payload: CloseIn):
    services.close_case(actor=request.user, case_id=case_id, outcome=payload.outcome, note=payload.note,
                        expected_version=payload.expected_version, request=request)
    return _card(request, case_id)
