"""IDP living allowance (resolution 332 of 20.03.2022): a monthly amount per person — more for children
and persons with disabilities — for a fixed number of months from the month of application."""
from __future__ import annotations

from datetime import date

from hromada.core.errors import ValidationFailed

from .base import Calculation, Calculator, Field, data_version, fmt, money, months_period


def compute(values: dict, *, on: date, data: dict) -> Calculation:
    children, disabled, others = values["children"], values["disabled"], values["others"]
    if children + disabled + others == 0:
        raise ValidationFailed("Вкажіть хоча б одну особу, якій призначається допомога.", code="calculator_input",
                               details={"field": "others"})
    per_child, per_disabled, per_other = money(data["per_child"]), money(data["per_disabled"]), money(data["per_other"])
    monthly = per_child * children + per_disabled * disabled + per_other * others
    months = int(data["months"])
    start, end = months_period(on.replace(day=1), months)
    total = monthly * months
    lines = [
        f"Діти: {children} × {fmt(per_child)} грн = {fmt(per_child * children)} грн",
        f"Особи з інвалідністю: {disabled} × {fmt(per_disabled)} грн = {fmt(per_disabled * disabled)} грн",
        f"Інші особи: {others} × {fmt(per_other)} грн = {fmt(per_other * others)} грн",
        f"Щомісячно: {fmt(monthly)} грн",
        f"Період: {months} міс., з {start:%d.%m.%Y} по {end:%d.%m.%Y}",
        f"Разом за період: {fmt(monthly)} × {months} = {fmt(total)} грн",
    ]
    return Calculation("idp_living_allowance", data_version(), total, monthly, start, end, lines,
                       data["legal_basis"], dict(values))


CALCULATOR = Calculator(
    code="idp_living_allowance", title="Допомога на проживання ВПО", data_key="idp_living_allowance",
    fields=(Field("children", "Діти (до 18 років)", "int", default="0"),
            Field("disabled", "Особи з інвалідністю", "int", default="0"),
            Field("others", "Інші особи", "int", default="0")),
    compute=compute)
