"""Assistance at birth of a child (Law 2811-XII, art. 11–12; resolution 1751): a lump sum at once and
the rest in equal monthly payments; the claim must come within 12 months of the birth."""
from __future__ import annotations

from datetime import date

from hromada.core.errors import ValidationFailed

from .base import Calculation, Calculator, Field, add_months, data_version, fmt, money, months_period


def compute(values: dict, *, on: date, data: dict) -> Calculation:
    """``on`` is the application date; ``values``: child_birth_date, children (twins count each)."""
    born, children = values["child_birth_date"], values["children"]
    if born > on:
        raise ValidationFailed("Дата народження дитини пізніша за дату звернення.", code="calculator_input",
                               details={"field": "child_birth_date"})
    if add_months(born, data["claim_within_months"]) < on:
        raise ValidationFailed("Звернення надійшло пізніше %(n)s місяців з дня народження дитини: права на допомогу "
                               "немає (підстава відмови «claim_period_expired»)." % {"n": data["claim_within_months"]},
                               code="claim_period_expired")
    lump, monthly, months = money(data["lump_sum"]), money(data["monthly"]), int(data["months"])
    per_child = money(data["total"])
    if lump + monthly * months != per_child:
        raise ValueError("benefit_amounts.json: birth_assistance parts do not add up to the total")
    total = per_child * children
    start, end = months_period(on, months)
    lines = [
        f"Розмір допомоги на одну дитину: {fmt(per_child)} грн",
        f"  одноразово: {fmt(lump)} грн",
        f"  щомісячно: {fmt(monthly)} грн × {months} міс. = {fmt(monthly * months)} грн",
        f"Кількість дітей: {children}",
        f"Разом: {fmt(per_child)} × {children} = {fmt(total)} грн",
        f"Одноразова виплата: {fmt(lump * children)} грн; щомісячно: {fmt(monthly * children)} грн "
        f"з {start:%d.%m.%Y} по {end:%d.%m.%Y}",
    ]
    return Calculation("birth_assistance", data_version(), total, monthly * children, start, end, lines,
                       data["legal_basis"], dict(values))


CALCULATOR = Calculator(
    code="birth_assistance", title="Допомога при народженні дитини", data_key="birth_assistance",
    fields=(Field("child_birth_date", "Дата народження дитини", "date"),
            Field("children", "Кількість дітей, народжених одночасно", "int", default="1", minimum=1)),
    compute=compute)
