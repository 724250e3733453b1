"""Reads for the back office, always through the access layer (they take the requesting user).

Deadline flags (only while the back office holds the case — submitted, resubmitted, in review; time in
``returned`` is suspended and the due date moved on resubmission, see applications/deadlines.py):
* overdue — ``due_date`` < today;
* due soon — not overdue and ``due_date`` ≤ today + 2 working days (catalog.calendar, holidays as data).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext

from hromada.accounts import access
from hromada.accounts.models import Role, User, short_name_of
from hromada.applications.models import Application, Status
from hromada.applications.selectors import search_filter
from hromada.applications.workflow import BACK_OFFICE_STATES
from hromada.catalog import calendar
from hromada.catalog.models import ServiceType
from hromada.core.caching import Versioned
from hromada.core.db import joins_as_written
from hromada.core.schemas import MAX_PAGE
from hromada.core.text import localized, uk_sort_key
from hromada.persons.models import full_name_of
from hromada.territory.models import Unit

from .calculators import CALCULATORS
from .models import Decision, Outcome
from .reasons import get_reason

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs (dev only): annotations only

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
DUE_SOON_WORKING_DAYS = 2
OPEN_STATES = sorted(BACK_OFFICE_STATES)
# The queue's status filter value for "new": sent or resent, not yet taken (the worklist's count links here).
NEW_FILTER = "new"
NEW_STATES = (Status.SUBMITTED, Status.RESUBMITTED)


def due_soon_limit(today: date) -> date:
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def _flag(status: str, due: date | None, today: date, due_soon_until: date) -> str:
    if status not in BACK_OFFICE_STATES or due is None:
        return ""
    return "overdue" if due < today else "due_soon" if due <= due_soon_until else ""


def deadline_flag(application: Application, today: date | None = None) -> str:
    """"overdue", "due_soon" or "" for one case."""
    today = today or timezone.localdate()
    return _flag(application.status, application.due_date, today, due_soon_limit(today))


# What a queue row shows (page and API), read as values: building the six models of each of 50 rows took as long as
# the rest of the page's read (4.7 of 12 ms on a slow core).
QUEUE_COLUMNS = (
    "id", "number", "status", "due_date", "version", "hromada_id", "assigned_to_id",
    "service__code", "service__name_uk", "service__name_en", "hromada__name", "front_office__name",
    "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__patronymic",
    "applicant_person__last_name", "applicant_person__first_name", "applicant_person__patronymic",
)


@dataclass(frozen=True)
class QueueRow:
    """One case of the back office's queue as the page and the API show it (``pk`` and ``hromada_id`` name it in the
    audit entry of the read)."""
    pk: int
    number: str
    status: str
    status_label: str
    due_date: date | None
    deadline_flag: str          # "overdue", "due_soon" or ""
    version: int
    hromada_id: int | None
    assigned_to_id: int | None
    service_code: str
    service_name: str           # in the interface's language
    hromada_name: str
    front_office_name: str
    assignee: str               # the assignee's short name; "" when nobody works on it
    applicant: str              # the applicant's full name; "" when there is none


@dataclass(frozen=True)
class QueueFilters:
    service: str = ""          # service code
    hromada: int | None = None
    status: str = ""           # one status; empty: every state the back office holds
    assigned_to: str = ""      # user id, "me" or "none"
    overdue: bool = False
    due_soon: bool = False
    page: int = 1
    q: str = ""                # number, applicant's РНОКПП or surname (see applications.selectors.search_filter)


def incoming(user: User) -> QuerySet[Application]:
    """Every case sent to the user's back office (all statuses), within the user's scope."""
    access.require(user, "application.take")
    return access.visible(user, Application)


class _QueuePaginator(Paginator):
    """A paginator of ``count`` cases of which one page is read (``_page_of``): the total rides on its rows."""

    def __init__(self, per_page: int, *, count: int) -> None:
        super().__init__([], per_page)
        self.__dict__["count"] = count   # Paginator.count is a cached_property: the total already read


def _page_of(rows: QuerySet[Application, tuple[Any, ...]], counted: QuerySet[Application], number: int) -> Page:
    """The page ``number`` of ``rows`` (the last one past the end, as ``Paginator.get_page``) with the total of
    ``counted`` in the same statement: every row carries it (an uncorrelated subquery, which PostgreSQL counts once).
    Counted without the page's joins it reads the queue's index alone (they never drop a case: each joins a required
    foreign key or is an outer join) — a busy office's 1,300 new cases: 1.3 → 0.5 ms at 1 M. Only a page past the
    last, which has no row to carry the total, is counted apart."""
    total = Subquery(counted.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n"))
    rows = rows.annotate(queue_total=total)
    number = min(max(number, 1), MAX_PAGE)   # a number typed into the address: its offset must fit the database's
    for _attempt in range(3):                # the last page can shrink between its count and its read
        offset = (number - 1) * PAGE_SIZE
        with joins_as_written():   # the page's five joins: planning them took longer than reading the rows
            values: list[tuple[Any, ...]] = list(rows[offset:offset + PAGE_SIZE])
        if values or number == 1:
            break
        number = max(1, -(-counted.count() // PAGE_SIZE))   # past the end: the last page
    count = values[0][-1] if values else counted.count()
    return Page([v[:-1] for v in values], number, _QueuePaginator(PAGE_SIZE, count=count))


def queue(user: User, filters: QueueFilters, *, today: date | None = None) -> Page:
    """A page (50 rows) of the back office's cases, earliest due date first; no N+1 queries."""
    today = today or timezone.localdate()
    qs = incoming(user)
    q = (filters.q or "").strip()
    if filters.status == NEW_FILTER:
        qs = qs.filter(status__in=NEW_STATES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    elif not q:
        qs = qs.filter(status__in=OPEN_STATES)
    if q:
        # A search looks in every case sent to the office (also decided ones), not only the open ones.
        qs = qs.filter(search_filter(q))
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
    page = _page_of(qs.values_list(*QUEUE_COLUMNS).order_by("due_date", "id"), qs, filters.page)
    values = page.object_list
    limit = due_soon_limit(today)
    # Status labels resolved once per page (get_status_display rebuilds the translated choices on every call).
    labels = {code: str(label) for code, label in Status.choices}
    rows = []
    for (pk, number, status, due, version, hromada_id, assigned_to_id, service_code, service_uk, service_en,
         hromada_name, office_name, username, first, last, patronymic, a_last, a_first, a_patronymic) in values:
        rows.append(QueueRow(
            pk=pk, number=number, status=status, status_label=labels.get(status, status), due_date=due,
            deadline_flag=_flag(status, due, today, limit), version=version, hromada_id=hromada_id,
            assigned_to_id=assigned_to_id,
            service_code=service_code, service_name=localized(service_uk, service_en), hromada_name=hromada_name or "",
            front_office_name=office_name or "",
            assignee=short_name_of(last, first, patronymic, username) if assigned_to_id else "",
            applicant=full_name_of(a_last, a_first, a_patronymic)))
    page.object_list = rows
    return page


def overdue_cases(user: User, *, today: date | None = None) -> QuerySet[Application]:
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


def workload(user: User, *, today: date | None = None) -> list[Workload]:
    """Open cases, overdue and due-soon per specialist of the user's back office (two queries)."""
    access.require(user, "application.take")
    today = today or timezone.localdate()
    limit = due_soon_limit(today)
    rows = (access.visible(user, Application).filter(status__in=OPEN_STATES).values("assigned_to")
            .annotate(open_cases=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)),
                      due_soon=Count("id", filter=Q(due_date__gte=today, due_date__lte=limit))))
    by_user = {r["assigned_to"]: r for r in rows}
    result = []
    for member in assignable_staff(user):
        r = by_user.get(member.pk, {})
        result.append(Workload(member, r.get("open_cases", 0), r.get("overdue", 0), r.get("due_soon", 0)))
    r = by_user.get(None)
    if r:
        result.append(Workload(None, r["open_cases"], r["overdue"], r["due_soon"]))
    return result


ASSIGNABLE_ROLES = (Role.BACK_SPECIALIST, Role.BACK_HEAD)


def _assignable(office_id: int) -> QuerySet[User]:
    """Who the head may assign cases to: active specialists and heads of the same back office."""
    return User.objects.filter(office_id=office_id, is_active=True, role__in=ASSIGNABLE_ROLES)


def assignable_staff(user: User) -> list[User]:
    """``_assignable`` as users, in Ukrainian alphabetical order (the database's collation puts Є, І, Ї before А
    and Ґ after Я)."""
    if not user.office_id:
        return []
    return sorted(_assignable(user.office_id), key=lambda u: (uk_sort_key(u.last_name), uk_sort_key(u.first_name)))


def case_for_review(user: User, application_id: int) -> Application:
    """The back office's case card: the application with the person, documents, checklist data.
    Back-office roles only (403); another office's case is 404."""
    access.require(user, "application.take")
    return access.get_visible(
        user, Application.objects.select_related("service", "hromada", "front_office", "back_office",
                                                 "assigned_to", "registered_by", "applicant_person")
        .prefetch_related("participants__person", "documents", "service__documents"), pk=application_id)


def status_choices() -> list[tuple[str, StrOrPromise]]:
    return [(NEW_FILTER, gettext("Нові (надіслані й надіслані повторно)"))] + [
        (s.value, s.label) for s in Status if s != Status.DRAFT]


def _hromada_names(ids: list[int]) -> list[tuple[int, str]]:
    """(id, name) of these hromadas (the access layer's served list: the queue's filter) in Ukrainian alphabetical
    order."""
    # Only what the filter shows (a unit row has fourteen columns), as values.
    names = Unit.objects.filter(pk__in=ids).values_list("id", "name") if ids else []
    return sorted(names, key=lambda unit: uk_sort_key(unit[1]))


@dataclass(frozen=True)
class QueueChoices:
    """The queue's filter lists, each (value, label) with the label in the interface's language — read as values:
    the page built a model for every service, hromada and colleague only to show two of its fields."""
    services: list[tuple[str, str]]
    hromadas: list[tuple[int, str]]
    staff: list[tuple[int, str]]           # who cases may be assigned to (``assignable_staff``), short names
    statuses: list[tuple[str, StrOrPromise]]


# The lists are read on every full queue page (three statements, ~1.5 ms of the page's ~15 in-process at 1 M) and
# change seldom. They are cached per office under a version of their own, which every change they show replaces
# (``forget_queue_lists``, connected in apps.py: a service, a colleague, a hromada's name). Who the office serves is
# part of the key, so a change of the serving (its own version, ``offices.selectors``) gives a new key at once.
QUEUE_LISTS_VERSION_KEY = "backoffice:queue-lists-version"
QUEUE_LISTS_SECONDS = 3600
# What the cache holds: the services' (code, Ukrainian name, English name), the served hromadas' (id, name) and the
# colleagues' (id, short name), both sorted; the services' labels are chosen per request, in its language. The key's
# "v1" changes with that shape or format, so that two releases sharing the cache (a rolling deploy) never read each
# other's lists.
_QueueLists = tuple[list[tuple[str, str, str]], list[tuple[int, str]], list[tuple[int, str]]]
_QUEUE_LISTS: Versioned[_QueueLists] = Versioned(QUEUE_LISTS_VERSION_KEY, QUEUE_LISTS_SECONDS)
# A user saved with only these fields changed (a login, a new password) changes no list: the version stays.
_UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def queue_choices(user: User) -> QueueChoices:
    """What the queue's filters offer the user: every service, the hromadas the office serves, its colleagues."""
    served = access.served_hromada_ids(user)
    served_digest = hashlib.blake2b(",".join(map(str, served)).encode(), digest_size=16).hexdigest()
    services, hromadas, staff = _QUEUE_LISTS.get(f"backoffice:queue-lists:v1:{user.office_id}:{served_digest}",
                                                 lambda: _queue_lists(user.office_id, served))
    return QueueChoices(services=[(code, localized(uk, en)) for code, uk, en in services], hromadas=hromadas,
                        staff=staff, statuses=status_choices())


def _queue_lists(office_id: int | None, served: list[int]) -> _QueueLists:
    """``queue_choices``' lists, read from the database."""
    services = list(ServiceType.objects.order_by("ordering", "code").values_list("code", "name_uk", "name_en"))
    staff = (_assignable(office_id).values_list("id", "last_name", "first_name", "patronymic", "username")
             if office_id else [])
    return (services, _hromada_names(served),
            [(pk, short_name_of(last, first, patronymic, username)) for pk, last, first, patronymic, username
             in sorted(staff, key=lambda u: (uk_sort_key(u[1]), uk_sort_key(u[2])))])


def forget_queue_lists(**_signal_args: object) -> None:
    """A service, a colleague or a hromada changed: every office's cached filter lists are void."""
    _QUEUE_LISTS.forget()


def forget_queue_lists_after_migrate(**_signal_args: object) -> None:
    """A migration may have loaded or renamed services: the lists are void. A cache that cannot be reached then
    must not fail the migration: the lists expire within ``QUEUE_LISTS_SECONDS``, and it is logged."""
    try:
        forget_queue_lists()
    except Exception:  # noqa: BLE001 — any cache backend's error
        logger.warning("the queue's filter lists were not forgotten after the migration: the cache failed",
                       exc_info=True)


def forget_queue_lists_for_user(sender: object, update_fields: frozenset[str] | None = None,
                                **signal_args: object) -> None:
    """A user saved: the lists are void unless only what they do not show changed (a login, a password)."""
    if update_fields is None or not set(update_fields) <= _UNSHOWN_USER_FIELDS:
        forget_queue_lists()


@dataclass(frozen=True)
class BackWorklist:
    new: int           # sent or resent, not yet taken
    in_review: int     # in review, whoever works on it
    mine: int          # in review by the requesting user
    due_soon: int      # open, due within the "due soon" window (see the module docstring)
    overdue: int       # open, past the due date

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def worklist(user: User, *, today: date | None = None) -> BackWorklist:
    """The back office's day in counts (one query; the same rules as the queue's filters)."""
    access.require(user, "application.take")
    today = today or timezone.localdate()
    counts = incoming(user).filter(status__in=OPEN_STATES).aggregate(
        new=Count("id", filter=Q(status__in=NEW_STATES)),
        in_review=Count("id", filter=Q(status=Status.IN_REVIEW)),
        mine=Count("id", filter=Q(status=Status.IN_REVIEW, assigned_to=user)),
        due_soon=Count("id", filter=Q(due_date__gte=today, due_date__lte=due_soon_limit(today))),
        overdue=Count("id", filter=Q(due_date__lt=today)))
    return BackWorklist(**counts)


def decision_summary(decision: Decision) -> dict:
    """What the decision says, as the decision notice prints it: outcome, amount and period, the reason (of a
    refusal: the legal reason's title; of a grant: the back office's comment, if any) and the legal basis."""
    app = decision.application
    granted = decision.outcome == Outcome.GRANTED
    reason = None if granted else get_reason(decision.reason_code, app.service.code)
    if granted:
        legal_basis = grant_legal_basis(decision)
        reason_text = decision.comment
    else:
        legal_basis = reason.legal_basis if reason else app.service.legal_basis
        reason_text = reason.title_uk if reason else decision.reason_code
    return {"outcome": decision.outcome, "outcome_label": gettext("Призначено") if granted else gettext("Відмовлено"),
            "amount": decision.amount, "period_from": decision.period_from, "period_to": decision.period_to,
            "reason": reason_text or None, "legal_basis": legal_basis or None, "comment": decision.comment,
            "decided_at": decision.decided_at, "decided_by": decision.decided_by.short_name}


def decision_for(user: User, application_id: int) -> Decision | None:
    """The decision on a visible case (the back office that decided, the front office that accepted); None
    before a decision; NotFound outside the user's scope."""
    app = access.get_visible(user, Application, pk=application_id)
    return (Decision.objects.select_related("application__service", "application__front_office",
                                            "application__back_office", "decided_by")
            .filter(application=app).first())


def calculation_lines(calculation: dict) -> list[dict]:
    """The lines of a stored calculation as {label, value, source}; a calculation stored before lines named their
    sources (plain strings) shows each string as its label."""
    return [line if isinstance(line, dict) else {"label": str(line), "value": "", "source": ""}
            for line in (calculation or {}).get("lines", [])]


def grant_legal_basis(decision: Decision) -> str:
    """What a grant cites: the calculation's basis (acts with articles), else the service's calculator's, else the
    service's own legal basis."""
    service = decision.application.service
    calc = CALCULATORS.get(service.calculator)
    return (decision.calculation or {}).get("legal_basis") or (calc.legal_basis if calc else service.legal_basis)
