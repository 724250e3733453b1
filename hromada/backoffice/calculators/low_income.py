"""State social assistance to low-income families (Law 1768-III, art. 5; resolution 250): the family's guaranteed
minimum (a percentage of each member's прожитковий мінімум, set yearly by the budget law) minus its average
monthly income, not more than the cap, for the term of months. Figures: legal-figures data."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, finish, fmt, fmt_figure, money, months_period

GROUPS = (
    ("child_under_6", "Діти до 6 років"),
    ("child_6_18", "Діти від 6 до 18 років"),
    ("able_bodied", "Працездатні особи"),
    ("unable_to_work", "Особи, які втратили працездатність, особи з інвалідністю"),
)

# The same groups as form labels, in the interface's language (GROUPS stays Ukrainian: it names the decision's lines).
FIELD_LABELS = {
    "child_under_6": gettext_lazy("Діти до 6 років"),
    "child_6_18": gettext_lazy("Діти від 6 до 18 років"),
    "able_bodied": gettext_lazy("Працездатні особи"),
    "unable_to_work": gettext_lazy("Особи, які втратили працездатність, особи з інвалідністю"),
}


def compute(values: dict, *, on: date, book: FigureBook):
    counts = {g: values[g] for g, _ in GROUPS}
    if sum(counts.values()) == 0:
        raise ValidationFailed(gettext("Вкажіть склад сім’ї."), code="calculator_input", details={"field": "able_bodied"})
    income = money(values["income"])
    lines, guaranteed, subsistence = [], Decimal(0), Decimal(0)
    for group, label in GROUPS:
        n = counts[group]
        if not n:
            continue
        sm, pct = book.figure(f"subsistence_minimum.{group}"), book.figure(f"low_income.guaranteed_percent.{group}")
        level = money(sm.value * pct.value / 100)
        guaranteed += level * n
        subsistence += sm.value * n
        lines.append(Line(f"{sm.label}", fmt_figure(sm), sm.source))
        lines.append(Line(f"{label}: {n} × {fmt_figure(pct)} від {fmt(sm.value)} грн", f"{fmt(level * n)} грн",
                          pct.source))
    guaranteed, subsistence = money(guaranteed), money(subsistence)
    lines.append(Line("Гарантований мінімум сім’ї", f"{fmt(guaranteed)} грн", "Сума рядків вище"))
    lines.append(Line("Середньомісячний сукупний дохід сім’ї", f"{fmt(income)} грн", "Дані заяви (декларація / реєстри)"))
    difference = guaranteed - income
    if difference <= 0:
        raise ValidationFailed(gettext("Дохід сім’ї не менший за гарантований мінімум: права на допомогу немає "
                               "(підстава відмови «income_above_minimum»)."), code="income_above_minimum")
    cap_f = book.figure("low_income.cap_percent")
    cap = money(subsistence * cap_f.value / 100)
    monthly = min(difference, cap)
    months_f = book.figure("low_income.months")
    months = int(months_f.value)
    start, end = months_period(on.replace(day=1), months)
    total = monthly * months
    lines += [
        Line(f"Різниця: {fmt(guaranteed)} − {fmt(income)}", f"{fmt(difference)} грн", "Закон № 1768-III, ст. 5"),
        Line(f"Не більше {fmt_figure(cap_f)} прожиткового мінімуму сім’ї ({fmt(subsistence)} грн)", f"{fmt(cap)} грн",
             cap_f.source),
        Line("Щомісячно", f"{fmt(monthly)} грн", cap_f.source),
        Line(f"Період: з {start:%d.%m.%Y} по {end:%d.%m.%Y}", fmt_figure(months_f), months_f.source),
        Line(f"Разом за період: {fmt(monthly)} × {months}", f"{fmt(total)} грн", months_f.source),
    ]
    return finish(CALCULATOR, on=on, book=book, total=total, monthly=monthly, period=(start, end), lines=lines,
                  values=values)


CALCULATOR = Calculator(
    code="low_income_family", title="Допомога малозабезпеченим сім’ям",
    fields=tuple(Field(g, FIELD_LABELS[g], "int", default="0") for g, _label in GROUPS)
    + (Field("income", gettext_lazy("Середньомісячний сукупний дохід сім’ї, грн"), "money", income=True),),
    compute=compute,
    legal_basis="Закон України «Про державну соціальну допомогу малозабезпеченим сім’ям» від 01.06.2000 № 1768-III, "
                "ст. 5; Порядок, затв. постановою КМУ від 24.02.2003 № 250; закон про Державний бюджет України на "
                "відповідний рік, ст. 7 (прожитковий мінімум, гарантований мінімум)")
