"""Statutory dates of an application: the application date, the decision due date, the late-documents deadline.

Rules (the law as Hromada applies it; every figure comes from the catalog data, never from code):

* **Application date.** The day the application was registered — for a paper application received by
  post or in a starosta district, the day the hromada received the paper (``paper_received_on``) — moved to
  the next working day when it is a day off (an application arriving on a day off counts from the next
  working day).
* **Decision due date.** ``catalog.calendar.due_date(application_date, service.term_days,
  service.term_kind)``: calendar terms ending on a day off move to the next working day, working-day terms
  skip weekends and public holidays (``catalog.Holiday`` data).
* **Time in ``returned``.** The statutory term is *suspended* while the case is back at the front office
  for correction: the back office cannot act on it, so the resident must not lose decision time and the
  back office must not be blamed for it. On resubmission the days spent in ``returned`` are counted in the
  unit of the service's term (calendar days, or working days for working-day terms) from the return day to
  the resubmission day (same day → 0), added to ``application.returned_days``, and the due date is the
  original term extended by all suspended days:
  ``due_date(application_date, term_days + returned_days, term_kind)``. Computing from the application
  date (instead of shifting the previous due date) keeps repeated returns from compounding weekend shifts.
* **Documents that may follow.** Deadline = registration date + ``service.late_documents_months`` months
  (1 month; 3 months for assistance to children with disabilities), clamped to the month's last day.
  If they arrive by then, the application date stays the registration date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from hromada.catalog import calendar
from hromada.catalog.models import TermKind
from hromada.core.months import add_months


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def registration_date(*, registered_on: date, paper_received_on: date | None = None) -> date:
    """The day the hromada received the application (paper date when the paper came first)."""
    if paper_received_on is not None and paper_received_on < registered_on:
        return paper_received_on
    return registered_on


def application_date_for(day: date) -> date:
    """The legal application date: ``day``, or the next working day when ``day`` is a day off."""
    return calendar.next_working_day(day)


def documents_deadline(*, registered_on: date, late_documents_months: int) -> date:
    return add_months(registered_on, late_documents_months)


def registration_day(application) -> date:
    """The registration date of an existing application (see the module docstring)."""
    return registration_date(registered_on=_local_date(application.registered_at),
                             paper_received_on=application.paper_received_on)


def documents_deadline_for(application) -> date:
    return documents_deadline(registered_on=registration_day(application),
                              late_documents_months=application.service.late_documents_months)


def initial_due_date(application) -> date:
    """The decision due date of a case on its first submission (no time in ``returned`` yet)."""
    service = application.service
    return calendar.due_date(application.application_date, service.term_days, service.term_kind)


def suspended_days(term_kind: str, returned_at: date | datetime, resubmitted_at: date | datetime) -> int:
    """Days of the term's unit between the return and the resubmission (0 on the same day)."""
    start, end = _local_date(returned_at), _local_date(resubmitted_at)
    if end <= start:
        return 0
    if term_kind == TermKind.WORKING:
        return calendar.working_days_between(start, end)
    return (end - start).days


@dataclass(frozen=True)
class DueAfterReturn:
    due_date: date
    returned_days: int       # total suspended days so far (to store in application.returned_days)
    added_days: int          # suspended days of this return


def due_date_after_return(application, returned_at: date | datetime, resubmitted_at: date | datetime) -> date:
    """The due date after a resubmission: see the module docstring (term suspended while returned)."""
    return after_return(application, returned_at, resubmitted_at).due_date


def after_return(application, returned_at: date | datetime, resubmitted_at: date | datetime) -> DueAfterReturn:
    """The due date after a resubmission with the suspended days (this return's and the total to store)."""
    service = application.service
    added = suspended_days(service.term_kind, returned_at, resubmitted_at)
    total = application.returned_days + added
    due = calendar.due_date(application.application_date, service.term_days + total, service.term_kind)
    return DueAfterReturn(due_date=due, returned_days=total, added_days=added)


def handover_is_late(paper_received_on: date | None, submitted_on: date) -> bool:
    """Paper must be handed over electronically within 3 working days (Cabinet resolution 1035 of
    28.10.2020); the limit is the setting ``HROMADA_HANDOVER_WORKING_DAYS`` (default 3)."""
    if paper_received_on is None:
        return False
    limit = getattr(settings, "HROMADA_HANDOVER_WORKING_DAYS", 3)
    return calendar.working_days_between(paper_received_on, submitted_on) > limit
