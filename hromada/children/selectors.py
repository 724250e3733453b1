"""Reads of child cases. Every read goes through the access layer; the views and API handlers audit what they
show (``audit.services.audited_read``). Other roles may never see a child case (403, the outsider rule of
``accounts.access``); another territory's case is "not found" (404)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.core.text import normalize_name, uk_sort_key
from hromada.territory.models import Unit

from .models import CasePlan, CaseStatus, ChildCase, Reporter
from .workflow import OPEN_STATES

VIEW = "childcase.view"


def ensure_child_service(user: User) -> None:
    """Roles without the child-case permission meet a 403 on every child-case page and endpoint."""
    access.require(user, VIEW)


def cases_for(user: User, *, status: str = "", urgency: str = "", query: str = "") -> QuerySet:
    """The user's cases (empty for any other role), newest first."""
    ensure_child_service(user)
    qs = access.visible(user, ChildCase).select_related("child", "hromada")
    if status:
        qs = qs.filter(status__in=OPEN_STATES) if status == "open" else qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(number__icontains=query) | Q(child__name_key__contains=normalize_name(query)))
    return qs


def case_for(user: User, pk: int) -> ChildCase:
    """One case with everything the card shows; NotFound outside scope."""
    ensure_child_service(user)
    qs = (ChildCase.objects.select_related("child", "hromada", "registered_by")
          .prefetch_related("circumstances", "members__person", "reviews__reviewed_by", "referrals",
                            "events__actor", "plan__measures"))
    case = access.get_visible(user, qs, pk=pk)
    return case


def reporter_of(case: ChildCase) -> Reporter | None:
    """The reporter record, or None — always None for an anonymous report (nothing was stored)."""
    if case.is_anonymous:
        return None
    return getattr(case, "reporter", None)


def hromada_choices(user: User) -> list[tuple[int, str]]:
    ids = access.served_hromada_ids(user)
    return [(u.pk, str(u)) for u in sorted(Unit.objects.filter(pk__in=ids), key=lambda u: uk_sort_key(u.name))]


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def indicator_figures(hromada_ids: Iterable[int], period_start: date, period_end: date) -> dict:
    """Aggregate monitoring figures for the hromadas over [period_start, period_end] — numbers only,
    no personal data, so the monitoring registry may show them to aggregate roles.

    * open_cases: cases open at the end of the period;
    * new_cases / closed_cases: registered / closed within the period;
    * assessments_due, assessments_on_time, assessments_on_time_share: assessments whose due date
      fell in the period, and how many were completed by it (share 0..1, None when none were due);
    * children_with_plan: distinct children with a case plan in force at the end of the period.
    """
    ids = list(hromada_ids)
    end = _end_of(period_end)
    start = timezone.make_aware(datetime.combine(period_start, time.min))
    cases = ChildCase.objects.filter(hromada_id__in=ids)
    alive = cases.filter(registered_at__lte=end)
    open_cases = alive.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=end)).count()
    new_cases = cases.filter(registered_at__gte=start, registered_at__lte=end).count()
    closed_cases = cases.filter(closed_at__gte=start, closed_at__lte=end).count()
    due = cases.filter(assessment_due__gte=period_start, assessment_due__lte=period_end).aggregate(
        total=Count("pk"),
        # Completed by the due date (which lies inside the period, so also by the period's end).
        on_time=Count("pk", filter=Q(assessment__completed_on__lte=F("assessment_due"))))
    with_plan = (CasePlan.objects.filter(case__hromada_id__in=ids, approved_on__lte=period_end)
                 .filter(Q(case__closed_at__isnull=True) | Q(case__closed_at__gt=end))
                 .values("case__child_id").distinct().count())
    total = due["total"]
    return {
        "open_cases": open_cases,
        "new_cases": new_cases,
        "closed_cases": closed_cases,
        "assessments_due": total,
        "assessments_on_time": due["on_time"],
        "assessments_on_time_share": round(due["on_time"] / total, 4) if total else None,
        "children_with_plan": with_plan,
    }


STATUS_LABELS = dict(CaseStatus.choices)
