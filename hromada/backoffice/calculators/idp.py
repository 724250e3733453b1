"""IDP living allowance (resolution 332 of 20.03.2022): a monthly amount per person — more for children and
persons with disabilities — for a term of months from the month of application. Figures: legal-figures data."""
from __future__ import annotations

from datetime import date

from django.utils.translation import gettext, gettext_lazy

from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, finish, fmt, fmt_figure, months_period


def compute(values: dict, *, on: date, book: FigureBook):
    children, disabled, others = values["children"], values["disabled"], values["others"]
    if children + disabled + others == 0:
        raise ValidationFailed(gettext("Вкажіть хоча б одну особу, якій призначається допомога."), code="calculator_input",
                               details={"field": "others"})
    rates = [("idp.per_child", children), ("idp.per_disabled", disabled), ("idp.per_other", others)]
    lines, monthly = [], 0
    for key, n in rates:
        f = book.figure(key)
        monthly += f.value * n
        lines.append(Line(f"{f.label}: {n} × {fmt_figure(f)}", f"{fmt(f.value * n)} грн", f.source))
    months_f = book.figure("idp.months")
    months = int(months_f.value)
    start, end = months_period(on.replace(day=1), months)
    total = monthly * months
    lines += [
        Line("Щомісячно", f"{fmt(monthly)} грн", "Сума рядків вище"),
        Line(f"Період: з {start:%d.%m.%Y} по {end:%d.%m.%Y}", fmt_figure(months_f), months_f.source),
        Line(f"Разом за період: {fmt(monthly)} × {months}", f"{fmt(total)} грн", months_f.source),
    ]
    return finish(CALCULATOR, on=on, book=book, total=total, monthly=monthly, period=(start, end), lines=lines,
                  values=values)


CALCULATOR = Calculator(
    code="idp_living_allowance", title="Допомога на проживання ВПО",
    fields=(Field("children", gettext_lazy("Діти (до 18 років)"), "int", default="0"),
            Field("disabled", gettext_lazy("Особи з інвалідністю"), "int", default="0"),
            Field("others", gettext_lazy("Інші особи"), "int", default="0")),
    compute=compute,
    legal_basis="Порядок надання допомоги на проживання внутрішньо переміщеним особам, затв. постановою КМУ від "
                "20.03.2022 № 332")
