"""Working days and statutory terms. Holidays come from the Holiday table (data), never code."""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models.signals import post_delete, post_save

from hromada.core.caching import Versioned
from hromada.core.context import current_request_id

from .models import Holiday, TermKind

# The days off decide legal terms, so a change must be seen by every worker at once: they are cached only in the cache
# every worker shares (Redis), under a version each saved or deleted holiday replaces (core.caching.Versioned).
# Elsewhere they are read from the database, once per request.
DAYS_OFF_VERSION_KEY = "catalog:days-off-version"
_DAYS_OFF: Versioned[frozenset[date]] = Versioned(DAYS_OFF_VERSION_KEY, 24 * 3600)

# The days off as last read, with the request that read them: a request that needs them twice (the intake
# computes the case's dates on creation and again on submission) reads them once.
_this_request: dict[str, frozenset[date]] = {}


def _read_days_off() -> frozenset[date]:
    return frozenset(Holiday.objects.filter(is_day_off=True).values_list("date", flat=True))


def days_off() -> frozenset[date]:
    request_id = current_request_id()
    if request_id and request_id in _this_request:
        return _this_request[request_id]
    off = _DAYS_OFF.get("catalog:days-off", _read_days_off)
    _this_request.clear()
    if request_id:
        _this_request[request_id] = off
    return off


def _forget(**_kwargs) -> None:
    _this_request.clear()
    _DAYS_OFF.forget()


post_save.connect(_forget, sender=Holiday, dispatch_uid="catalog.calendar.forget_days_off")
post_delete.connect(_forget, sender=Holiday, dispatch_uid="catalog.calendar.forget_days_off")


def is_working_day(day: date, off: frozenset[date] | None = None) -> bool:
    off = days_off() if off is None else off
    return day.weekday() < 5 and day not in off


def next_working_day(day: date, off: frozenset[date] | None = None) -> date:
    """``day`` itself if it is a working day, else the next one (an application that arrives on a
    day off counts from the next working day)."""
    off = days_off() if off is None else off
    while not is_working_day(day, off):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int, off: frozenset[date] | None = None) -> date:
    off = days_off() if off is None else off
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, off):
            remaining -= 1
    return day


def due_date(start: date, days: int, kind: str, off: frozenset[date] | None = None) -> date:
    """The last day of a term of ``days`` counted from ``start`` (the day after it is day one).

    Calendar terms that end on a day off move to the next working day (ЦК України, ст. 254 ч. 5).
    """
    off = days_off() if off is None else off
    if kind == TermKind.WORKING:
        return add_working_days(start, days, off)
    return next_working_day(start + timedelta(days=days), off)


def working_days_between(start: date, end: date, off: frozenset[date] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    off = days_off() if off is None else off
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count
