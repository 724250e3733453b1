"""Monitoring API: definitions, values (levels, periods, errors, scope), onboarding and workplaces."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hromada.audit.models import AuditEntry
from hromada.offices.models import Function, Office

from .. import indicators, services
from ..models import Equipment, OnboardingStep, Workplace
from ..periods import current_month
from .factories import generate

pytestmark = pytest.mark.django_db

ZHYTOMYR = "UA18000000000041385"
VINNYTSIA = "UA05000000000010236"
BARANIVSKA = "UA18080010000090720"
TETERIVSKA = "UA18040530000045696"
ZVIAHEL_RAION = "UA18080000000016657"
VINNYTSIA_HROMADA = "UA05020010000053508"


def _values(resp) -> dict:
    assert resp.status_code == 200, resp.content
    return {r["indicator"]: r for r in resp.json()}


def test_definitions_list_every_indicator(api, ministry):
    resp = api(ministry).get("indicators")
    assert resp.status_code == 200
    data = resp.json()
    assert [d["code"] for d in data] == [i.code for i in indicators.INDICATORS]
    assert {"accepted", "decided", "granted_share", "returned_share", "median_days", "p90_days", "on_time_share",
            "overdue", "unissued", "front_office_hromadas", "front_office_coverage", "specialists",
            "workplaces_plan_share", "billing_amount"} <= {d["code"] for d in data}
    assert all(d["name_uk"] and d["name_en"] and d["formula"] and d["direction"] in ("good", "bad") for d in data)


def test_values_for_every_level_and_period_kind(api, ministry, front):
    generate(user=front, n=120)
    services.refresh_all()  # what the Celery beat does; a read never rebuilds
    client = api(ministry)
    month = f"{current_month():%Y-%m}"
    quarter = f"{current_month().year}-Q{(current_month().month - 1) // 3 + 1}"
    for level, code in (("country", None), ("oblast", ZHYTOMYR), ("raion", ZVIAHEL_RAION), ("hromada", BARANIVSKA)):
        for period in (month, quarter, str(current_month().year)):
            got = _values(client.get("indicators/values", {"level": level, "code": code or "", "period": period}))
            assert set(got) == set(indicators.BY_CODE)
            assert got["accepted"]["unit"] == "count" and got["on_time_share"]["unit"] == "percent"
    country = _values(client.get("indicators/values", {"level": "country", "period": str(current_month().year)}))
    oblast = _values(client.get("indicators/values", {"level": "oblast", "code": ZHYTOMYR,
                                                      "period": str(current_month().year)}))
    assert country["accepted"]["value"] >= oblast["accepted"]["value"] > 0
    assert country["workplaces_plan_share"]["value"] is None or country["workplaces_plan_share"]["value"] >= 0


@pytest.mark.parametrize("params,code", [
    ({"level": "planet"}, "invalid_level"),
    ({"level": "oblast", "code": "UA99999999999999999"}, "unknown_unit"),
    ({"level": "raion", "code": BARANIVSKA}, "unknown_unit"),          # a hromada's code at the raion level
    ({"level": "country", "period": "2026-13"}, "invalid_period"),
    ({"level": "country", "period": "2026-Q5"}, "invalid_period"),
    ({"level": "country", "period": "yesterday"}, "invalid_period"),
    ({"level": "country", "period": "2999-01"}, "invalid_period"),
])
def test_bad_parameters_are_422_with_codes(api, ministry, params, code):
    resp = api(ministry).get("indicators/values", params)
    assert resp.status_code == 422 and resp.json()["code"] == code


def test_oblast_monitor_sees_own_oblast_only(api, oblast):
    client = api(oblast)
    assert client.get("indicators/values", {"level": "oblast", "code": ZHYTOMYR}).status_code == 200
    assert client.get("indicators/values", {"level": "hromada", "code": TETERIVSKA}).status_code == 200
    assert client.get("indicators/values", {"level": "oblast", "code": VINNYTSIA}).status_code == 404
    assert client.get("indicators/values", {"level": "hromada", "code": VINNYTSIA_HROMADA}).status_code == 404
    assert client.get("indicators/values", {"level": "country"}).status_code == 404


def test_hromada_admin_and_back_head_scopes(api, hadmin, head):
    admin = api(hadmin)
    assert admin.get("indicators/values", {"level": "hromada", "code": BARANIVSKA}).status_code == 200
    assert admin.get("indicators/values", {"level": "hromada", "code": TETERIVSKA}).status_code == 404
    assert admin.get("indicators/values", {"level": "oblast", "code": ZHYTOMYR}).status_code == 404
    boss = api(head)   # Звягельська РДА serves Баранівська, not Тетерівська
    assert boss.get("indicators/values", {"level": "hromada", "code": BARANIVSKA}).status_code == 200
    assert boss.get("indicators/values", {"level": "hromada", "code": TETERIVSKA}).status_code == 404


def test_roles_without_monitoring_get_403(api, front, child):
    for who in (front, child):
        assert api(who).get("indicators").status_code == 403
        assert api(who).get("indicators/values", {"level": "country"}).status_code == 403


def test_onboarding_record_and_read_scoped(api, hadmin, oblast, ministry):
    today = timezone.localdate()
    resp = api(hadmin).post(f"onboarding/{BARANIVSKA}/steps", {"step": "staff_trained", "done_on": str(today)})
    assert resp.status_code == 201, resp.content
    step = OnboardingStep.objects.get(hromada__code=BARANIVSKA, step="staff_trained")
    assert step.recorded_by == hadmin and step.done_on == today
    assert AuditEntry.objects.filter(action="monitoring.onboarding_step", object_id=str(step.pk)).exists()
    # another hromada of the same oblast: not the admin's
    assert api(hadmin).post(f"onboarding/{TETERIVSKA}/steps",
                            {"step": "live", "done_on": str(today)}).status_code == 404
    assert api(oblast).post(f"onboarding/{TETERIVSKA}/steps", {"step": "live", "done_on": str(today)}).status_code == 201
    assert api(oblast).post(f"onboarding/{VINNYTSIA_HROMADA}/steps",
                            {"step": "live", "done_on": str(today)}).status_code == 404
    bad = api(oblast).post(f"onboarding/{TETERIVSKA}/steps", {"step": "party", "done_on": str(today)})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_step"
    future = api(oblast).post(f"onboarding/{TETERIVSKA}/steps",
                              {"step": "live", "done_on": str(today + timedelta(days=3))})
    assert future.status_code == 422 and future.json()["code"] == "future_date"
    detail = api(ministry).get(f"onboarding/{BARANIVSKA}").json()
    assert "staff_trained" in [s["step"] for s in detail["steps"]]
    summary = {r["oblast_code"]: r for r in api(oblast).get("onboarding/summary").json()}
    assert list(summary) == [ZHYTOMYR] and summary[ZHYTOMYR]["steps"]["live"] >= 1
    listed = api(oblast).get("onboarding", {"limit": 500}).json()
    assert listed and all(h["code"].startswith("UA18") for h in listed)


def test_workplaces_record_and_uniqueness(api, hadmin, oblast, ministry):
    office = Office.objects.get(function=Function.FRONT, hromada__code=BARANIVSKA,
                                name__startswith="Відділ соціального захисту")
    other = Office.objects.get(function=Function.FRONT, hromada__code=TETERIVSKA, name__startswith="ЦНАП")
    client = api(hadmin)
    resp = client.post("workplaces", {"office_id": office.pk, "inventory_number": "INV-T-1",
                                      "funding_source": "world_bank", "status": "equipped",
                                      "equipped_on": str(timezone.localdate())})
    assert resp.status_code == 201, resp.content
    wid = resp.json()["id"]
    dup = client.post("workplaces", {"office_id": office.pk, "inventory_number": "INV-T-1",
                                     "funding_source": "world_bank"})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate_workplace"
    assert client.post("workplaces", {"office_id": other.pk, "inventory_number": "INV-T-2",
                                      "funding_source": "world_bank"}).status_code == 404
    no_date = client.post("workplaces", {"office_id": office.pk, "inventory_number": "INV-T-3",
                                         "funding_source": "world_bank", "status": "equipped"})
    assert no_date.status_code == 422 and no_date.json()["code"] == "equipped_on_required"
    item = {"type": "scanner", "serial_number": "SN-1", "inventory_number": "EQ-1", "funding_source": "state_budget",
            "delivered_on": str(timezone.localdate())}
    assert client.post(f"workplaces/{wid}/equipment", item).status_code == 201
    same_inv = client.post(f"workplaces/{wid}/equipment", {**item, "serial_number": "SN-2"})
    assert same_inv.status_code == 409 and same_inv.json()["code"] == "duplicate_inventory_number"
    same_serial = client.post(f"workplaces/{wid}/equipment", {**item, "inventory_number": "EQ-2"})
    assert same_serial.status_code == 409 and same_serial.json()["code"] == "duplicate_serial_number"
    # the same serial of another type is another item
    assert client.post(f"workplaces/{wid}/equipment", {**item, "type": "printer",
                                                      "inventory_number": "EQ-3"}).status_code == 201
    assert Equipment.objects.filter(workplace_id=wid).count() == 2
    # the oblast monitor of the same oblast sees it; the Тетерівська scope does not
    assert api(oblast).get(f"workplaces/{wid}").status_code == 200
    assert wid in [w["id"] for w in api(ministry).get("workplaces", {"hromada": BARANIVSKA, "limit": 500}).json()]
    status = client.post(f"workplaces/{wid}/status", {"status": "decommissioned"})
    assert status.status_code == 200 and status.json()["status"] == "decommissioned"


def test_workplace_visibility_two_territories(api, hadmin, head, back2):
    w = Workplace.objects.filter(office__hromada__code=TETERIVSKA).first()
    assert w is not None   # demo workplace of Тетерівська
    assert api(hadmin).get(f"workplaces/{w.pk}").status_code == 404
    assert api(head).get(f"workplaces/{w.pk}").status_code == 404   # head of Звягельська: not its hromada
    assert api(head).post(f"workplaces/{w.pk}/status", {"status": "planned"}).status_code == 403   # role first
    assert api(back2).get(f"workplaces/{w.pk}").status_code == 403 or \
        api(back2).get(f"workplaces/{w.pk}").status_code == 404   # no monitoring.view for specialists


def test_plan_vs_actual_and_plan_setting(api, ministry, oblast):
    plan = api(ministry).get("workplaces/plan").json()
    assert plan["national_plan"] == 7600
    rows = {r["oblast_code"]: r for r in plan["oblasts"]}
    assert rows[ZHYTOMYR]["planned"] == 310 and rows[ZHYTOMYR]["equipped"] >= 3
    assert "UA01000000000013043" not in rows     # occupied Crimea has no plan row
    mine = api(oblast).get("workplaces/plan").json()
    assert [r["oblast_code"] for r in mine["oblasts"]] == [ZHYTOMYR] and mine["national_plan"] is None
    assert api(oblast).put("workplaces/plan", {"planned": 1}).status_code == 403
    resp = api(ministry).put("workplaces/plan", {"oblast": VINNYTSIA, "planned": 250})
    assert resp.status_code == 200
    assert {r["oblast_code"]: r for r in resp.json()["oblasts"]}[VINNYTSIA]["planned"] == 250


def test_hromada_admin_plan_view_has_no_oblast_plan(api, hadmin):
    data = api(hadmin).get("workplaces/plan").json()
    assert [r["oblast_code"] for r in data["oblasts"]] == [ZHYTOMYR]
    row = data["oblasts"][0]
    assert row["planned"] is None and row["share"] is None and data["national_plan"] is None
    assert row["equipped"] == Workplace.objects.filter(office__hromada__code=BARANIVSKA, status="equipped").count()
