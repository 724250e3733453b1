"""Assistance on a child under guardianship or care (опіка чи піклування; Law 2811-XII, art. 16–18; the Procedure
approved by Cabinet resolution No. 1751 of 27.12.2001): a multiple of the прожитковий мінімум for a child of the
child's age (a higher multiple for a child with a disability), minus the pension, alimony, stipend or state
assistance paid on the child. One child per calculation (the assistance is assigned per child).

The age group is the child's age on the application date; the Pension Fund revises the amount when the child
turns 6 or the прожитковий мінімум changes — the calculator does not split the period (docs/law.md).
Figures: legal-figures data (``guardianship.*``)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, add_months, finish, fmt, fmt_figure, money, months_period

AGE_GROUPS = (("child_under_6", 6), ("child_6_18", 18))


def age_group(born: date, on: date) -> str | None:
    """``child_under_6`` / ``child_6_18`` by the age on ``on``; None from the 18th birthday."""
    for group, years in AGE_GROUPS:
        if on < add_months(born, 12 * years):
            return group
    return None


def compute(values: dict, *, on: date, book: FigureBook):
    born, disabled, paid = values["birth_date"], values["disabled"], money(values["child_income"])
    if born > on:
        raise ValidationFailed(gettext("Дата народження дитини пізніша за дату звернення."), code="calculator_input",
                               details={"field": "birth_date"})
    if disabled not in (0, 1):
        raise ValidationFailed(gettext("Поле «Дитина з інвалідністю» — 0 (ні) або 1 (так)."), code="calculator_input",
                               details={"field": "disabled"})
    group = age_group(born, on)
    if group is None:
        raise ValidationFailed(gettext("Дитині виповнилося 18 років: допомога на дітей, над якими встановлено опіку чи "
                               "піклування, не призначається."), code="calculator_input",
                               details={"field": "birth_date"})
    sm = book.figure(f"subsistence_minimum.{group}")
    factor = book.figure("guardianship.multiplier_disabled" if disabled else "guardianship.multiplier")
    full = money(sm.value * factor.value)
    monthly = full - paid
    lines = [
        Line("Дата народження дитини; вік на дату звернення", f"{born:%d.%m.%Y}; "
             f"{'до 6 років' if group == 'child_under_6' else 'від 6 до 18 років'}", "Дані заяви"),
        Line(sm.label, fmt_figure(sm), sm.source),
        Line(f"{factor.label}: {fmt_figure(factor)} × {fmt(sm.value)}", f"{fmt(full)} грн", factor.source),
        Line("Пенсія, аліменти, стипендія, державна допомога, що виплачуються на дитину", f"{fmt(paid)} грн",
             "Дані заяви (документи про виплати на дитину)"),
    ]
    if monthly <= 0:
        raise ValidationFailed(gettext(
            "Виплати на дитину (%(paid)s грн) не менші за розмір допомоги (%(full)s грн): допомога "
                               "не призначається.") % {"paid": fmt(paid), "full": fmt(full)},
                               code="income_above_minimum")
    months_f = book.figure("guardianship.months")
    start = on.replace(day=1)
    adult = add_months(born, 12 * 18)     # the 18th birthday: whole months up to the month before it (simplified)
    months = max(min(int(months_f.value), (adult.year - start.year) * 12 + adult.month - start.month), 1)
    _, end = months_period(start, months)
    total = monthly * months
    lines += [
        Line(f"Щомісячно: {fmt(full)} − {fmt(paid)}", f"{fmt(monthly)} грн", factor.source),
        Line(f"Період: з {start:%d.%m.%Y} по {end:%d.%m.%Y} (не довше ніж до 18 років)", f"{months} міс.",
             months_f.source),
        Line(f"Разом за період: {fmt(monthly)} × {months}", f"{fmt(total)} грн", months_f.source),
    ]
    return finish(CALCULATOR, on=on, book=book, total=Decimal(total), monthly=monthly, period=(start, end),
                  lines=lines, values=values)


CALCULATOR = Calculator(
    code="guardianship_children", title="Допомога на дітей, над якими встановлено опіку чи піклування",
    fields=(Field("birth_date", gettext_lazy("Дата народження дитини"), "date"),
            Field("disabled", gettext_lazy("Дитина з інвалідністю (1 — так, 0 — ні)"), "int", default="0"),
            Field("child_income", gettext_lazy("Пенсія, аліменти, стипендія, державна допомога на дитину на місяць, грн"),
                  "money", default="0")),
    compute=compute,
    legal_basis="Закон України «Про державну допомогу сім’ям з дітьми» від 21.11.1992 № 2811-XII, ст. 16–18; "
                "Порядок призначення і виплати державної допомоги сім’ям з дітьми, затв. постановою КМУ від "
                "27.12.2001 № 1751")
