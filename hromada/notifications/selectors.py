"""Reads of the notifications domain. Staff reads take the requesting user (scope from the access layer);
the public status reads take only the number and the check code and return nothing personal."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications import checkcode
from hromada.applications import selectors as app_selectors
from hromada.applications.models import Application, Document, Status
from hromada.catalog import slots as catalog_slots
from hromada.catalog.models import DocumentRequirement, ServiceCategory, Timing

from .models import Channel, Consent, Notification, State

S = Status
# The resident's words for the case's state: (public code, label). No outcome: the decision is handed over.
PUBLIC_STATUS: dict[str, tuple[str, Any]] = {
    S.SUBMITTED: ("in_review", _("Заява на розгляді")),
    S.IN_REVIEW: ("in_review", _("Заява на розгляді")),
    S.RESUBMITTED: ("in_review", _("Заява на розгляді")),
    S.RETURNED: ("needs_correction", _("Заяву уточнюють: можливо, знадобляться ваші документи — фронт-офіс "
                                       "зв’яжеться з вами")),
    S.DECIDED_GRANTED: ("decided", _("Рішення ухвалено, результат готується до видачі")),
    S.DECIDED_REFUSED: ("decided", _("Рішення ухвалено, результат готується до видачі")),
    S.RESULT_SENT: ("result_ready", _("Результат готовий: його можна отримати у фронт-офісі")),
    S.RESULT_ISSUED: ("result_issued", _("Результат видано")),
    S.CLOSED: ("result_issued", _("Результат видано")),
    S.WITHDRAWN: ("withdrawn", _("Заяву відкликано")),
}
SOCIAL_DECIDED = frozenset({"providing", "in_service", "suspended", "refused", "closed"})
BACK_OFFICE = frozenset({S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED})
AWAITING_DOCUMENTS = (S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.RESUBMITTED)


@dataclass(frozen=True)
class CollectAt:
    office: str
    address: str
    hours: str


@dataclass(frozen=True)
class PublicStatus:
    """Everything the public status page may say: no name, РНОКПП, address, amount or decision reason."""
    number: str
    service: str
    status: str
    status_label: str
    submitted_at: date | None
    due_date: date | None
    missing_documents: list[dict] = field(default_factory=list)
    result_ready: bool = False
    collect_at: CollectAt | None = None

    def as_dict(self) -> dict:
        return {"number": self.number, "service": self.service, "status": self.status,
                "status_label": str(self.status_label), "submitted_at": self.submitted_at,
                "due_date": self.due_date, "missing_documents": self.missing_documents,
                "result_ready": self.result_ready,
                "collect_at": None if self.collect_at is None else {
                    "office": self.collect_at.office, "address": self.collect_at.address,
                    "hours": self.collect_at.hours}}


def public_application(*, number: str, code: str) -> Application | None:
    """The submitted case with this number *and* code, else None (which of the two was wrong is not told)."""
    app = (Application.objects.select_related("service", "front_office")
           .filter(number=(number or "").strip(), first_submitted_at__isnull=False).first())
    if app is None:
        checkcode.matches("x" * checkcode.LENGTH, code)   # same work either way
        return None
    return app if checkcode.matches(app.check_code, code) else None


def missing_documents(app: Application) -> list:
    """Checklist items that may follow and are still missing, while documents can still matter."""
    if app.status not in AWAITING_DOCUMENTS:
        return []
    app = (Application.objects.select_related("service")
           .prefetch_related(Prefetch("service__documents",
                                      queryset=DocumentRequirement.objects.order_by("ordering", "code")),
                             Prefetch("documents", queryset=Document.objects.only("id", "application_id",
                                                                                  "requirement_code", "pages")))
           .get(pk=app.pk))
    return app_selectors.missing(app_selectors.checklist(app), Timing.MAY_FOLLOW)


def public_status(app: Application) -> PublicStatus:
    code, label = PUBLIC_STATUS.get(app.status, ("in_review", _("Заява на розгляді")))
    if app.service.category == ServiceCategory.SOCIAL_SERVICES and app.status in BACK_OFFICE \
            and catalog_slots.social_public_status.provided:
        # Until decided, an application for social services lives on as the social case opened from it: its stage
        # (assessment, its term) is the answer; once decided, the result is handed over like any other.
        social = catalog_slots.social_public_status(app.pk)
        if social is not None:
            label = social["status_label"]
            code = PUBLIC_STATUS[S.DECIDED_GRANTED][0] if social["status"] in SOCIAL_DECIDED \
                else PUBLIC_STATUS[S.IN_REVIEW][0]
    ready = app.status == S.RESULT_SENT
    office = app.front_office
    return PublicStatus(
        number=app.number, service=app.service.name, status=code, status_label=label,
        submitted_at=app.application_date, due_date=app.due_date,
        missing_documents=[{"title": str(i.title), "due": i.deadline} for i in missing_documents(app)],
        result_ready=ready,
        collect_at=CollectAt(office=office.name, address=office.address, hours=office.opening_hours) if ready
        else None)


# --- staff reads ---------------------------------------------------------------------------------------------


def notifications_for(user: User, application_id: int) -> list[Notification]:
    """Every notification of a visible case, newest first (NotFound outside the scope)."""
    app = access.get_visible(user, Application, pk=application_id)
    return list(Notification.objects.filter(application=app).select_related("called_by"))


def applicant_id(user: User, application_id: int) -> int | None:
    """The applicant (a Person id) of a visible case (NotFound for any other id)."""
    return access.get_visible(user, Application.objects.values_list("applicant_person_id", flat=True),
                              pk=application_id)


def consents_for(user: User, application_id: int) -> dict[str, Consent | None]:
    """The applicant's recorded answer per channel (None: not asked yet)."""
    person_id = applicant_id(user, application_id)
    rows = {c.channel: c for c in Consent.objects.filter(person_id=person_id)} if person_id else {}
    return {channel: rows.get(channel) for channel in Channel.values}


def failed_notifications(user: User) -> QuerySet[Notification]:
    """The front office's worklist: failed messages nobody has phoned the resident about yet, of the cases of
    the specialist's own office (the pages and the API ask ``application.intake`` first)."""
    apps = access.visible(user, Application)
    if user.office_id:
        apps = apps.filter(front_office_id=user.office_id)
    return (Notification.objects.filter(state=State.FAILED, called_at__isnull=True, application__in=apps)
            .select_related("application").order_by("-updated_at", "-id"))


def failed_notifications_count(user: User) -> int:
    """For the front office's worklist: how many residents must be called because a message failed."""
    return failed_notifications(user).count()

