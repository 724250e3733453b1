"""Housing subsidy (Положення про порядок призначення житлових субсидій, resolution 848 of 21.10.1995).

The household pays an obligatory share of its income; the subsidy is what the services cost within the social
norms above that payment:

- income coefficient Кд = average monthly income per member ÷ прожитковий мінімум on one person set on 1 January
  of the year from which the subsidy is assigned;
- share Ро = Кд ÷ Кг × Рг (resolution 1156; Кг and Рг are figures), rounded to hundredths of a percent;
- obligatory payment = Ро × the household's average monthly income;
- heating is paid within the social norm of housing (per member plus per household, resolution 409), only in
  the heating season; the other services are entered at their cost within the consumption norms;
- assigned from the month of application to the end of the current season (п. 15); the next season is
  calculated anew.

The income can come from the declaration or, later, from the registers: it is an input here.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_lazy

from hromada.core.errors import ValidationFailed

from .base import Calculator, Field, FigureBook, Line, finish, fmt, fmt_figure, money

FOUR_PLACES, TWO_PLACES = Decimal("0.0001"), Decimal("0.01")


def season_bounds(on: date, first: int, last: int) -> tuple[bool, date, int]:
    """(heating season?, last day of the current season, months from the month of ``on`` to that day)."""
    heating = on.month >= first or on.month <= last
    if heating:
        end_year = on.year + 1 if on.month >= first else on.year
        end = date(end_year, last + 1, 1) if last < 12 else date(end_year + 1, 1, 1)
    else:
        end = date(on.year, first, 1)
    months = (end.year - on.year) * 12 + end.month - on.month
    return heating, date.fromordinal(end.toordinal() - 1), months


def compute(values: dict, *, on: date, book: FigureBook):
    members, income = values["members"], money(values["income"])
    area, heating_rate, services = values["area"], money(values["heating_per_m2"]), money(values["services"])
    if members < 1:
        raise ValidationFailed(gettext("Вкажіть кількість членів домогосподарства."), code="calculator_input",
                               details={"field": "members"})
    january = date(on.year, 1, 1)
    pm = book.figure("subsistence_minimum.general", on=january)
    divisor, base = book.figure("housing_subsidy.income_divisor"), book.figure("housing_subsidy.base_share")
    per_person = money(income / members)
    kd = (per_person / pm.value).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    share = (kd / divisor.value * base.value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    obligatory = money(income * share / 100)
    first, last = book.figure("housing_subsidy.heating_first_month"), book.figure("housing_subsidy.heating_last_month")
    heating, end, months = season_bounds(on, int(first.value), int(last.value))
    per_member, per_household = (book.figure("housing_subsidy.norm_area_per_person"),
                                 book.figure("housing_subsidy.norm_area_per_household"))
    norm_area = per_member.value * members + per_household.value
    heated_area = min(area, norm_area)
    heating_cost = money(heated_area * heating_rate) if heating else Decimal("0.00")
    cost = heating_cost + services
    lines = [
        Line("Середньомісячний сукупний дохід домогосподарства", f"{fmt(income)} грн", "Дані заяви (декларація / реєстри)"),
        Line(f"Дохід на одного члена: {fmt(income)} ÷ {members}", f"{fmt(per_person)} грн", "Дані заяви"),
        Line(f"{pm.label} на 01.01.{on.year}", fmt_figure(pm), pm.source),
        Line(f"Коефіцієнт доходу Кд: {fmt(per_person)} ÷ {fmt(pm.value)}", str(kd).replace(".", ","), pm.source),
        Line(f"Частка платежу Ро = Кд ÷ {fmt_figure(divisor)} × {fmt_figure(base)}", f"{str(share).replace('.', ',')} %",
             base.source),
        Line(f"Обов’язковий платіж: {fmt(income)} × {str(share).replace('.', ',')} %", f"{fmt(obligatory)} грн",
             base.source),
        Line(f"Соціальна норма житла: {fmt_figure(per_member)} × {members} + {fmt_figure(per_household)}",
             f"{str(norm_area).replace('.', ',')} м²", per_member.source),
        Line(f"Сезон ({'опалювальний' if heating else 'неопалювальний'}), з {on.replace(day=1):%d.%m.%Y} по "
             f"{end:%d.%m.%Y}", f"{months} міс.", first.source),
    ]
    if heating:
        lines.append(Line(f"Опалення: {str(heated_area).replace('.', ',')} м² (у межах норми) × {fmt(heating_rate)} грн/м²",
                          f"{fmt(heating_cost)} грн", per_member.source))
    lines += [
        Line("Інші житлово-комунальні послуги в межах соціальних нормативів", f"{fmt(services)} грн",
             "Дані заяви (рахунки надавачів); нормативи — постанова КМУ від 06.08.2014 № 409"),
        Line("Плата за послуги в межах норм", f"{fmt(cost)} грн", "Сума рядків вище"),
    ]
    monthly = cost - obligatory
    if monthly <= 0:
        raise ValidationFailed(gettext("Плата за послуги в межах соціальних норм (%(cost)s грн) не перевищує обов’язкового "
                               "платежу (%(pay)s грн): житлова субсидія не призначається.")
                               % {"cost": fmt(cost), "pay": fmt(obligatory)}, code="income_above_minimum")
    total = monthly * months
    lines += [
        Line(f"Субсидія на місяць: {fmt(cost)} − {fmt(obligatory)}", f"{fmt(monthly)} грн", CALCULATOR.legal_basis),
        Line(f"Разом до кінця сезону: {fmt(monthly)} × {months}", f"{fmt(total)} грн", first.source),
    ]
    return finish(CALCULATOR, on=on, book=book, total=total, monthly=monthly, period=(on.replace(day=1), end),
                  lines=lines, values=values)


CALCULATOR = Calculator(
    code="housing_subsidy", title="Житлова субсидія",
    fields=(Field("members", gettext_lazy("Кількість членів домогосподарства"), "int", default="1", minimum=1),
            Field("income", gettext_lazy("Середньомісячний сукупний дохід домогосподарства, грн"), "money", income=True),
            Field("area", gettext_lazy("Загальна площа житла, м²"), "decimal"),
            Field("heating_per_m2", gettext_lazy("Плата за опалення за 1 м² на місяць, грн (0 — без опалення)"),
                  "money", default="0"),
            Field("services", gettext_lazy("Інші послуги в межах соціальних нормативів на місяць, грн"),
                  "money", default="0")),
    compute=compute,
    legal_basis="Положення про порядок призначення житлових субсидій, затв. постановою КМУ від 21.10.1995 № 848; "
                "постанова КМУ від 27.07.1998 № 1156; постанова КМУ від 06.08.2014 № 409")
