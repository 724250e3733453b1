"""Assistance on children of single mothers (Law 2811-XII, art. 18-3): for each child, a percentage of the
прожитковий мінімум for a child of that age minus the family's average monthly income per member (over the
previous six months). The term of assignment is a figure too; where it is not established, the preview shows
the monthly amount for the month of application and a decision refuses."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from hromada.catalog.legal import LegalFigureMissing
from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, finish, fmt, fmt_figure, money, months_period

GROUPS = (("child_under_6", "children_under_6", "Діти до 6 років"),
          ("child_6_18", "children_6_18", "Діти від 6 до 18 років"))


def compute(values: dict, *, on: date, book: FigureBook):
    income = money(values["income_per_person"])
    if values["children_under_6"] + values["children_6_18"] == 0:
        raise ValidationFailed(gettext("Вкажіть кількість дітей."), code="calculator_input",
                               details={"field": "children_6_18"})
    pct = book.figure("single_mother.percent")
    lines = [Line("Середньомісячний сукупний дохід сім’ї на одну особу", f"{fmt(income)} грн",
                  "Дані заяви (декларація / реєстри)")]
    monthly = Decimal(0)
    for group, field_name, label in GROUPS:
        n = values[field_name]
        if not n:
            continue
        sm = book.figure(f"subsistence_minimum.{group}")
        level = money(sm.value * pct.value / 100)
        per_child = max(level - income, Decimal(0))
        monthly += per_child * n
        lines.append(Line(sm.label, fmt_figure(sm), sm.source))
        lines.append(Line(f"{label}: {n} × ({fmt_figure(pct)} × {fmt(sm.value)} − {fmt(income)})",
                          f"{fmt(per_child * n)} грн", pct.source))
    if monthly <= 0:
        raise ValidationFailed(gettext("Дохід сім’ї на одну особу не менший за прожитковий мінімум для дитини: права на "
                               "допомогу немає (підстава відмови «income_above_minimum»)."), code="income_above_minimum")
    lines.append(Line("Щомісячно", f"{fmt(monthly)} грн", pct.source))
    try:
        months_f = book.figure("single_mother.months")
    except LegalFigureMissing:
        if book.strict:
            raise
        # Preview only: one month, and the term is listed as not established.
        months_f = None
        book.missing.append("Строк призначення допомоги на дітей одиноким матерям (не встановлено)")
    months = int(months_f.value) if months_f else 1
    start, end = months_period(on.replace(day=1), months)
    lines.append(Line(f"Період: з {start:%d.%m.%Y} по {end:%d.%m.%Y}",
                      fmt_figure(months_f) if months_f else "не встановлено",
                      months_f.source if months_f else "Строк не знайдено в чинних джерелах"))
    return finish(CALCULATOR, on=on, book=book, total=monthly * months, monthly=monthly, period=(start, end),
                  lines=lines, values=values)


CALCULATOR = Calculator(
    code="single_mother_children", title="Допомога на дітей одиноким матерям",
    fields=(Field("children_under_6", gettext_lazy("Діти до 6 років"), "int", default="0"),
            Field("children_6_18", gettext_lazy("Діти від 6 до 18 років"), "int", default="0"),
            Field("income_per_person", gettext_lazy("Середньомісячний сукупний дохід сім’ї на одну особу, грн"),
                  "money", income=True)),
    compute=compute,
    legal_basis="Закон України «Про державну допомогу сім’ям з дітьми» від 21.11.1992 № 2811-XII, ст. 18-3; "
                "Порядок, затв. постановою КМУ від 27.12.2001 № 1751")
