"""Assistance at birth of a child (Law 2811-XII, art. 10–12): the amount in force on the child's BIRTH date — for
children born to 31.12.2025 41,280 (a lump sum at once, the rest in equal monthly payments), for children born
from 01.01.2026 a single payment (Law 4681-IX of 05.11.2025); the claim must come within the term after the birth.
Every figure comes from the legal-figures data."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from hromada.catalog.legal import LegalFigureMissing
from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, add_months, finish, fmt, fmt_figure, money, months_period


def compute(values: dict, *, on: date, book: FigureBook):
    """``on`` is the application date; ``values``: birth_date, children (twins count each)."""
    born, children = values["birth_date"], values["children"]
    if born > on:
        raise ValidationFailed(gettext("Дата народження дитини пізніша за дату звернення."), code="calculator_input",
                               details={"field": "birth_date"})
    term = book.figure("birth_assistance.claim_within_months")
    if add_months(born, int(term.value)) < on:
        raise ValidationFailed(gettext("Звернення надійшло пізніше %(n)s місяців з дня народження дитини: права на допомогу "
                               "немає (підстава відмови «claim_period_expired», %(src)s).")
                               % {"n": term.value, "src": term.source}, code="claim_period_expired")
    # The amount is the one in force on the day the child was born (the law in force at the birth).
    total_f, lump_f, months_f = (book.figure("birth_assistance.total", on=born),
                                 book.figure("birth_assistance.lump_sum", on=born),
                                 book.figure("birth_assistance.months", on=born))
    per_child, lump, months = money(total_f.value), money(lump_f.value), int(months_f.value)
    total = per_child * children
    lines = [
        Line("Дата народження дитини; звернення протягом " + fmt_figure(term),
             f"{born:%d.%m.%Y}; звернення {on:%d.%m.%Y}", term.source),
        Line(total_f.label + f" (на одну дитину; розмір на дату народження {born:%d.%m.%Y})", fmt_figure(total_f),
             total_f.source),
        Line(lump_f.label, fmt_figure(lump_f), lump_f.source),
    ]
    if per_child > lump and months > 0:
        # The law sets the total and the lump sum; the rest is paid in equal monthly parts (art. 12).
        monthly: Decimal | None = money((per_child - lump) / months)
        start, end = months_period(on, months)
        lines.append(Line(f"Щомісячно: ({fmt(per_child)} − {fmt(lump)}) ÷ {months}", f"{fmt(monthly)} грн",
                          months_f.source))
    elif per_child == lump:
        monthly, (start, end) = None, (on, on)
    else:
        raise LegalFigureMissing(gettext("Нормативні показники допомоги при народженні на %(d)s суперечать один одному "
                                         "(одноразова частина більша за розмір або строк виплати решти не встановлено).")
                                 % {"d": f"{born:%d.%m.%Y}"}, details={"key": months_f.key})
    lines += [
        Line("Кількість дітей, народжених одночасно", str(children), "Дані заяви"),
        Line(f"Разом: {fmt(per_child)} × {children}", f"{fmt(total)} грн", total_f.source),
    ]
    if monthly is None:
        lines.append(Line("Виплачується одноразово", f"{fmt(lump * children)} грн", lump_f.source))
    else:
        lines.append(Line(f"Одноразова виплата; щомісячно з {start:%d.%m.%Y} по {end:%d.%m.%Y}",
                          f"{fmt(lump * children)} грн; {fmt(monthly * children)} грн", months_f.source))
    return finish(CALCULATOR, on=on, book=book, total=total,
                  monthly=None if monthly is None else monthly * children, period=(start, end),
                  lines=lines, values=values)


CALCULATOR = Calculator(
    code="birth_assistance", title="Допомога при народженні дитини",
    fields=(Field("birth_date", gettext_lazy("Дата народження дитини"), "date"),
            Field("children", gettext_lazy("Кількість дітей, народжених одночасно"), "int", default="1", minimum=1)),
    compute=compute,
    legal_basis="Закон України «Про державну допомогу сім’ям з дітьми» від 21.11.1992 № 2811-XII, ст. 10–12 "
                "(для дітей, народжених з 01.01.2026, — у ред. Закону від 05.11.2025 № 4681-IX); "
                "Порядок призначення і виплати державної допомоги сім’ям з дітьми, затв. постановою КМУ від "
                "27.12.2001 № 1751")
