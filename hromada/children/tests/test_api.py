"""The REST API of child cases: the whole workflow over HTTP, error shapes, the contract fields."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db

CHILD = {"last_name": "Бойко", "first_name": "Софія", "patronymic": "Андріївна", "birth_date": "2014-09-01",
         "sex": "F"}


def _register(client, **over):
    payload = {"child": CHILD, "urgency": "urgent", "reporter_type": "school", "circumstances": ["neglect", "idp_child"],
               "reporter": {"name": "Ліцей № 2", "phone": "+380412000111"}, "summary": "Пропускає заняття",
               "representatives": [{"role": "mother", "person": {"last_name": "Бойко", "first_name": "Ірина",
                                                                 "birth_date": "1988-02-03", "sex": "F"}}]}
    payload.update(over)
    return client.post("child-cases", payload)


def test_full_workflow_over_api(child, api):
    client = api(child)
    res = _register(client)
    assert res.status_code == 201, res.content
    case = res.json()
    cid = case["id"]
    assert case["status"]["code"] == "registered" and case["urgency"]["code"] == "urgent"
    assert {c["code"] for c in case["circumstances"]} == {"neglect", "idp_child"}
    assert case["representatives"][0]["role"]["code"] == "mother"
    assert case["allowed_actions"] == ["start_assessment"]
    assert case["reporter"]["name"] == "Ліцей № 2"

    res = client.post(f"child-cases/{cid}/decision", {"in_difficult_circumstances": True, "basis": "x"})
    assert res.status_code == 409 and res.json()["code"] == "illegal_transition"

    case = client.post(f"child-cases/{cid}/assessment/start", {"expected_version": case["version"]}).json()
    assert case["status"]["code"] == "assessment" and case["assessment"]["due_date"] == case["assessment_due"]
    case = client.post(f"child-cases/{cid}/assessment", {"needs": "Навчання", "findings": "Потрібна підтримка"}).json()
    assert case["assessment"]["on_time"] is True
    case = client.post(f"child-cases/{cid}/decision", {"in_difficult_circumstances": True,
                                                      "basis": "Висновок оцінювання"}).json()
    assert case["status"]["code"] == "decided" and case["decision"]["in_difficult_circumstances"] is True
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    case = client.post(f"child-cases/{cid}/plan", {"goal": "Відновити навчання", "measures": [
        {"description": "Супровід", "responsible_service": "ЦНСП", "due_date": due}]}).json()
    assert case["status"]["code"] == "case_plan" and len(case["plan"]["measures"]) == 1
    mid = case["plan"]["measures"][0]["id"]
    case = client.post(f"child-cases/{cid}/measures", {"description": "Консультація психолога",
                                                      "responsible_service": "ЦНСП", "due_date": due}).json()
    assert len(case["plan"]["measures"]) == 2
    case = client.post(f"child-cases/{cid}/measures/{mid}/done", {}).json()
    assert [m["done_on"] is not None for m in case["plan"]["measures"]].count(True) == 1
    case = client.post(f"child-cases/{cid}/referrals", {"service_name": "ЦПМСД", "purpose": "Огляд"}).json()
    rid = case["referrals"][0]["id"]
    case = client.post(f"child-cases/{cid}/referrals/{rid}/feedback", {"feedback": "Оглянуто"}).json()
    assert case["referrals"][0]["feedback"] == "Оглянуто"
    case = client.post(f"child-cases/{cid}/reviews", {"findings": "Покращення"}).json()
    assert case["status"]["code"] == "review" and len(case["reviews"]) == 1
    res = client.post(f"child-cases/{cid}/close", {"outcome": "circumstances_overcome",
                                                  "expected_version": case["version"] - 1})
    assert res.status_code == 409 and res.json()["code"] == "stale_version"
    case = client.post(f"child-cases/{cid}/close", {"outcome": "circumstances_overcome",
                                                   "expected_version": case["version"]}).json()
    assert case["status"]["code"] == "closed" and case["outcome"]["code"] == "circumstances_overcome"
    assert case["allowed_actions"] == []
    assert [e["action"] for e in case["events"]][0] == "register"


def test_validation_errors_are_ukrainian_with_codes(child, api):
    client = api(child)
    res = _register(client, circumstances=[])
    assert res.status_code == 422 and res.json()["code"] == "circumstances_required"
    res = _register(client, child={**CHILD, "rnokpp": "1111111111"})
    assert res.status_code == 422 and res.json()["code"] == "invalid_rnokpp"
    assert res.json()["details"]["field"] == "child.rnokpp"
    res = _register(client, urgency="someday")
    assert res.status_code == 422 and "терміновість" in res.json()["message"]
    res = client.post("child-cases", {"child": CHILD})
    assert res.status_code == 422 and res.json()["code"] == "validation_error"


def test_list_filters_and_reference(child, api):
    client = api(child)
    _register(client)
    _register(client, urgency="immediate", child={**CHILD, "first_name": "Марія"})
    listing = client.get("child-cases", {"urgency": "immediate"}).json()
    assert listing["count"] == 1 and listing["results"][0]["child"].startswith("Бойко Марія")
    assert client.get("child-cases", {"q": "Софія"}).json()["count"] == 1
    assert client.get("child-cases", {"status": "closed"}).json()["count"] == 0
    ref = client.get("child-cases/reference").json()
    assert {u["code"] for u in ref["urgency"]} == {"immediate", "urgent", "planned"}
    assert any(c["code"] == "domestic_violence" for c in ref["circumstances"])


def test_unauthenticated_is_401(api):
    assert api(None).get("child-cases").status_code == 401


def test_list_query_count_does_not_grow_with_cases(child, api):
    client = api(child)
    _register(client)
    with CaptureQueriesContext(connection) as one:
        assert client.get("child-cases").json()["count"] == 1
    for name in ("Анна", "Віра", "Ліна"):
        _register(client, child={**CHILD, "first_name": name})
    with CaptureQueriesContext(connection) as four:
        assert client.get("child-cases").json()["count"] == 4
    assert len(four.captured_queries) == len(one.captured_queries)
