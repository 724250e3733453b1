"""The API contract of issue #22, step by step, as the social-work specialist and the provider's worker use it."""
import pytest
from django.utils import timezone

from hromada.social.models import CaseStatus, SocialCase

from .conftest import rules

pytestmark = pytest.mark.django_db

SECTIONS = {code: {"score": 2, "note": ""} for code in rules.sections()}


def test_catalog_carries_terms_with_sources(api, front):
    body = api(front).get("social-services").json()
    codes = {s["code"] for s in body["services"]}
    assert {"home_care", "day_care", "palliative_care", "sign_language"} <= codes
    assert body["terms"]["assessment"]["days"] == 5 and body["terms"]["assessment"]["kind"] == "working"
    assert body["terms"]["assessment_crisis"]["days"] == 1
    assert body["terms"]["decision"]["days"] == 10
    assert all("2671-VIII" in t["source"] for t in body["terms"].values())
    assert all(s["legal_basis"] for s in body["services"])
    assert body["payment_rule"]["free_when"]


def test_providers_register_scoped(api, social, social2):
    mine = api(social).get("providers").json()
    assert {p["kind"] for p in mine} == {"communal", "ngo", "private"}
    centre = next(p for p in mine if p["kind"] == "communal")
    assert any(s["code"] == "home_care" and s["capacity"] == 25 for s in centre["services"])
    assert api(social2).get("providers").json() == []


def test_full_path_application_to_closure(api, front, social, provider, resident, centre):
    created = api(front).post("social-cases", {"person_id": resident.pk, "service_codes": ["home_care"],
                                               "urgency": "normal"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == {"id", "number", "status", "assessment_due"}
    assert body["status"] == "registered" and body["number"].startswith("СП-")
    case_id = body["id"]
    case = SocialCase.objects.get(pk=case_id)
    # Routed to the hromada's own centre, not the raion's social-protection department.
    assert case.office.kind == "hromada_social_protection" and case.office.territory_id == case.hromada_id
    worker = api(social)
    r = worker.post(f"social-cases/{case_id}/assessment", {
        "sections": SECTIONS, "conclusion": "Потребує догляду вдома", "recommended": ["home_care"],
        "home_visit_on": str(timezone.localdate()), "home_visit_note": "Живе сама"})
    assert r.status_code == 200, r.content
    assert r.json()["status"]["code"] == "assessed" and r.json()["assessments"][0]["on_time"] is True
    assert r.json()["assessments"][0]["total_score"] == 2 * len(SECTIONS)
    r = worker.post(f"social-cases/{case_id}/decision", {
        "outcome": "provide", "services": [{"code": "home_care", "provider_id": centre.pk}], "reason": "Потреба є"})
    assert r.status_code == 200, r.content
    assert r.json()["decision"]["outcome"] == "provide" and r.json()["services"][0]["state"] == "active"
    r = worker.post(f"social-cases/{case_id}/plan", {
        "goals": "Самостійне проживання", "consent_on": str(timezone.localdate()),
        "items": [{"code": "home_care", "frequency": "3 рази на тиждень", "contract_number": "Д-1"}]})
    assert r.status_code == 200, r.content
    assert r.json()["status"]["code"] == "in_service"
    r = api(provider).post(f"social-cases/{case_id}/deliveries", {"service_code": "home_care", "minutes": 60,
                                                                   "note": "Покупки"})
    assert r.status_code == 201, r.content
    assert r.json()["services"][0]["deliveries"] == 1
    r = worker.post(f"social-cases/{case_id}/close", {"outcome": "goals_achieved"})
    assert r.status_code == 200 and r.json()["status"]["code"] == "closed"
    assert r.json()["services"][0]["state"] == "ended"


def test_refusal_needs_reasons(api, front, social, resident):
    case_id = api(front).post("social-cases", {"person_id": resident.pk, "service_codes": ["transport"],
                                               "urgency": "normal"}).json()["id"]
    worker = api(social)
    worker.post(f"social-cases/{case_id}/assessment", {"sections": SECTIONS, "conclusion": "Потреби немає"})
    r = worker.post(f"social-cases/{case_id}/decision", {"outcome": "provide", "services": [], "reason": "x"})
    assert r.status_code == 422 and r.json()["code"] == "services_required"
    r = worker.post(f"social-cases/{case_id}/decision", {"outcome": "refuse", "reason": " "})
    assert r.status_code == 422 and r.json()["code"] == "required"
    r = worker.post(f"social-cases/{case_id}/decision", {"outcome": "refuse", "reason": "Потреби не виявлено"})
    assert r.status_code == 200 and r.json()["status"]["code"] == CaseStatus.REFUSED


def test_bad_input_has_code_and_ukrainian_message(api, front, resident):
    r = api(front).post("social-cases", {"person_id": resident.pk, "service_codes": ["teleport"],
                                         "urgency": "normal"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_service" and "послуга" in r.json()["message"]
    r = api(front).post("social-cases", {"person_id": resident.pk, "service_codes": ["home_care"],
                                         "urgency": "urgent"})
    assert r.status_code == 422


def test_figures_only_roles_get_403_on_cases(api, in_service, oblast, ministry, hadmin, front):
    # A role that may never read or register a social case: 403 before the case is looked up (the one outsider
    # rule of accounts.access; it was 404 before the access idiom was unified).
    for who in (oblast, ministry, hadmin, front):
        assert api(who).get(f"social-cases/{in_service.pk}").status_code == 403
        assert api(who).get("social-cases/999999").status_code == 403
    for who in (oblast, ministry, hadmin):
        r = api(who).post("social-cases", {"person_id": in_service.person_id, "service_codes": ["home_care"],
                                           "urgency": "normal"})
        assert r.status_code == 403
