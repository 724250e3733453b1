"""Calculators against worked examples with the amounts of the law (data: benefit_amounts.json)."""
from datetime import date
from decimal import Decimal

import pytest

from hromada.backoffice import calculators
from hromada.backoffice.calculators import birth, idp, low_income
from hromada.backoffice.calculators.base import add_months, amounts_in_force
from hromada.core.errors import ValidationFailed


def test_birth_assistance_law_2811_amount_and_split():
    # Law 2811-XII art. 12: 41,280 UAH = 10,320 at once + 36 monthly payments of 860.
    c = calculators.calculate("birth_assistance", {"child_birth_date": "2026-01-10"}, on=date(2026, 2, 2))
    assert c.amount == Decimal("41280.00")
    assert c.monthly == Decimal("860.00")
    assert (c.period_from, c.period_to) == (date(2026, 2, 2), date(2029, 2, 1))
    text = "\n".join(c.lines)
    assert "10 320,00" in text and "860,00 грн × 36 міс. = 30 960,00" in text
    assert "2811-XII" in c.legal_basis and "1751" in c.legal_basis
    assert c.as_json()["amount"] == "41280.00" and c.as_json()["inputs"]["child_birth_date"] == "2026-01-10"


def test_birth_assistance_twins_count_each_child():
    c = calculators.calculate("birth_assistance", {"child_birth_date": "2026-01-10", "children": "2"},
                              on=date(2026, 1, 20))
    assert c.amount == Decimal("82560.00")


def test_birth_assistance_claim_within_12_months():
    ok = calculators.calculate("birth_assistance", {"child_birth_date": "2025-02-02"}, on=date(2026, 2, 2))
    assert ok.amount == Decimal("41280.00")
    with pytest.raises(ValidationFailed) as exc:
        calculators.calculate("birth_assistance", {"child_birth_date": "2025-02-01"}, on=date(2026, 2, 2))
    assert exc.value.code == "claim_period_expired"


def test_birth_date_after_application_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        calculators.calculate("birth_assistance", {"child_birth_date": "2026-03-01"}, on=date(2026, 2, 2))
    assert exc.value.code == "calculator_input"


def test_amounts_are_versioned_by_effective_date():
    with pytest.raises(ValidationFailed) as exc:
        calculators.calculate("birth_assistance", {"child_birth_date": "2014-01-10"}, on=date(2014, 2, 1))
    assert exc.value.code == "no_amounts_in_force"
    assert amounts_in_force("subsistence_minimum", date(2025, 12, 31))["able_bodied"] == "3028"
    assert amounts_in_force("subsistence_minimum", date(2026, 1, 1))["able_bodied"] == "3328"


def test_pure_function_uses_the_record_it_is_given():
    data = {"total": "100.00", "lump_sum": "40.00", "monthly": "10.00", "months": 6, "claim_within_months": 12,
            "legal_basis": "X"}
    c = birth.compute({"child_birth_date": date(2026, 1, 1), "children": 1}, on=date(2026, 1, 5), data=data)
    assert c.amount == Decimal("100.00") and c.period_to == date(2026, 7, 4)


def test_idp_allowance_resolution_332():
    # 2 children and 1 person with disability × 3,000 + 1 other person × 2,000 = 11,000 a month.
    c = calculators.calculate("idp_living_allowance", {"children": 2, "disabled": 1, "others": 1},
                              on=date(2026, 3, 17))
    assert c.monthly == Decimal("11000.00")
    assert (c.period_from, c.period_to) == (date(2026, 3, 1), date(2026, 8, 31))
    assert c.amount == Decimal("66000.00")
    assert "332" in c.legal_basis


def test_idp_allowance_single_adult():
    c = idp.compute({"children": 0, "disabled": 0, "others": 1}, on=date(2026, 1, 31),
                    data=amounts_in_force("idp_living_allowance", date(2026, 1, 31)))
    assert c.monthly == Decimal("2000.00")


def test_idp_allowance_needs_a_person():
    with pytest.raises(ValidationFailed) as exc:
        calculators.calculate("idp_living_allowance", {"children": 0, "disabled": 0, "others": 0}, on=date(2026, 1, 5))
    assert exc.value.code == "calculator_input"


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValidationFailed) as exc:
        calculators.calculate("idp_living_allowance", {"children": "-1", "others": "1"}, on=date(2026, 1, 5))
    assert exc.value.details == {"field": "children"}
    with pytest.raises(ValidationFailed) as exc:
        calculators.get("housing_subsidy")
    assert exc.value.code == "unknown_calculator"


LI_DATA = {"months": 6, "cap_share": "0.75", "legal_basis": "1768-III",
           "guaranteed_percent": {"child_under_6": "100", "child_6_18": "100", "able_bodied": "20", "unable_to_work": "100"}}
MIN_2025 = {"child_under_6": "2563", "child_6_18": "3196", "able_bodied": "3028", "unable_to_work": "2361",
            "legal_basis": "budget 2025"}


def test_low_income_difference_below_cap():
    # 2 able-bodied at 20 % of 3,028 (605.60) + 1 child under 6 at 100 % of 2,563 → 3,774.20; income 1,000.
    c = low_income.compute({"child_under_6": 1, "child_6_18": 0, "able_bodied": 2, "unable_to_work": 0,
                            "income": Decimal("1000")}, on=date(2025, 4, 10), data=LI_DATA, minimums=MIN_2025)
    assert c.monthly == Decimal("2774.20")
    assert c.amount == Decimal("16645.20")
    assert (c.period_from, c.period_to) == (date(2025, 4, 1), date(2025, 9, 30))


def test_low_income_capped_at_75_percent_of_family_minimum():
    data = dict(LI_DATA, guaranteed_percent={k: "100" for k in LI_DATA["guaranteed_percent"]})
    # guaranteed = subsistence = 2 × 3,196 = 6,392; income 0 → difference 6,392; cap 75 % = 4,794.
    c = low_income.compute({"child_under_6": 0, "child_6_18": 2, "able_bodied": 0, "unable_to_work": 0,
                            "income": Decimal("0")}, on=date(2025, 4, 10), data=data, minimums=MIN_2025)
    assert c.monthly == Decimal("4794.00")
    assert any("75 %" in line for line in c.lines)


def test_low_income_no_right_when_income_reaches_minimum():
    with pytest.raises(ValidationFailed) as exc:
        low_income.compute({"child_under_6": 0, "child_6_18": 0, "able_bodied": 1, "unable_to_work": 0,
                            "income": Decimal("605.60")}, on=date(2025, 4, 10), data=LI_DATA, minimums=MIN_2025)
    assert exc.value.code == "income_above_minimum"


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
