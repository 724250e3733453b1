"""Reads for the back office, always through the access layer (they take the requesting user).

Deadline flags (only while the back office holds the case — submitted, resubmitted, in review; time in
``returned`` is suspended and the due date moved on resubmission, see applications/deadlines.py):
* overdue — ``due_date`` < today;
* due soon — not overdue and ``due_date`` ≤ today + 2 working days (catalog.calendar, holidays as data).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils import timezone

from hromada.accounts import access
from hromada.accounts.models import Role, User
from hromada.applications.models import Application, Status
from hromada.applications.workflow import BACK_OFFICE_STATES
from hromada.catalog import calendar
from hromada.territory.models import Unit

PAGE_SIZE = 50
DUE_SOON_WORKING_DAYS = 2
OPEN_STATES = sorted(BACK_OFFICE_STATES)


def due_soon_limit(today: date) -> date:
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def deadline_flag(application: Application, today: date | None = None) -> str:
    """"overdue", "due_soon" or "" for one case."""
    today = today or timezone.localdate()
    if application.status not in BACK_OFFICE_STATES or application.due_date is None:
        return ""
    if application.due_date < today:
        return "overdue"
    if application.due_date <= due_soon_limit(today):
        return "due_soon"
    return ""


# What a queue row shows (page and API): 50 rows of six joined models, so only these columns are read.
QUEUE_COLUMNS = (
    "number", "status", "due_date", "version", "hromada_id", "back_office_id", "assigned_to_id",
    "service__code", "service__name_uk", "service__name_en", "hromada__name", "front_office__name",
    "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__patronymic",
    "applicant_person__last_name", "applicant_person__first_name", "applicant_person__patronymic",
)


@dataclass(frozen=True)
class QueueFilters:
    service: str = ""          # service code
    hromada: int | None = None
    status: str = ""           # one status; empty: every state the back office holds
    assigned_to: str = ""      # user id, "me" or "none"
    overdue: bool = False
    due_soon: bool = False
    page: int = 1


def incoming(user):
    """Every case sent to the user's back office (all statuses), within the user's scope."""
    access.require(user, "application.take")
    return access.visible(user, Application)


def queue(user, filters: QueueFilters, *, today: date | None = None):
    """A page (50 rows) of the back office's cases, earliest due date first; no N+1 queries."""
    today = today or timezone.localdate()
    qs = incoming(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.filter(status__in=OPEN_STATES)
    if filters.service:
        qs = qs.filter(service__code=filters.service)
    if filters.hromada:
        qs = qs.filter(hromada_id=filters.hromada)
    if filters.assigned_to == "me":
        qs = qs.filter(assigned_to=user)
    elif filters.assigned_to == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif str(filters.assigned_to).isdigit():
        qs = qs.filter(assigned_to_id=int(filters.assigned_to))
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATES, due_date__lt=today)
    if filters.due_soon:
        qs = qs.filter(status__in=OPEN_STATES, due_date__gte=today, due_date__lte=due_soon_limit(today))
    qs = (qs.select_related("service", "hromada", "front_office", "assigned_to", "applicant_person")
          .only(*QUEUE_COLUMNS).order_by("due_date", "id"))
    page = Paginator(qs, PAGE_SIZE).get_page(filters.page)
    limit = due_soon_limit(today)
    # Status labels resolved once per page (get_status_display rebuilds the translated choices on every call).
    labels = {code: str(label) for code, label in Status.choices}
    for app in page.object_list:
        app.status_label = labels.get(app.status, app.status)
        app.deadline_flag = ("" if app.status not in BACK_OFFICE_STATES or app.due_date is None else
                             "overdue" if app.due_date < today else "due_soon" if app.due_date <= limit else "")
    return page


def overdue_cases(user, *, today: date | None = None):
    """The head's overdue board: every overdue case of the office, oldest due date first."""
    access.require(user, "application.assign")
    today = today or timezone.localdate()
    return (access.visible(user, Application).filter(status__in=OPEN_STATES, due_date__lt=today)
            .select_related("service", "hromada", "front_office", "assigned_to").order_by("due_date", "id"))


@dataclass(frozen=True)
class Workload:
    user: User | None          # None: not yet assigned
    open_cases: int
    overdue: int
    due_soon: int


def workload(user, *, today: date | None = None) -> list[Workload]:
    """Open cases, overdue and due-soon per specialist of the user's back office (two queries)."""
    access.require(user, "application.take")
    today = today or timezone.localdate()
    limit = due_soon_limit(today)
    rows = (access.visible(user, Application).filter(status__in=OPEN_STATES).values("assigned_to")
            .annotate(open_cases=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)),
                      due_soon=Count("id", filter=Q(due_date__gte=today, due_date__lte=limit))))
    by_user = {r["assigned_to"]: r for r in rows}
    staff = list(User.objects.filter(office_id=user.office_id, is_active=True,
                                     role__in=(Role.BACK_SPECIALIST, Role.BACK_HEAD))
                 .order_by("last_name", "first_name")) if user.office_id else []
    result = []
    for member in staff:
        r = by_user.get(member.pk, {})
        result.append(Workload(member, r.get("open_cases", 0), r.get("overdue", 0), r.get("due_soon", 0)))
    r = by_user.get(None)
    if r:
        result.append(Workload(None, r["open_cases"], r["overdue"], r["due_soon"]))
    return result


def assignable_staff(user):
    """Who the head may assign cases to: active specialists and heads of the same back office."""
    if not user.office_id:
        return User.objects.none()
    return User.objects.filter(office_id=user.office_id, is_active=True,
                               role__in=(Role.BACK_SPECIALIST, Role.BACK_HEAD)).order_by("last_name", "first_name")


def case_for_review(user, application_id: int) -> Application:
    """The back office's case card: the application with the person, documents, checklist data.
    Back-office roles only (403); another office's case is 404."""
    access.require(user, "application.take")
    return access.get_visible(
        user, Application.objects.select_related("service", "hromada", "front_office", "back_office",
                                                 "assigned_to", "registered_by")
        .prefetch_related("participants__person", "documents", "service__documents"), pk=application_id)


def status_choices():
    return [(s.value, s.label) for s in Status if s != Status.DRAFT]


def served_hromadas(user):
    """The hromadas in the user's scope (for the queue filter)."""
    scope = access.scope_of(user)
    if scope.level != "hromadas":
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=sorted(scope.hromada_ids)).order_by("name")
