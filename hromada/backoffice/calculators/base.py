"""Shared pieces of the calculators: the result type (lines, each with its source), input fields, formatting.

Every figure comes from ``hromada.catalog.legal.FigureBook`` (rows with their act and period); nothing here or in
a calculator module is a legal amount.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext

from hromada.catalog.legal import FigureBook, UsedFigure
from hromada.core.errors import ValidationFailed
from hromada.core.money import money
from hromada.core.months import add_months

__all__ = ["Calculation", "Calculator", "Field", "FigureBook", "Line", "add_months", "fmt", "fmt_figure", "money",
           "months_period"]

INPUT_SOURCE = "Дані заяви"


def fmt(value: Decimal) -> str:
    """12 345,67 (no currency), for calculation lines."""
    whole, frac = f"{money(value):.2f}".split(".")
    sign = "−" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{frac}"


UNIT_SUFFIX = {"uah": " грн", "percent": " %", "months": " міс.", "m2": " м²", "coefficient": "", "month": ""}


def fmt_figure(f: UsedFigure) -> str:
    text = fmt(f.value) if f.unit == "uah" else str(f.value).replace(".", ",")
    return text + UNIT_SUFFIX.get(f.unit, "")


def months_period(start: date, months: int) -> tuple[date, date]:
    """[start, start + months) as inclusive dates."""
    return start, add_months(start, months) - timedelta(days=1)


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    source: str

    def as_json(self) -> dict:
        return {"label": self.label, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise  # a form label, translated lazily (never written into a decision)
    kind: str = "int"            # int | date | money | decimal
    default: str = ""
    minimum: int = 0
    income: bool = False         # an average monthly income: the registers may fill it instead of the declaration

    def parse(self, raw):
        if raw is None or raw == "":
            raw = self.default
        if raw == "" or raw is None:
            raise ValidationFailed(gettext("Заповніть поле «%(f)s».") % {"f": self.label}, code="calculator_input",
                                   details={"field": self.name})
        try:
            if self.kind == "int":
                value = int(str(raw).strip())
                if value < self.minimum:
                    raise ValueError
                return value
            if self.kind == "date":
                return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            number = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
            if number < 0 or not number.is_finite() or number >= Decimal("1e10"):
                raise ValueError
            return money(number) if self.kind == "money" else number
        except (ValueError, InvalidOperation):
            raise ValidationFailed(gettext("Некоректне значення поля «%(f)s».") % {"f": self.label}, code="calculator_input",
                                   details={"field": self.name}) from None


@dataclass
class Calculation:
    """A calculator's result: the total for the period, the lines (each naming its source), the figures used.

    ``as_json`` is what a decision stores: with the figures, so that a later change of the law does not change
    what was decided, and ``recompute`` can show the difference."""
    calculator: str
    on_date: date
    total: Decimal
    monthly: Decimal | None
    period_from: date
    period_to: date
    lines: list[Line]
    legal_basis: str
    inputs: dict = field(default_factory=dict)
    figures: list[UsedFigure] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return self.total

    @property
    def data_version(self) -> str:
        """A short fingerprint of the figures used (which rows, which values)."""
        text = ";".join(sorted(f"{f.key}={f.value}@{f.valid_from}" for f in self.figures))
        return "lf-" + hashlib.sha256(text.encode()).hexdigest()[:12]

    def as_json(self) -> dict:
        return {
            "calculator": self.calculator, "on_date": self.on_date.isoformat(), "data_version": self.data_version,
            "total": str(self.total), "amount": str(self.total), "currency": "UAH",
            "monthly": str(self.monthly) if self.monthly is not None else None,
            "period_from": self.period_from.isoformat(), "period_to": self.period_to.isoformat(),
            "lines": [line.as_json() for line in self.lines], "legal_basis": self.legal_basis,
            "inputs": {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in self.inputs.items()},
            "figures": [f.as_json() for f in self.figures], "unconfirmed": list(self.unconfirmed),
        }


@dataclass(frozen=True)
class Calculator:
    code: str
    title: str
    fields: tuple[Field, ...]
    compute: Callable[..., Calculation]
    legal_basis: str = ""

    def parse(self, inputs) -> dict:
        return {f.name: f.parse(inputs.get(f.name)) for f in self.fields}


def finish(calc: Calculator, *, on: date, book: FigureBook, total: Decimal, monthly: Decimal | None,
           period: tuple[date, date], lines: list[Line], values: dict) -> Calculation:
    """The Calculation with the figures the book handed out (and which of them are unconfirmed)."""
    return Calculation(calc.code, on, money(total), money(monthly) if monthly is not None else None, period[0],
                       period[1], lines, calc.legal_basis, dict(values), list(book.used.values()), book.unconfirmed)
