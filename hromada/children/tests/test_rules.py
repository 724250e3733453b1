"""Assessment due dates by urgency: data from rules.json, the catalogue calendar for days off."""
from datetime import date

import pytest

from hromada.catalog.models import Holiday
from hromada.children import rules

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 20)
WEDNESDAY = date(2026, 11, 25)


def test_rules_carry_the_legal_source_and_a_check_note():
    data = rules.rules()
    assert "585" in data["source"] and "01.06.2020" in data["source"]
    assert "ПЕРЕВІРИТИ" in data["note"]
    assert set(rules.urgencies()) == {"immediate", "urgent", "planned"}
    assert {"neglect", "domestic_violence", "lost_parental_care", "idp_child", "disability", "abuse",
            "begging"} <= set(rules.circumstances())
    assert "anonymous" in rules.reporter_types()


def test_immediate_is_the_next_calendar_day_even_on_a_weekend():
    assert rules.assessment_due(FRIDAY, "immediate") == date(2026, 11, 21)       # Saturday: a child in danger
    assert rules.assessment_due(WEDNESDAY, "immediate") == date(2026, 11, 26)


def test_urgent_counts_working_days_over_a_weekend():
    assert rules.assessment_due(FRIDAY, "urgent") == date(2026, 11, 25)          # Mon, Tue, Wed
    assert rules.assessment_due(WEDNESDAY, "urgent") == date(2026, 11, 30)       # Thu, Fri, Mon


def test_planned_counts_ten_working_days():
    assert rules.assessment_due(FRIDAY, "planned") == date(2026, 12, 4)


def test_holiday_that_is_a_day_off_is_skipped():
    Holiday.objects.update_or_create(date=date(2026, 11, 24), defaults={"name": "Тестовий вихідний",
                                                                        "is_day_off": True})
    assert rules.assessment_due(FRIDAY, "urgent") == date(2026, 11, 26)
    # A holiday that is a working day under martial law does not move the term.
    Holiday.objects.filter(date=date(2026, 11, 24)).update(is_day_off=False)
    assert rules.assessment_due(FRIDAY, "urgent") == date(2026, 11, 25)


def test_case_gets_due_date_from_urgency(make_case, child):
    case = make_case(child, urgency="urgent", reported_on=FRIDAY)
    assert case.assessment_due == date(2026, 11, 25)
    case = make_case(child, urgency="immediate", reported_on=FRIDAY)
    assert case.assessment_due == date(2026, 11, 21)
