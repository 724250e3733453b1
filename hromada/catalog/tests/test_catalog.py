from datetime import date

import pytest

from hromada.catalog import calendar
from hromada.catalog.models import Holiday, TermKind


def test_catalog_api_lists_real_services(db, api):
    res = api().get("catalog/services")
    assert res.status_code == 200
    services = {s["code"]: s for s in res.json()}
    assert len(services) >= 10
    birth = services["birth_assistance"]
    assert "2811-XII" in birth["legal_basis"] and "1751" in birth["legal_basis"]
    assert (birth["term_days"], birth["term_kind"]) == (10, "calendar")
    low = services["low_income_family"]
    assert "1768-III" in low["legal_basis"] and "250" in low["legal_basis"]
    idp = services["idp_living_allowance"]
    assert "332" in idp["legal_basis"] and (idp["term_days"], idp["term_kind"]) == (10, "working")
    assert services["disability_since_childhood"]["late_documents_months"] == 3
    docs = {d["code"]: d for d in birth["documents"]}
    assert docs["application_form"]["required"] is True
    assert docs["rnokpp"]["required"] is False and docs["rnokpp"]["timing"] == "may_follow"
    assert docs["representative_authority"]["condition"]
    for service in services.values():
        assert service["name_uk"] and service["name_en"] and service["documents"]


def test_unknown_service_is_404_with_code(db, api):
    res = api().get("catalog/services/nope")
    assert res.status_code == 404 and res.json()["code"] == "unknown_service"


def test_openapi_document(db, api):
    res = api().get("openapi.json")
    assert res.status_code == 200
    assert "/api/v1/catalog/services" in res.json()["paths"]
    assert "/api/v1/auth/token" in res.json()["paths"]


def test_docs_page_is_served_from_local_files(db, api):
    html = api().get("docs").content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


@pytest.fixture
def holidays_are_days_off(db):
    """Outside martial law, 24.08 is a day off (data decides, not code)."""
    Holiday.objects.update_or_create(date=date(2026, 8, 24), defaults={"name": "День Незалежності", "is_day_off": True})


def test_martial_law_keeps_holidays_working(db):
    assert Holiday.objects.get(date=date(2026, 8, 24)).is_day_off is False
    assert calendar.is_working_day(date(2026, 8, 24))


def test_working_day_terms_skip_weekends_and_holidays(holidays_are_days_off):
    # Fri 21.08.2026 + 1 working day: Sat, Sun, Mon 24.08 (holiday) are skipped → Tue 25.08.
    assert calendar.due_date(date(2026, 8, 21), 1, TermKind.WORKING) == date(2026, 8, 25)
    assert calendar.due_date(date(2026, 8, 14), 10, TermKind.WORKING) == date(2026, 8, 31)


def test_calendar_term_ending_on_day_off_moves_forward(holidays_are_days_off):
    # 14.08 + 10 calendar days = Mon 24.08 (a day off here) → Tue 25.08.
    assert calendar.due_date(date(2026, 8, 14), 10, TermKind.CALENDAR) == date(2026, 8, 25)
    # 13.11.2026 + 10 = Mon 23.11 (working day) stays.
    assert calendar.due_date(date(2026, 11, 13), 10, TermKind.CALENDAR) == date(2026, 11, 23)
    # Ends on Saturday → Monday.
    assert calendar.due_date(date(2026, 11, 4), 10, TermKind.CALENDAR) == date(2026, 11, 16)


def test_next_working_day_and_counting(holidays_are_days_off):
    assert calendar.next_working_day(date(2026, 8, 22)) == date(2026, 8, 25)
    assert calendar.working_days_between(date(2026, 8, 21), date(2026, 8, 26)) == 2
