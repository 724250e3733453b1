"""Calculators against worked examples, on the SHIPPED legal figures (catalog/data/legal_figures.json, loaded by
the migration): no test-only amounts. Each example names where its figures and its method come from."""
from datetime import date
from decimal import Decimal

import pytest

from hromada.backoffice import calculators
from hromada.backoffice.calculators.base import add_months
from hromada.backoffice.calculators.housing import season_bounds
from hromada.catalog.models import LegalFigure
from hromada.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def calc(code, inputs, on, **kw):
    return calculators.calculate(code, inputs, on, **kw)


def sources(c) -> str:
    return "\n".join(f"{line.label} | {line.value} | {line.source}" for line in c.lines)


# --- assistance at birth: Law 2811-XII art. 12; Law 4681-IX of 05.11.2025 for children born from 01.01.2026 ----------

def test_birth_assistance_child_born_2025_act_example_41280_split():
    """The act itself (art. 12 of Law 2811-XII, as quoted by okc.pl.ua; the same split in the PFU/ministry pages and
    rbc.ua, 31.12.2025: «Раніше допомога при народженні дитини становила 41 280 гривень і виплачувалась частинами
    (10 320 гривень одразу та по 860 гривень щомісяця)»): a child born in 2025 — 10,320 at once, 860 × 36 months."""
    c = calc("birth_assistance", {"birth_date": "2025-11-10"}, date(2026, 2, 2), strict=True)
    assert c.total == Decimal("41280.00") and c.monthly == Decimal("860.00")
    assert (c.period_from, c.period_to) == (date(2026, 2, 2), date(2029, 2, 1))
    text = sources(c)
    assert "10 320,00 грн" in text and "860,00 грн" in text and "ст. 12" in text and "2811-XII" in text
    assert c.unconfirmed == []
    assert all(line.source for line in c.lines)
    stored = c.as_json()
    assert stored["total"] == "41280.00" and stored["inputs"]["birth_date"] == "2025-11-10"
    assert {f["key"] for f in stored["figures"]} >= {"birth_assistance.total", "birth_assistance.lump_sum"}


def test_birth_assistance_child_born_2026_pfu_example_50000_once():
    """PFU explanation of Law 4681-IX (finance.novyny.live/viplati-na-ditei-vid-7-tis-grn-u-pfu-utochnili-koli-
    narakhuiut-306819.html, 19.01.2026): «допомога при народженні дитини … виплачується одноразово у розмірі 50 тис.
    грн»; focus.ua, 31.12.2025: «Суму у 50 000 гривень платитимуть за дітей, народжених з 1 січня 2026 року»."""
    c = calc("birth_assistance", {"birth_date": "2026-01-10"}, date(2026, 2, 2), strict=True)
    assert c.total == Decimal("50000.00") and c.monthly is None
    assert (c.period_from, c.period_to) == (date(2026, 2, 2), date(2026, 2, 2))
    text = sources(c)
    assert "Виплачується одноразово | 50 000,00 грн" in text and "4681-IX" in text
    assert c.unconfirmed == []


def test_birth_assistance_twins_pfu_example_each_child():
    """The same PFU explanation: «За умови народження двох і більше дітей допомогу надають на кожну дитину»."""
    c = calc("birth_assistance", {"birth_date": "2026-01-10", "children": "2"}, date(2026, 1, 20), strict=True)
    assert c.total == Decimal("100000.00") and c.monthly is None
    old = calc("birth_assistance", {"birth_date": "2025-12-31", "children": "2"}, date(2026, 1, 20))
    assert old.total == Decimal("82560.00") and old.monthly == Decimal("1720.00")


def test_birth_assistance_claim_within_12_months_article_11():
    assert calc("birth_assistance", {"birth_date": "2025-02-02"}, date(2026, 2, 2)).total == Decimal("41280.00")
    with pytest.raises(ValidationFailed) as exc:
        calc("birth_assistance", {"birth_date": "2025-02-01"}, date(2026, 2, 2))
    assert exc.value.code == "claim_period_expired" and "ст. 11" in str(exc.value.message)


def test_birth_date_after_application_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        calc("birth_assistance", {"birth_date": "2026-03-01"}, date(2026, 2, 2))
    assert exc.value.code == "calculator_input"


def test_before_the_amount_was_set_the_calculator_refuses():
    # The 41,280 amount is in force from 01.07.2014: before it the data hold no figure, so no amount.
    with pytest.raises(ValidationFailed) as exc:
        calc("birth_assistance", {"birth_date": "2014-01-10"}, date(2014, 2, 1))
    assert exc.value.code == "legal_figure_missing" and exc.value.status == 422
    assert str(exc.value.message).startswith("Розмір не встановлено для «")


# --- IDP living allowance: resolution 332 (3,000 per child / person with disability, 2,000 per other; 6 months) ---

def test_idp_allowance_family_example():
    c = calc("idp_living_allowance", {"children": 2, "disabled": 1, "others": 1}, date(2026, 3, 17), strict=True)
    assert c.monthly == Decimal("11000.00") and c.total == Decimal("66000.00")
    assert (c.period_from, c.period_to) == (date(2026, 3, 1), date(2026, 8, 31))
    assert "332" in sources(c)


def test_idp_allowance_single_adult():
    c = calc("idp_living_allowance", {"others": 1}, date(2026, 1, 31), strict=True)
    assert c.monthly == Decimal("2000.00") and c.total == Decimal("12000.00")


def test_idp_allowance_needs_a_person_and_sane_input():
    with pytest.raises(ValidationFailed) as exc:
        calc("idp_living_allowance", {"children": 0, "disabled": 0, "others": 0}, date(2026, 1, 5))
    assert exc.value.code == "calculator_input"
    with pytest.raises(ValidationFailed) as exc:
        calc("idp_living_allowance", {"children": "-1", "others": "1"}, date(2026, 1, 5))
    assert exc.value.details == {"field": "children"}
    with pytest.raises(ValidationFailed) as exc:
        calculators.get("pregnancy_childbirth")
    assert exc.value.code == "unknown_calculator"


# --- low-income families: Law 1768-III art. 5; the 2025 levels as the press reports the adopted budget (60/100/145) --

def test_low_income_example_two_adults_and_a_small_child_2025():
    # Guaranteed minimum per the reported 2025 levels (vilnohirsk.in.ua: «1 816 … 3 716,35»): 2 × 1,816.80 (60 % of
    # 3,028) + 3,716.35 (145 % of 2,563) = 7,349.95; income 1,000 → 6,349.95, under the cap of the family's minimum
    # (2 × 3,028 + 2,563 = 8,619). Our arithmetic on unconfirmed levels — no official worked example was found.
    c = calc("low_income_family", {"able_bodied": 2, "child_under_6": 1, "income": "1000"}, date(2025, 4, 10))
    assert c.monthly == Decimal("6349.95") and c.total == Decimal("38099.70")
    assert (c.period_from, c.period_to) == (date(2025, 4, 1), date(2025, 9, 30))
    assert "Гарантований мінімум: працездатні особи" in c.unconfirmed
    assert "8 619,00 грн" in sources(c)


def test_low_income_example_one_pensioner_2025():
    c = calc("low_income_family", {"unable_to_work": 1, "income": "1000"}, date(2025, 6, 1))
    assert c.monthly == Decimal("1361.00")      # 100 % of 2,361 − 1,000


def test_low_income_no_right_when_income_reaches_minimum():
    with pytest.raises(ValidationFailed) as exc:
        calc("low_income_family", {"able_bodied": 1, "income": "1816.80"}, date(2025, 4, 10))
    assert exc.value.code == "income_above_minimum"


def test_low_income_unconfirmed_figures_never_reach_a_decision():
    with pytest.raises(ValidationFailed) as exc:
        calc("low_income_family", {"able_bodied": 1, "income": "0"}, date(2025, 4, 10), strict=True)
    assert exc.value.code == "legal_figure_missing"
    assert "не підтверджено" in str(exc.value.message) and exc.value.details["unconfirmed"] is True


def test_low_income_2026_previews_on_the_unconfirmed_guaranteed_minimum_and_a_decision_refuses():
    # 60 % of 3,328 (draft law 14000; PFU via 24tv.ua, 01.02.2026: «приблизно 1 996,80 грн») — not the act's text.
    c = calc("low_income_family", {"able_bodied": 1, "income": "0"}, date(2026, 2, 1))
    assert c.monthly == Decimal("1996.80")
    assert "Гарантований мінімум: працездатні особи" in c.unconfirmed
    with pytest.raises(ValidationFailed) as exc:
        calc("low_income_family", {"able_bodied": 1, "income": "0"}, date(2026, 2, 1), strict=True)
    assert exc.value.code == "legal_figure_missing" and "01.02.2026" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:               # no level in the data for 2027 yet
        calc("low_income_family", {"able_bodied": 1, "income": "0"}, date(2027, 2, 1))
    assert exc.value.code == "legal_figure_missing"


# --- housing subsidy: resolution 848 п. 15, share formula of resolution 1156 as the ministry explains it --------
# "дохід на одну особу ділиться на ПМ на 1 січня … результат розділіть на 2, а потім помножте на 15 %";
# the obligatory payment is that share of the household's income; heating within 13.65 m² × members + 35.22 m².

def test_housing_subsidy_family_of_four_heating_season_2025():
    # The family of four from a MEDIA example (napensii.ua / psm7.com, 03.11.2025: incomes 8,900 and 8,200 a month
    # → 17,100), not an official one — no numerical example by the ministry or the PFU was found (docs/law.md).
    c = calc("housing_subsidy", {"members": 4, "income": "17100", "area": "60", "heating_per_m2": "45",
                                 "services": "1200"}, date(2025, 10, 15), strict=True)
    text = sources(c)
    assert "4 275,00 грн" in text                      # income per member
    assert "| 1,4640 |" in text                        # Кд = 4,275 ÷ 2,920
    assert "10,98 %" in text                           # Ро = 1.4640 ÷ 2 × 15 %
    assert "1 877,58 грн" in text                      # obligatory payment = 17,100 × 10.98 %
    assert "89,82 м²" in text                          # 13.65 × 4 + 35.22
    assert "2 700,00 грн" in text                      # 60 m² (within the norm) × 45
    assert c.monthly == Decimal("2022.42")             # 2,700 + 1,200 − 1,877.58
    assert (c.period_from, c.period_to) == (date(2025, 10, 1), date(2026, 4, 30))
    assert c.total == Decimal("14156.94")              # 7 months of the heating season
    assert "п. 15" in text and "1156" in text and "409" in text
    assert c.unconfirmed == []


def test_housing_subsidy_the_pension_funds_example_of_the_2024_2025_season():
    """The PFU's own example (ariadna.112.ua, «Субсидія 1500 гривень: ПФУ показав реальний приклад нарахування»,
    heating season 2024): «У прикладі для сім'ї з двома працюючими батьками та двома неповнолітніми дітьми цей дохід
    склав 17 150 гривень … доходів за півроку (січень-червень 2024) … Обов'язковий платіж для цієї сім'ї становить
    11,01%. … при платежу за житлово-комунальні послуги в розмірі 3422,45 грн та обов'язковому платежу в …».

    The PFU gives the cost of the services within the norms as one sum, so it is entered as ``services`` (no heating
    rate); the season starts in October 2024, so the minimum is the one of 1 January 2024 (Закон № 3460-IX). The
    exact subsidy is cut off in the stored page; only its headline («1500 гривень») is known."""
    c = calc("housing_subsidy", {"members": 4, "income": "17150", "area": "0", "heating_per_m2": "0",
                                 "services": "3422.45"}, date(2024, 10, 1), strict=True)
    text = sources(c)
    assert "2 920,00 грн" in text and "3460-IX" in text       # ПМ on 01.01.2024, shipped row
    assert "11,01 %" in text                                   # the PFU's obligatory share
    assert "1 888,22 грн" in text                              # 17,150 × 11.01 %
    assert c.monthly == Decimal("1534.23")                     # 3,422.45 − 1,888.22
    assert 1500 <= c.monthly < 1600                            # the headline's «1500 гривень»
    assert c.unconfirmed == []


def test_housing_subsidy_single_pensioner_area_above_the_norm_2026():
    c = calc("housing_subsidy", {"members": 1, "income": "4000", "area": "50", "heating_per_m2": "40",
                                 "services": "600"}, date(2026, 11, 10), strict=True)
    text = sources(c)
    assert "3 209,00 грн" in text and "| 1,2465 |" in text and "9,35 %" in text and "374,00 грн" in text
    assert "48,87 м²" in text and "1 954,80 грн" in text   # heated within the norm only
    assert c.monthly == Decimal("2180.80") and c.total == Decimal("13084.80")
    assert (c.period_from, c.period_to) == (date(2026, 11, 1), date(2027, 4, 30))


def test_housing_subsidy_non_heating_season_has_no_heating():
    c = calc("housing_subsidy", {"members": 2, "income": "3000", "area": "40", "heating_per_m2": "45",
                                 "services": "500"}, date(2026, 6, 5))
    assert "3,51 %" in sources(c) and "105,30 грн" in sources(c)
    assert c.monthly == Decimal("394.70") and c.total == Decimal("1578.80")
    assert (c.period_from, c.period_to) == (date(2026, 6, 1), date(2026, 9, 30))
    assert not any(line.label.startswith("Опалення") for line in c.lines)


def test_housing_subsidy_not_due_when_costs_do_not_exceed_the_payment():
    with pytest.raises(ValidationFailed) as exc:
        calc("housing_subsidy", {"members": 1, "income": "30000", "area": "30", "heating_per_m2": "10",
                                 "services": "100"}, date(2026, 1, 10))
    assert exc.value.code == "income_above_minimum"


def test_season_bounds():
    assert season_bounds(date(2026, 4, 20), 10, 4) == (True, date(2026, 4, 30), 1)
    assert season_bounds(date(2026, 5, 1), 10, 4) == (False, date(2026, 9, 30), 5)
    assert season_bounds(date(2026, 12, 31), 10, 4) == (True, date(2027, 4, 30), 5)


# --- single mothers: Law 2811-XII art. 18-3 ("різниця між 100 % ПМ для дитини … та … доходом на одну особу") ------

def test_single_mother_two_children_2026():
    c = calc("single_mother_children", {"children_under_6": 1, "children_6_18": 1, "income_per_person": "1000"},
             date(2026, 3, 3))
    assert c.monthly == Decimal("4329.00")       # (2,817 − 1,000) + (3,512 − 1,000)
    assert any("не встановлено" in u for u in c.unconfirmed)


def test_single_mother_one_teenager_and_the_term_refuses_a_decision():
    c = calc("single_mother_children", {"children_6_18": 1, "income_per_person": "2000"}, date(2026, 3, 3))
    assert c.monthly == Decimal("1512.00")
    with pytest.raises(ValidationFailed) as exc:
        calc("single_mother_children", {"children_6_18": 1, "income_per_person": "2000"}, date(2026, 3, 3), strict=True)
    assert exc.value.code == "legal_figure_missing"


# --- missing / unconfirmed figures refuse; a new figure is data; stored calculations keep theirs --------------------

def test_a_missing_figure_refuses_with_its_name():
    LegalFigure.objects.filter(key="idp.per_other").delete()
    with pytest.raises(ValidationFailed) as exc:
        calc("idp_living_allowance", {"others": 1}, date(2026, 1, 31))
    assert exc.value.code == "legal_figure_missing"
    assert exc.value.details["key"] == "idp.per_other"


def test_an_unconfirmed_figure_is_shown_and_refused_for_a_decision():
    LegalFigure.objects.filter(key="birth_assistance.lump_sum").update(confirmed=False)
    preview = calc("birth_assistance", {"birth_date": "2026-01-10"}, date(2026, 2, 2))
    assert preview.unconfirmed == ["Одноразова частина допомоги при народженні"]
    with pytest.raises(ValidationFailed) as exc:
        calc("birth_assistance", {"birth_date": "2026-01-10"}, date(2026, 2, 2), strict=True)
    assert exc.value.code == "legal_figure_missing"
    # The amount is looked up on the birth date.
    assert "Розмір не встановлено для «Одноразова частина допомоги при народженні» на 10.01.2026" in str(exc.value.message)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_income_inputs_are_named_for_the_registers():
    assert calculators.income_fields("housing_subsidy") == ["income"]
    assert calculators.income_fields("low_income_family") == ["income"]
    assert calculators.income_fields("single_mother_children") == ["income_per_person"]
    assert calculators.income_fields("birth_assistance") == []
    assert calculators.income_fields("guardianship_children") == []


# --- official explanations as worked examples (quoted with their address) -------------------------------------------

def test_guardianship_pfu_2025_amounts_child_under_6_and_6_18():
    """PFU explanation (vikna.tv/dlia-tebe/ekonomiya/dopomoga-opikunam-u-2025-roczi-hto-i-skilky-otrymaye/,
    07.10.2025): «Для дітей до 6 років — 6 407,50 грн (2,5 прожиткових мінімуми); Для дітей від 6 до 18 років —
    7 990,00 грн»."""
    c = calc("guardianship_children", {"birth_date": "2021-03-01"}, date(2025, 10, 7))
    assert c.monthly == Decimal("6407.50")
    c = calc("guardianship_children", {"birth_date": "2012-03-01"}, date(2025, 10, 7))
    assert c.monthly == Decimal("7990.00")
    assert "ст. 18" in sources(c) and "2811-XII" in sources(c)


def test_guardianship_pfu_2025_amounts_child_with_disability():
    """The same PFU explanation: «Для дітей з інвалідністю — 8 970,50 грн і 11 186 грн відповідно до віку»
    (budget.uteka.ua, 20.11.2025: «до 6 лет – 8 970,50 грн (3,5 прожиточных минимума)»)."""
    assert calc("guardianship_children", {"birth_date": "2021-03-01", "disabled": 1},
                date(2025, 10, 7)).monthly == Decimal("8970.50")
    assert calc("guardianship_children", {"birth_date": "2012-03-01", "disabled": 1},
                date(2025, 10, 7)).monthly == Decimal("11186.00")


def test_guardianship_payments_on_the_child_are_deducted_and_the_term_keeps_it_out_of_a_decision():
    # PFU: «Якщо дитина отримує інші виплати — пенсію, аліменти, стипендію, — то держава доплачує різницю».
    c = calc("guardianship_children", {"birth_date": "2012-03-01", "child_income": "1990"}, date(2025, 10, 7))
    assert c.monthly == Decimal("6000.00")
    assert c.total == Decimal("72000.00") and (c.period_from, c.period_to) == (date(2025, 10, 1), date(2026, 9, 30))
    assert "Строк призначення допомоги на дітей, над якими встановлено опіку чи піклування" in c.unconfirmed
    with pytest.raises(ValidationFailed) as exc:
        calc("guardianship_children", {"birth_date": "2012-03-01"}, date(2025, 10, 7), strict=True)
    assert exc.value.code == "legal_figure_missing"
    with pytest.raises(ValidationFailed) as exc:
        calc("guardianship_children", {"birth_date": "2012-03-01", "child_income": "8000"}, date(2025, 10, 7))
    assert exc.value.code == "income_above_minimum"
    # Not beyond the month before the 18th birthday; an adult is refused.
    c = calc("guardianship_children", {"birth_date": "2008-01-20"}, date(2025, 10, 7))
    assert c.period_to == date(2025, 12, 31) and c.total == c.monthly * 3
    with pytest.raises(ValidationFailed) as exc:
        calc("guardianship_children", {"birth_date": "2007-10-07"}, date(2025, 10, 7))
    assert exc.value.details == {"field": "birth_date"}


def test_single_mother_pfu_2025_maximum_amounts():
    """PFU in Vinnytsia region (news.finance.ua/ua/yaku-dopomohu-mozhut-otrymaty-odynoki-bat-ky, 13.08.2025): «різниця
    між 100% прожиткового мінімуму для дитини відповідного віку та середньомісячним сукупним доходом сім’ї в
    розрахунку на 1 особу … Діти до 6 років — 2563 грн. Діти від 6 до 18 років — 3196 грн» (with no income: the
    whole минимум)."""
    c = calc("single_mother_children", {"children_under_6": 1, "income_per_person": "0"}, date(2025, 9, 1))
    assert c.monthly == Decimal("2563.00")
    c = calc("single_mother_children", {"children_6_18": 1, "income_per_person": "0"}, date(2025, 9, 1))
    assert c.monthly == Decimal("3196.00")


def test_idp_ministry_rates_per_person():
    """Мінсоцполітики via rbc.ua (27.08.2025): «Допомога розміром 2 тисяч гривень на дорослого та 3 тисяч гривень на
    дитину або особу з інвалідністю передбачена щомісяця на кожного члена родини ВПО» — the ministry's stated
    amounts per person, not a multi-person worked example (none was found)."""
    assert calc("idp_living_allowance", {"others": 1}, date(2025, 9, 1), strict=True).monthly == Decimal("2000.00")
    assert calc("idp_living_allowance", {"children": 1}, date(2025, 9, 1), strict=True).monthly == Decimal("3000.00")
    assert calc("idp_living_allowance", {"disabled": 1}, date(2025, 9, 1), strict=True).monthly == Decimal("3000.00")
