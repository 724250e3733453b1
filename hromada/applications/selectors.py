"""Reads of applications for a requesting user: scoped lists, one case, its checklist and history.

Scope always comes from the access layer (``access.visible`` / ``access.get_visible``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.catalog.models import DocumentRequirement, Timing
from hromada.core.errors import ValidationFailed

from . import workflow
from .deadlines import documents_deadline_for
from .models import Application, Document, Event, Participant, Receipt, Status

PAGE_SIZE = 20


def _with_related(qs: QuerySet) -> QuerySet:
    return (qs.select_related("service", "front_office", "back_office", "hromada", "registered_by")
            .prefetch_related(Prefetch("participants", queryset=Participant.objects.select_related("person"))))


def applications_for(user, *, status: str | None = None, service_code: str | None = None,
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
        qs = qs.filter(number__icontains=q.strip())
    return _with_related(qs).order_by("-registered_at", "-id")


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


def application_for(user, application_id) -> Application:
    """One visible application with what its card needs (NotFound outside the scope)."""
    qs = _with_related(access.visible(user, Application)).prefetch_related(
        Prefetch("service__documents", queryset=DocumentRequirement.objects.order_by("ordering", "code")),
        Prefetch("documents", queryset=Document.objects.order_by("requirement_code", "uploaded_at", "id")),
    )
    return access.get_visible(user, qs, pk=application_id)


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
            document_code=req.code, title=req.title, timing=req.timing, hint=req.hint, condition=req.condition,
            documents=docs_by_code.get(req.code, []),
            deadline=deadline if req.timing == Timing.MAY_FOLLOW else None))
    return items


def missing(items: list[ChecklistItem], timing: str) -> list[ChecklistItem]:
    return [i for i in items if i.timing == timing and not i.provided]


# History entries that are not state transitions (their labels come from workflow.TRANSITIONS).
EVENT_LABELS = {
    "create": _("Заяву зареєстровано (чернетка)"),
    "document_added": _("Донесено документ"),
    "document_removed": _("Вилучено документ"),
}


def event_label(action: str) -> str:
    rule = workflow.TRANSITIONS.get(action)
    return str(rule.label) if rule else str(EVENT_LABELS.get(action, action))


def history(user, application_id) -> list[Event]:
    """The case's events, oldest first, each with a readable ``label``."""
    app = access.get_visible(user, Application, pk=application_id)
    events = list(Event.objects.filter(application=app).select_related("actor").order_by("at", "id"))
    for event in events:
        event.label = event_label(event.action)
    return events


def last_return_event(application: Application) -> Event | None:
    prefetched = getattr(application, "return_events", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return Event.objects.filter(application=application, action="return").order_by("-at", "-id").first()


def with_return_events(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Prefetch the back office's return events (reason and items) for a list of returned cases."""
    return qs.prefetch_related(Prefetch("events", queryset=Event.objects.filter(action="return").order_by("-at", "-id"),
                                        to_attr="return_events"))


def latest_receipt(application: Application) -> Receipt | None:
    return Receipt.objects.filter(application=application).order_by("-created_at", "-id").first()
