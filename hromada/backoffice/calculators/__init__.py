"""Benefit calculators: pure functions over the legal figures in force (hromada.catalog.legal).

``calculate(code, inputs, on_date)`` validates the inputs and returns a ``Calculation`` (total for the period,
monthly amount, period, lines each naming its source, the figures used, the unconfirmed ones). Incomes are
inputs: the declaration today, the registers tomorrow (a caller may fill ``income`` before calling).

``strict=True`` is what a decision uses: an unconfirmed figure then refuses like a missing one
(``legal_figure_missing``). ``recompute`` repeats a stored calculation on today's figures and lists what changed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext

from hromada.catalog.legal import FigureBook, LegalFigureMissing
from hromada.core.errors import ValidationFailed

from . import birth, guardianship, housing, idp, low_income, single_mother
from .base import Calculation, Calculator, Field, Line

CALCULATORS: dict[str, Calculator] = {c.code: c for c in (
    birth.CALCULATOR, idp.CALCULATOR, low_income.CALCULATOR, housing.CALCULATOR, single_mother.CALCULATOR,
    guardianship.CALCULATOR)}


def get(code: str) -> Calculator:
    try:
        return CALCULATORS[code]
    except KeyError:
        raise ValidationFailed(gettext("Для цієї послуги немає калькулятора."), code="unknown_calculator") from None


def calculate(code: str, inputs: Mapping, on_date: date, *, strict: bool = False) -> Calculation:
    """The calculation for ``inputs`` with the figures in force on ``on_date`` (the application date)."""
    calc = get(code)
    values = calc.parse(inputs)
    return calc.compute(values, on=on_date, book=FigureBook(on_date, strict=strict))


def income_fields(code: str) -> list[str]:
    """The inputs of calculator ``code`` that are average monthly incomes (hryvnias): where register data plug in.
    ``income`` is the household's (family's) total, ``income_per_person`` per member."""
    return [f.name for f in get(code).fields if f.income]


@dataclass(frozen=True)
class Recalculation:
    """A stored calculation against today's figures: the totals and each figure whose value or source changed."""
    stored_total: Decimal
    current_total: Decimal | None
    changed: list[dict]          # {label, stored, current, source}
    error: str = ""

    @property
    def difference(self) -> Decimal | None:
        return None if self.current_total is None else self.current_total - self.stored_total


def recompute(stored: dict) -> Recalculation:
    """Repeat a calculation stored with a decision (``Calculation.as_json()``) on the figures in the database now."""
    on_date = date.fromisoformat(stored["on_date"])
    stored_total = Decimal(stored["total"])
    old = {f["key"]: f for f in stored.get("figures", [])}
    try:
        result = calculate(stored["calculator"], stored.get("inputs", {}), on_date)
    except (LegalFigureMissing, ValidationFailed) as exc:
        return Recalculation(stored_total, None, [], str(exc.message))
    changed = []
    for f in result.figures:
        before = old.get(f.key)
        if before is None or Decimal(before["value"]) != f.value or before["source"] != f.source:
            changed.append({"label": f.label, "stored": before["value"] if before else None, "current": str(f.value),
                            "source": f.source})
    return Recalculation(stored_total, result.total, changed)


__all__ = ["CALCULATORS", "Calculation", "Field", "Line", "Recalculation", "calculate", "get", "income_fields", "recompute"]
