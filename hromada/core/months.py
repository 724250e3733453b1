"""Months: names for the interface (translated: «листопад 2026» / «November 2026»), month arithmetic and
bounds — written once for deadlines, calculators, billing periods and monitoring.

Legal documents (acts, PDFs) stay Ukrainian whatever the interface language and keep their own wording.
"""
import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

KYIV = ZoneInfo("Europe/Kyiv")

MONTH_NAMES = [_("січень"), _("лютий"), _("березень"), _("квітень"), _("травень"), _("червень"), _("липень"),
               _("серпень"), _("вересень"), _("жовтень"), _("листопад"), _("грудень")]


def month_label(year: int, month: int) -> str:
    """«листопад 2026» in Ukrainian, «November 2026» in English."""
    return f"{MONTH_NAMES[month - 1]} {year}"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day: 31.01 + 1 → 28/29.02."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in Kyiv time (the legal time of Ukraine), as aware datetimes."""
    start = datetime(year, month, 1, tzinfo=KYIV)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=KYIV)
    return start, end
