"""Reads of applications for a requesting user: scoped lists, one case, its checklist and history.

Scope always comes from the access layer (``access.visible`` / ``access.get_visible``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.catalog import calendar
from hromada.catalog import slots as catalog_slots
from hromada.catalog.models import DocumentRequirement, ServiceCategory, Timing
from hromada.core.errors import ValidationFailed
from hromada.core.history import HistoryEvent, resolve_actors
from hromada.core.text import normalize_name
from hromada.persons.models import Person

from . import slots, workflow
from .deadlines import documents_deadline_for
from .models import HISTORY, Application, Channel, Document, IssueMethod, Participant, Receipt, Status

PAGE_SIZE = 20


def _with_related(qs: QuerySet) -> QuerySet:
    return (qs.select_related("service", "front_office", "back_office", "hromada", "registered_by", "applicant_person")
            .prefetch_related(Prefetch("participants", queryset=Participant.objects.select_related("person"))))


def applications_for(user: User, *, status: str | None = None, service_code: str | None = None,
                     hromada_code: str | None = None, q: str | None = None) -> QuerySet[Application]:
    """The user's visible applications, newest first, with filters (unknown status → 422)."""
    qs = access.visible(user, Application)
    if status:
        statuses = [s for s in status.split(",") if s]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise ValidationFailed(gettext("Невідомий статус заяви: %(s)s.") % {"s": ", ".join(unknown)},
                                   code="invalid_status")
        qs = qs.filter(status__in=statuses)
    if service_code:
        qs = qs.filter(service__code=service_code)
    if hromada_code:
        qs = qs.filter(hromada__code=hromada_code)
    if q:
        qs = qs.filter(search_filter(q))
    return _with_related(qs).order_by("-registered_at", "-id")


_RNOKPP_RE = re.compile(r"^\d{10}$")


def search_filter(q: str) -> Q:
    """What a search box matches: a part of the number, the applicant's РНОКПП (all ten digits) or the start of
    the applicant's surname (or full name) — case and apostrophe variants (' ’ ʼ) do not matter (Person.name_key)."""
    text = (q or "").strip()
    if not text:
        return Q()
    match = Q(number__icontains=text)
    if _RNOKPP_RE.match(text):
        match |= Q(applicant_person__rnokpp=text)
    key = normalize_name(text)
    if key and not key.isdigit():
        match |= Q(applicant_person__name_key__startswith=key)
    return match


@dataclass
class Page:
    items: list
    count: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(qs: QuerySet, page: int | str | None, per_page: int = PAGE_SIZE) -> Page:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Номер сторінки має бути додатним цілим числом."), code="invalid_page") from None
    count = qs.count()
    pages = max(1, math.ceil(count / per_page))
    number = min(number, pages)
    start = (number - 1) * per_page
    return Page(items=list(qs[start:start + per_page]), count=count, page=number, pages=pages)


def application_for(user: User, application_id: int) -> Application:
    """One visible application with what its card needs (NotFound outside the scope)."""
    qs = _with_related(access.visible(user, Application)).select_related(
        "decision__decided_by", "issued_by").prefetch_related(
        Prefetch("service__documents", queryset=DocumentRequirement.objects.order_by("ordering", "code")),
        Prefetch("documents", queryset=Document.objects.order_by("requirement_code", "uploaded_at", "id")),
    )
    return access.get_visible(user, qs, pk=application_id)


def participant_person_ids(user: User) -> QuerySet[Any, Any]:
    """Ids of the persons taking part in the applications ``user`` sees — their applicants and the participant rows
    (the back offices' way into persons; for everyone else ``persons.PersonAccess`` holds those from elsewhere, see
    apps.py)."""
    members, applicants = participant_person_id_parts(user)
    return members.union(applicants)


def participant_person_id_parts(user: User, persons: Q | None = None) -> tuple[QuerySet[Any, Any], ...]:
    """``participant_person_ids`` as its two parts (the participant rows, the applicants), each narrowed to the
    persons matching ``persons`` if given (a condition on the person, e.g. the children of protection cases)."""
    visible = access.visible(user, Application).order_by()
    members = Participant.objects.filter(application__in=visible.values("pk"))
    if persons is not None:
        narrowed = Person.objects.filter(persons).values("pk")
        members, visible = members.filter(person__in=narrowed), visible.filter(applicant_person__in=narrowed)
    return members.order_by().values("person_id"), visible.values("applicant_person_id")


def fill_prefetched(instance: Model, name: str, rows: Iterable[Model]) -> None:
    """Fill ``instance.<name>.all()`` as ``prefetch_related`` would, with rows already in hand (no query)."""
    related = getattr(instance, name)
    qs = related.model._default_manager.filter(**related.core_filters)
    qs._result_cache, qs._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[related.field.remote_field.cache_name] = qs


def new_case_card(application: Application) -> Application:
    """The case ``intake.create_application`` just returned, ready for its card as ``application_for`` reads it:
    its participants and (no) documents are what the service wrote, it has no decision yet; only the service's
    checklist is read."""
    prefetch_related_objects([application], Prefetch(
        "service__documents", queryset=DocumentRequirement.objects.order_by("ordering", "code")))
    Application.decision.related.set_cached_value(application, None)   # type: ignore[attr-defined]
    return application


def decision_of(application: Application) -> Model | None:
    """The case's decision (backoffice.Decision) or None before one; no query when selected with the case."""
    try:
        return application.decision
    except ObjectDoesNotExist:
        return None


def decided_by_social_case(application: Application) -> bool:
    """An application for social services is decided by the social case opened from it, not by a back office."""
    return (application.service.category == ServiceCategory.SOCIAL_SERVICES
            and catalog_slots.social_decision.provided)


def shown_decision(user: User, application: Application) -> dict | None:
    """The decision as the card, the results list and the API show it (and its notice prints it): the back office's
    (``slots.decision_summary``), or — for an application for social services — the decision of the social case
    opened from it (hromada.social, a sibling floor, through the catalog's slot: its own shape, see
    ``catalog.slots.social_decision``). None before a decision."""
    if decided_by_social_case(application):
        return catalog_slots.social_decision(user, application.pk)
    decision = decision_of(application)
    return slots.decision_summary(decision) if decision else None


def shown_decisions(user: User, applications: Iterable[Application]) -> dict[int, dict | None]:
    """``shown_decision`` of each application of a page, keyed by id: the social-services ones read in one go
    (``catalog.slots.social_decisions``), the others from the page's own query — a fixed number of queries."""
    applications = list(applications)
    social_ids = {app.pk for app in applications if decided_by_social_case(app)}
    social = catalog_slots.social_decisions(user, social_ids) if social_ids else {}
    return {app.pk: social.get(app.pk) if app.pk in social_ids else shown_decision(user, app)
            for app in applications}


@dataclass
class ChecklistItem:
    document_code: str
    title: str
    timing: str
    hint: str
    condition: str
    documents: list = field(default_factory=list)
    deadline: date | None = None

    @property
    def required(self) -> bool:
        return self.timing == Timing.BEFORE_SUBMIT

    @property
    def may_follow(self) -> bool:
        return self.timing == Timing.MAY_FOLLOW

    @property
    def conditional(self) -> bool:
        return self.timing == Timing.CONDITIONAL

    @property
    def provided(self) -> bool:
        return bool(self.documents)

    @property
    def pages(self) -> int:
        return sum(d.pages for d in self.documents)

    def as_dict(self) -> dict:
        return {"document_code": self.document_code, "title": self.title, "required": self.required,
                "provided": self.provided, "timing": self.timing, "condition": self.condition,
                "hint": self.hint, "deadline": self.deadline, "pages": self.pages,
                "documents": [d.pk for d in self.documents]}


def checklist(application: Application) -> list[ChecklistItem]:
    """The service's checklist with what this application has provided (uses prefetched rows if present)."""
    docs_by_code: dict[str, list[Document]] = {}
    for doc in application.documents.all():
        docs_by_code.setdefault(doc.requirement_code, []).append(doc)
    deadline = application.documents_deadline
    if deadline is None and application.registered_at is not None:
        deadline = documents_deadline_for(application)
    items = []
    for req in application.service.documents.all():
        items.append(ChecklistItem(
            document_code=req.code, title=req.title, timing=req.timing, hint=req.hint_text, condition=req.condition_text,
            documents=docs_by_code.get(req.code, []),
            deadline=deadline if req.timing == Timing.MAY_FOLLOW else None))
    return items


def not_provided(application: Application) -> dict[str, list[str]]:
    """The codes of the service's checklist this application has no scan for, by timing, in the checklist's order
    — what ``missing(checklist(application), timing)`` names, in ONE query (the requirements, each with whether a
    scan of its code exists) instead of the scans' and the checklist's."""
    scans = Document.objects.filter(application_id=application.pk, requirement_code=OuterRef("code"))
    codes: dict[str, list[str]] = {}
    for code, timing in (DocumentRequirement.objects.filter(service_id=application.service_id)
                         .exclude(Exists(scans)).values_list("code", "timing")):
        codes.setdefault(timing, []).append(code)
    return codes


def checklist_for(user: User, application_id: int) -> list[dict]:
    """The checklist of a visible application with what it has provided (``ChecklistItem.as_dict``): the social
    case opened from it shows these, the one list of its documents (``catalog.slots.application_checklist``).
    NotFound outside the user's scope."""
    return [item.as_dict() for item in checklist(application_for(user, application_id))]


def missing(items: list[ChecklistItem], timing: str) -> list[ChecklistItem]:
    return [i for i in items if i.timing == timing and not i.provided]


# --- the front office's worklist -----------------------------------------------------------------

DOCUMENTS_DUE_SOON_DAYS = 7
# Cases whose late documents the front office still collects (sent, or back for correction; not yet decided).
COLLECTING_DOCUMENTS = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.RETURNED})
WORKLIST_FILTERS = ("documents_due_soon", "documents_overdue", "late_handover")


def _missing_may_follow() -> Exists:
    """True for a case that still lacks a "may follow" document of its service's checklist."""
    provided = Document.objects.filter(application_id=OuterRef(OuterRef("pk")), requirement_code=OuterRef("code"))
    return Exists(DocumentRequirement.objects.filter(service_id=OuterRef("service_id"), timing=Timing.MAY_FOLLOW)
                  .exclude(Exists(provided)))


def handover_limit_day(today: date) -> date:
    """Paper received on or before this day is late if not handed over by today (deadlines.handover_is_late:
    more than HROMADA_HANDOVER_WORKING_DAYS working days between receipt and hand-over)."""
    off = calendar.days_off()
    limit = getattr(settings, "HROMADA_HANDOVER_WORKING_DAYS", 3)
    day = today
    while calendar.working_days_between(day, today, off) <= limit:
        day -= timedelta(days=1)
    return day


def worklist_filter(name: str, *, today: date | None = None) -> Q:
    """The cases behind one count of the front office's worklist (for its list links)."""
    today = today or timezone.localdate()
    if name == "documents_due_soon":
        return Q(status__in=COLLECTING_DOCUMENTS, documents_deadline__gte=today,
                 documents_deadline__lte=today + timedelta(days=DOCUMENTS_DUE_SOON_DAYS), missing_follow=True)
    if name == "documents_overdue":
        return Q(status__in=COLLECTING_DOCUMENTS, documents_deadline__lt=today, missing_follow=True)
    if name == "late_handover":
        return Q(status=Status.DRAFT, paper_received_on__lte=handover_limit_day(today))
    raise ValidationFailed(gettext("Невідомий перелік: %(s)s.") % {"s": name}, code="invalid_worklist")


def with_worklist_flags(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.annotate(missing_follow=_missing_may_follow())


@dataclass(frozen=True)
class FrontWorklist:
    drafts: int
    returned: int
    results_to_issue: int
    documents_due_soon: int
    documents_overdue: int
    late_handover: int

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def front_worklist(user: User, *, today: date | None = None) -> FrontWorklist:
    """The front office's day in counts, one query over the user's visible cases:
    drafts not yet sent; cases returned for correction; results to hand out; cases whose missing "may follow"
    documents are due within 7 days or overdue (the resident to call); drafts of paper applications already
    late against the 3-working-day hand-over rule."""
    access.require(user, "application.intake")
    today = today or timezone.localdate()
    qs = with_worklist_flags(access.visible(user, Application))
    counts = qs.aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        results_to_issue=Count("pk", filter=Q(status=Status.RESULT_SENT)),
        **{name: Count("pk", filter=worklist_filter(name, today=today)) for name in WORKLIST_FILTERS})
    return FrontWorklist(**counts)


def worklist_cases(user: User, name: str, *, today: date | None = None) -> QuerySet[Application]:
    """The visible cases behind one worklist count, oldest deadline first."""
    qs = with_worklist_flags(access.visible(user, Application)).filter(worklist_filter(name, today=today))
    return _with_related(qs).order_by("documents_deadline", "paper_received_on", "id")


def results_to_issue(user: User) -> QuerySet[Application]:
    """Results waiting to be handed out, the oldest first, each with its decision."""
    access.require(user, "application.issue")
    return (_with_related(access.visible(user, Application).filter(status=Status.RESULT_SENT))
            .select_related("decision", "decision__decided_by").order_by("result_sent_at", "id"))


# History entries that are not state transitions (their labels come from workflow.TRANSITIONS).
EVENT_LABELS = {
    "create": _("Заяву зареєстровано (чернетка)"),
    "document_added": _("Донесено документ"),
    "document_removed": _("Вилучено документ"),
}


def event_label(action: str, data: dict | None = None) -> str:
    rule = workflow.TRANSITIONS.get(action)
    label = str(rule.label) if rule else str(EVENT_LABELS.get(action, action))
    method = (data or {}).get("method") if action == "issue" else None
    if method in IssueMethod.values:
        label = f"{label} ({issue_method_phrase(method)})"
    return label


def issue_method_phrase(method: str) -> str:
    """«поштою», «через Дію», «SMS-повідомленням»: the method's label to follow a verb."""
    how = str(IssueMethod(method).label)
    return how if how[:2].isupper() else how[:1].lower() + how[1:]


def history(user: User, application_id: int) -> list[HistoryEvent]:
    """The case's events, oldest first, each with its actor, a readable ``label`` and its ``data`` as told
    (``told_data``)."""
    app = access.get_visible(user, Application.objects.select_related("service"), pk=application_id)
    return events_of(app)


def events_of(app: Application) -> list[HistoryEvent]:
    """The history of a case in hand (read from its row; one query for the users it names)."""
    events = resolve_actors(HISTORY.decode(app.history), User)
    for event in events:
        event.application = app   # type: ignore[attr-defined]  # the case in hand (its hromada is audited)
        event.data = told_data(event, app)
        event.label = event_label(event.action, event.data)  # type: ignore[attr-defined]  # for display only
    return events


def told_data(event: HistoryEvent, application: Application) -> dict:
    """An event's data as the history tells it. What the case itself keeps for good is not stored again with each
    case's events (#24, bytes; events written before keep it):
    - at its creation: the case's service (a service never changes) and the channel when it is the usual one, in
      person (a draft may change its channel later, so any other channel is stored: it is the creation's);
    - at a submission: an empty list of the documents that may follow, and the back office it went to (the submit
      sets the case's back office in the same UPDATE, and no step moves a case to another one — a step that did
      would have to keep the office it leaves in its own event);
    - at the handing out: how the result was given (the issue sets ``issue_method`` in its UPDATE, once: the case
      closes with it)."""
    data = dict(event.data or {})
    if event.action == "create":
        data.setdefault("service", application.service.code)
        data.setdefault("channel", Channel.IN_PERSON.value)
    elif event.action == "submit":
        data.setdefault("back_office", application.back_office_id)
        data.setdefault("missing_may_follow", [])
    elif event.action == "issue":
        data.setdefault("method", application.issue_method)
    return data


def last_return_event(application: Application) -> HistoryEvent | None:
    """The back office's latest return (reason and items), from the case's history in hand."""
    returns = [e for e in HISTORY.decode(application.history) if e.action == "return"]
    return returns[-1] if returns else None


def latest_receipt(application: Application) -> Receipt | None:
    return Receipt.objects.filter(application=application).order_by("-created_at", "-id").first()


# --- system-wide reads for scheduled work (no requesting user: beat tasks, metrics) ---------------------------

# Decision clock running: the back office holds the case (a returned case waits for the front office).
OPEN_FOR_DECISION = (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED)
# Missing documents still matter until a decision is taken.
AWAITING_DOCUMENTS = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED, Status.RESUBMITTED)
REMINDER_DAYS_AHEAD = 3


def overdue_applications(*, today: date | None = None) -> QuerySet[Application]:
    today = today or timezone.localdate()
    return Application.objects.filter(status__in=OPEN_FOR_DECISION, due_date__lt=today)


@dataclass(frozen=True)
class MissingDocuments:
    application_id: int
    number: str
    front_office_id: int
    documents_deadline: date | None
    missing_codes: tuple[str, ...]


def applications_missing_documents(*, today: date | None = None,
                                   days_ahead: int = REMINDER_DAYS_AHEAD) -> list[MissingDocuments]:
    """Applications whose deadline for the documents that may follow is exactly ``days_ahead`` days away
    and that still lack at least one of them. One query for the cases, one for the requirements."""
    today = today or timezone.localdate()
    deadline = today + timedelta(days=days_ahead)
    cases = list(
        Application.objects.filter(status__in=AWAITING_DOCUMENTS, documents_deadline=deadline)
        .prefetch_related("documents").order_by("id")
    )
    required: dict[int, set[str]] = {}
    for service_id, code in DocumentRequirement.objects.filter(
        service_id__in={a.service_id for a in cases}, timing=Timing.MAY_FOLLOW,
    ).values_list("service_id", "code"):
        required.setdefault(service_id, set()).add(code)
    result = []
    for case in cases:
        have = {doc.requirement_code for doc in case.documents.all()}
        missing = sorted(required.get(case.service_id, set()) - have)
        if missing:
            result.append(MissingDocuments(case.id, case.number, case.front_office_id, case.documents_deadline,
                                           tuple(missing)))
    return result
