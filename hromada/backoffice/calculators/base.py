"""Shared pieces of the calculators: the result type, input fields, the versioned data."""
from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from hromada.core.errors import ValidationFailed

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "benefit_amounts.json"
CENT = Decimal("0.01")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def data_version() -> str:
    return _data()["version"]


def amounts_in_force(key: str, on: date) -> dict:
    """The latest record of ``key`` whose effective_from is not after ``on``."""
    records = sorted(_data()[key], key=lambda r: r["effective_from"])
    chosen = [r for r in records if date.fromisoformat(r["effective_from"]) <= on]
    if not chosen:
        raise ValidationFailed("Немає чинних розмірів допомоги на %(day)s." % {"day": on.strftime("%d.%m.%Y")},
                               code="no_amounts_in_force")
    return chosen[-1]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """12 345,67 (no currency), for calculation lines."""
    whole, frac = f"{money(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)},{frac}"


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_period(start: date, months: int) -> tuple[date, date]:
    """[start, start + months) as inclusive dates."""
    return start, add_months(start, months) - timedelta(days=1)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "int"            # int | date | money
    default: str = ""
    minimum: int = 0

    def parse(self, raw):
        if raw is None or raw == "":
            raw = self.default
        if raw == "" or raw is None:
            raise ValidationFailed("Заповніть поле «%(f)s»." % {"f": self.label}, code="calculator_input",
                                   details={"field": self.name})
        try:
            if self.kind == "int":
                value = int(str(raw).strip())
                if value < self.minimum:
                    raise ValueError
                return value
            if self.kind == "date":
                return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
            if value < 0 or not value.is_finite():
                raise ValueError
            return money(value)
        except (ValueError, InvalidOperation):
            raise ValidationFailed("Некоректне значення поля «%(f)s»." % {"f": self.label}, code="calculator_input",
                                   details={"field": self.name}) from None


@dataclass(frozen=True)
class Calculation:
    calculator: str
    data_version: str
    amount: Decimal              # the total for the whole period
    monthly: Decimal | None
    period_from: date
    period_to: date
    lines: list[str]
    legal_basis: str
    inputs: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "calculator": self.calculator, "data_version": self.data_version, "amount": str(self.amount),
            "monthly": str(self.monthly) if self.monthly is not None else None,
            "period_from": self.period_from.isoformat(), "period_to": self.period_to.isoformat(),
            "lines": list(self.lines), "legal_basis": self.legal_basis,
            "inputs": {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in self.inputs.items()},
        }


@dataclass(frozen=True)
class Calculator:
    code: str
    title: str
    data_key: str
    fields: tuple[Field, ...]
    compute: Callable[..., Calculation]

    def parse(self, inputs: dict) -> dict:
        return {f.name: f.parse(inputs.get(f.name)) for f in self.fields}
