"""Benefit calculators: pure functions over versioned data (backoffice/data/benefit_amounts.json).

``calculate(code, inputs, on=application_date)`` picks the amounts in force on that date, validates
the inputs and returns a ``Calculation`` (amount for the whole period, period, human-readable lines,
legal basis). The same result is shown in the decide form and stored in Decision.calculation.
"""
from __future__ import annotations

from datetime import date

from hromada.core.errors import ValidationFailed

from . import birth, idp, low_income
from .base import Calculation, Field, amounts_in_force, data_version

CALCULATORS = {
    "birth_assistance": birth.CALCULATOR,
    "idp_living_allowance": idp.CALCULATOR,
    "low_income_family": low_income.CALCULATOR,
}


def get(code: str):
    try:
        return CALCULATORS[code]
    except KeyError:
        raise ValidationFailed("Для цієї послуги немає калькулятора.", code="unknown_calculator") from None


def calculate(code: str, inputs: dict, *, on: date) -> Calculation:
    calc = get(code)
    values = calc.parse(inputs)
    return calc.compute(values, on=on, data=amounts_in_force(calc.data_key, on))


__all__ = ["CALCULATORS", "Calculation", "Field", "calculate", "data_version", "get"]
