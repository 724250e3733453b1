"""State social assistance to low-income families (Law 1768-III; resolution 250): the family's
guaranteed minimum minus its average monthly income, capped at 75 % of the family's subsistence
minimum, for 6 months. Subsistence minimums and guaranteed-minimum levels are data per year."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hromada.core.errors import ValidationFailed

from .base import Calculation, Calculator, Field, amounts_in_force, data_version, fmt, money, months_period

GROUPS = (
    ("child_under_6", "Діти до 6 років"),
    ("child_6_18", "Діти від 6 до 18 років"),
    ("able_bodied", "Працездатні особи"),
    ("unable_to_work", "Особи, які втратили працездатність, особи з інвалідністю"),
)


def compute(values: dict, *, on: date, data: dict, minimums: dict | None = None) -> Calculation:
    minimums = minimums if minimums is not None else amounts_in_force("subsistence_minimum", on)
    counts = {g: values[g] for g, _ in GROUPS}
    if sum(counts.values()) == 0:
        raise ValidationFailed("Вкажіть склад сім’ї.", code="calculator_input", details={"field": "able_bodied"})
    income = money(values["income"])
    lines, guaranteed, subsistence = [], Decimal(0), Decimal(0)
    for group, label in GROUPS:
        n = counts[group]
        if not n:
            continue
        sm, pct = money(minimums[group]), Decimal(data["guaranteed_percent"][group])
        level = money(sm * pct / 100)
        guaranteed += level * n
        subsistence += sm * n
        lines.append(f"{label}: {n} × {fmt(level)} грн ({pct} % від {fmt(sm)} грн) = {fmt(level * n)} грн")
    guaranteed, subsistence = money(guaranteed), money(subsistence)
    cap = money(subsistence * Decimal(data["cap_share"]))
    lines.append(f"Гарантований мінімум сім’ї: {fmt(guaranteed)} грн")
    lines.append(f"Середньомісячний сукупний дохід сім’ї: {fmt(income)} грн")
    difference = guaranteed - income
    if difference <= 0:
        raise ValidationFailed("Дохід сім’ї не менший за гарантований мінімум: права на допомогу немає "
                               "(підстава відмови «income_above_minimum»).", code="income_above_minimum")
    monthly = min(difference, cap)
    lines.append(f"Різниця: {fmt(guaranteed)} − {fmt(income)} = {fmt(difference)} грн")
    lines.append(f"Обмеження: {Decimal(data['cap_share']) * 100:.0f} % прожиткового мінімуму сім’ї "
                 f"({fmt(subsistence)} грн) = {fmt(cap)} грн")
    lines.append(f"Щомісячно: {fmt(monthly)} грн")
    months = int(data["months"])
    start, end = months_period(on.replace(day=1), months)
    total = monthly * months
    lines.append(f"Період: {months} міс., з {start:%d.%m.%Y} по {end:%d.%m.%Y}; разом {fmt(total)} грн")
    return Calculation("low_income_family", data_version(), total, monthly, start, end, lines,
                       f"{data['legal_basis']}; {minimums['legal_basis']}", dict(values))


CALCULATOR = Calculator(
    code="low_income_family", title="Допомога малозабезпеченим сім’ям", data_key="low_income_family",
    fields=tuple(Field(g, label, "int", default="0") for g, label in GROUPS)
    + (Field("income", "Середньомісячний сукупний дохід сім’ї, грн", "money"),),
    compute=compute)
