"""A hromada's line of a period down to its applications; the ministry's exclusion and re-inclusion from there
(#23 p.1)."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hromada.audit.models import AuditEntry
from hromada.billing import selectors

from .factories import kyiv, make_application, person
from .test_views import client_for


@pytest.fixture
def march(front, ministry, api, django_capture_on_commit_callbacks):
    """In March 2025 Баранівська accepted A (applicant P), B (P again, same service, A still open: a duplicate of
    A) and C (another applicant)."""
    applicant = person(front.office.hromada)
    a = make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 10), applicant=applicant)
    b = make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 11), applicant=applicant)
    c = make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        assert api(ministry).post("billing/periods/2025-03/run").status_code == 202
    return {"a": a, "b": b, "c": c, "code": front.office.hromada.code}


def _items(api, user, code, period="2025-03", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api(user).get(f"billing/periods/{period}/hromadas/{code}/items?{query}")


def test_items_contract_states_and_filters(march, ministry, api):
    response = _items(api, ministry, march["code"])
    assert response.status_code == 200 and response["X-Total-Count"] == "3" and response["X-Pages"] == "1"
    by_number = {i["application_number"]: i for i in response.json()}
    a, b, c = (by_number[march[k].number] for k in "abc")
    assert set(a) == {"application_number", "service_code", "event_date", "tariff", "amount", "state", "reason",
                      "duplicate_of", "adjusts_period"}
    assert (a["state"], Decimal(a["amount"]), Decimal(a["tariff"]), a["event_date"]) == (
        "paid", Decimal("50.00"), Decimal("50.00"), "2025-03-10")
    assert (b["state"], b["reason"], b["duplicate_of"], Decimal(b["amount"])) == (
        "duplicate", "duplicate", march["a"].number, Decimal("0"))
    assert c["state"] == "paid"
    only = _items(api, ministry, march["code"], state="duplicate").json()
    assert [i["application_number"] for i in only] == [march["b"].number]
    assert _items(api, ministry, march["code"], state="nonsense").json()["code"] == "invalid_item_state"
    assert AuditEntry.objects.filter(action="billing.items_view", object_id="2025-03").exists()


def test_items_are_scoped(march, hadmin, oblast, api, demo):
    assert _items(api, hadmin, march["code"]).status_code == 200       # Баранівська's own administrator
    assert _items(api, oblast, march["code"]).status_code == 200       # Житомирська oblast
    other = make_other_hromada_admin()
    assert _items(api, other, march["code"]).status_code == 404


def make_other_hromada_admin():
    from hromada.accounts.models import Role
    from hromada.accounts.services import create_staff_user
    from hromada.territory.models import Unit
    return create_staff_user(username="hadmin_teteriv_items", password="x", role=Role.HROMADA_ADMIN,
                             check_password=False, territory=Unit.objects.get(code="UA18040530000045696"))


def test_exclude_and_reinclude_from_the_screen_change_the_act(march, ministry, api,
                                                              django_capture_on_commit_callbacks):
    code, c = march["code"], march["c"]
    client = client_for(ministry)
    url = f"/billing/2025-03/hromadas/{code}/"
    page = client.get(url)
    assert page.status_code == 200 and c.number in page.content.decode() and "Виключити" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "exclusion/", {"number": c.number, "reason": "дублікат в іншій послузі"})
    item = next(i for i in selectors.hromada_items(ministry, "2025-03", code) if i["application_number"] == c.number)
    assert (item["state"], item["reason"], item["reason_text"]) == ("excluded", "excluded", "дублікат в іншій послузі")
    assert selectors.act(ministry, "2025-03", code).total == Decimal("50.00")          # only A is paid now
    entry = AuditEntry.objects.filter(action="billing.exclude").latest("id")
    assert entry.actor == ministry and entry.details["changes"] == {"excluded": [False, True],
                                                                    "reason": ["", "дублікат в іншій послузі"]}
    without_reason = client.post(url + "exclusion/", {"number": c.number, "action": "include", "reason": ""},
                                 follow=True)
    assert "Зазначте підставу" in without_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "exclusion/", {"number": c.number, "action": "include", "reason": "помилкове виключення"})
    assert selectors.act(ministry, "2025-03", code).total == Decimal("100.00")
    entry = AuditEntry.objects.filter(action="billing.include").latest("id")
    assert entry.details["reason"] == "помилкове виключення"


def test_closed_month_changes_only_through_an_adjustment(march, front, ministry, api,
                                                         django_capture_on_commit_callbacks):
    client = api(ministry)
    assert client.post("billing/periods/2025-03/close").status_code == 200
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 4, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("billing/periods/2025-04/run").status_code == 202
    with django_capture_on_commit_callbacks(execute=True):       # the exclusion re-runs April, the open month
        response = client.post("billing/exclusions", {"application_number": march["a"].number,
                                                      "reason": "знайдено на перевірці"})
    assert response.status_code == 201
    march_a = next(i for i in _items(api, ministry, march["code"]).json()
                   if i["application_number"] == march["a"].number)
    assert march_a["state"] == "paid"                                                  # the closed month stays
    april = _items(api, ministry, march["code"], period="2025-04").json()
    adjustment = next(i for i in april if i["application_number"] == march["a"].number)
    assert (adjustment["state"], adjustment["adjusts_period"], Decimal(adjustment["amount"]), adjustment["reason"]) \
        == ("adjustment", "2025-03", Decimal("-50.00"), "excluded")
    # With A excluded, B is no longer a repeat of a counted claim: the rule now pays it, also as an adjustment.
    b = next(i for i in april if i["application_number"] == march["b"].number)
    assert (b["state"], b["adjusts_period"], Decimal(b["amount"])) == ("adjustment", "2025-03", Decimal("50.00"))
    act = selectors.act(ministry, "2025-04", march["code"])
    assert sorted(a["amount"] for a in act.adjustments) == [Decimal("-50.00"), Decimal("50.00")]


def test_items_export_opens_in_excel_and_for_machines(march, ministry, api):
    base = f"billing/periods/2025-03/hromadas/{march['code']}/items"
    human = api(ministry).get(f"{base}.csv")
    assert human.status_code == 200 and human.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(human.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Номер заяви", "Послуга", "Дата", "Тариф, грн", "Сума, грн", "Стан"]
    a = next(r for r in rows if r[0] == march["a"].number)
    assert (a[2], a[3], a[4], a[5]) == ("10.03.2025", "50,00", "50,00", "оплачується")
    machine = api(ministry).get(f"{base}.csv?format=machine").content.decode()
    parsed = list(csv.DictReader(io.StringIO(machine)))
    b = next(r for r in parsed if r["application_number"] == march["b"].number)
    assert (b["state"], b["duplicate_of"], b["amount"]) == ("duplicate", march["a"].number, "0.00")
    ws = load_workbook(io.BytesIO(api(ministry).get(f"{base}.xlsx").content)).active
    assert ws.freeze_panes == "A3" and ws["A2"].value == "Номер заяви"
    numbers = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert numbers[march["a"].number][4] == 50 and numbers[march["a"].number][2].year == 2025
