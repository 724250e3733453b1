"""Reporting periods: a month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY), in Kyiv time."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.core.errors import ValidationFailed
from hromada.core.months import add_months, month_label

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2018  # the platform's data starts with the 2018 pilot


def month_start(d: date) -> date:
    return d.replace(day=1)


def current_month() -> date:
    return month_start(timezone.localdate())


@dataclass(frozen=True)
class Period:
    kind: str        # "month" | "quarter" | "year"
    year: int
    index: int = 0   # month 1–12 or quarter 1–4; 0 for a year

    @property
    def first_month(self) -> date:
        if self.kind == "month":
            return date(self.year, self.index, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.index - 2, 1)
        return date(self.year, 1, 1)

    @property
    def months(self) -> list[date]:
        n = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return [add_months(self.first_month, i) for i in range(n)]

    @property
    def reported_months(self) -> list[date]:
        """The months of the period that have begun (a running year has no future months)."""
        now = current_month()
        return [m for m in self.months if m <= now]

    @property
    def stock_month(self) -> date:
        """Stocks (overdue, coverage, …) are read at the end of the period's last begun month."""
        return self.reported_months[-1]

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return month_label(self.year, self.index)
        if self.kind == "quarter":
            return _("%(n)s квартал %(year)s") % {"n": self.index, "year": self.year}
        return _("%(year)s рік") % {"year": self.year}

    def start_end(self) -> tuple[date, date]:
        """First and last calendar day of the period."""
        return self.first_month, add_months(self.months[-1], 1) - timedelta(days=1)

    def previous(self) -> Period:
        if self.kind == "month":
            m = add_months(self.first_month, -1)
            return Period("month", m.year, m.month)
        if self.kind == "quarter":
            return Period("quarter", self.year - (self.index == 1), 4 if self.index == 1 else self.index - 1)
        return Period("year", self.year - 1)


def month_period(d: date) -> Period:
    return Period("month", d.year, d.month)


def parse_period(text: str | None, *, default: Period | None = None) -> Period:
    """Parse YYYY-MM, YYYY-Qn or YYYY. Empty → ``default`` (the current month). Future periods are rejected."""
    text = (text or "").strip()
    if not text:
        return default or month_period(current_month())
    if m := _MONTH.match(text):
        period = Period("month", int(m[1]), int(m[2]))
        valid = 1 <= period.index <= 12
    elif m := _QUARTER.match(text):
        period, valid = Period("quarter", int(m[1]), int(m[2])), True
    elif m := _YEAR.match(text):
        period, valid = Period("year", int(m[1])), True
    else:
        period, valid = None, False
    if not valid or period.year < FIRST_YEAR or period.first_month > current_month():
        raise ValidationFailed(
            _("Період «%(period)s» не розпізнано. Формат: РРРР-ММ (місяць), РРРР-Qn (квартал) або РРРР (рік), "
              "не раніше %(first)s і не в майбутньому.") % {"period": text[:20], "first": FIRST_YEAR},
            code="invalid_period")
    return period
