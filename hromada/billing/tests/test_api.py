"""The billing API contract and its permissions (two users of different territories for each check)."""
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.audit.models import AuditEntry
from hromada.territory.models import Unit

from .factories import kyiv, make_application

KYIV_OBLAST = "UA32000000000030281"


@pytest.fixture
def period(front, front2, ministry, api, django_capture_on_commit_callbacks):
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 10))
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 11))
    make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(ministry).post("billing/periods/2025-03/run")
    assert response.status_code == 202, response.content
    return "2025-03"


@pytest.fixture
def hadmin2(demo):
    """A hromada administrator of Тетерівська (the demo one is Баранівська)."""
    return create_staff_user(username="hadmin_teteriv", password="x", role=Role.HROMADA_ADMIN, check_password=False,
                             territory=Unit.objects.get(code="UA18040530000045696"))


@pytest.fixture
def oblast2(demo):
    """An oblast monitor of Київська oblast (the demo one is Житомирська)."""
    return create_staff_user(username="oblast_kyiv", password="x", role=Role.OBLAST_MONITOR, check_password=False,
                             territory=Unit.objects.get(code=KYIV_OBLAST))


def test_run_via_api_then_period_totals_and_close(period, ministry, api, django_capture_on_commit_callbacks):
    client = api(ministry)
    body = client.get(f"billing/periods/{period}").json()
    assert body["status"] == "open" and body["count"] == 3 and Decimal(body["total"]) == Decimal("150.00")
    assert body["last_run"]["status"] == "done" and body["last_run"]["progress"] == 100
    run = client.get(f"billing/runs/{body['last_run']['run_id']}").json()
    assert run["status"] == "done" and run["events"] == 3
    closed = client.post(f"billing/periods/{period}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"billing/periods/{period}/run")
    assert again.status_code == 409 and again.json()["code"] == "period_closed"


def test_only_ministry_runs_and_closes(period, hadmin, hadmin2, oblast, oblast2, front, api):
    for user in (hadmin, hadmin2, oblast, oblast2, front):
        assert api(user).post(f"billing/periods/{period}/run").status_code == 403
        assert api(user).post(f"billing/periods/{period}/close").status_code == 403
    assert api(None).post(f"billing/periods/{period}/run").status_code == 401


def test_bad_period_is_422(ministry, api):
    response = api(ministry).get("billing/periods/2025-3")
    assert response.status_code == 422 and response.json()["code"] == "bad_period"


def test_acts_are_scoped(period, ministry, hadmin, hadmin2, oblast, oblast2, front, api):
    baranivska, teterivska = "UA18080010000090720", "UA18040530000045696"
    rows = api(ministry).get(f"billing/periods/{period}/acts").json()
    assert {(r["hromada_code"], r["count"], r["amount"], r["adjustments"]) for r in rows} >= {
        (baranivska, 2, "100.00", "0.00"), (teterivska, 1, "50.00", "0.00")}
    assert [r["hromada_code"] for r in api(hadmin).get(f"billing/periods/{period}/acts").json()] == [baranivska]
    assert [r["hromada_code"] for r in api(hadmin2).get(f"billing/periods/{period}/acts").json()] == [teterivska]
    assert {r["hromada_code"] for r in api(oblast).get(f"billing/periods/{period}/acts").json()} >= {
        baranivska, teterivska}
    assert api(oblast2).get(f"billing/periods/{period}/acts").json() == []
    assert api(front).get(f"billing/periods/{period}/acts").status_code == 403


def test_act_pdf_own_only(period, hadmin, hadmin2, oblast, oblast2, api):
    baranivska, teterivska = "UA18080010000090720", "UA18040530000045696"
    own = api(hadmin).get(f"billing/periods/{period}/acts/{baranivska}.pdf")
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert "100,00 грн" in PdfReader(io.BytesIO(own.content)).pages[0].extract_text()
    assert api(hadmin).get(f"billing/periods/{period}/acts/{teterivska}.pdf").status_code == 404
    assert api(hadmin2).get(f"billing/periods/{period}/acts/{teterivska}.pdf").status_code == 200
    assert api(hadmin2).get(f"billing/periods/{period}/acts/{baranivska}.pdf").status_code == 404
    assert api(oblast).get(f"billing/periods/{period}/acts/{teterivska}.pdf").status_code == 200
    assert api(oblast2).get(f"billing/periods/{period}/acts/{teterivska}.pdf").status_code == 404
    assert AuditEntry.objects.filter(action="billing.act_download", object_id=period).count() == 3


def test_register_downloads_are_scoped_and_audited(period, ministry, oblast2, api):
    xlsx = api(ministry).get(f"billing/periods/{period}/register.xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(row[0] == "UA18080010000090720" for row in ws.iter_rows(values_only=True))
    csv_text = api(ministry).get(f"billing/periods/{period}/register.csv?format=machine").content.decode()
    assert csv_text.splitlines()[0] == "katottg_code,oblast,raion,hromada,count,amount,adjustments,total"
    assert "UA18080010000090720,Житомирська,Звягельський,Баранівська,2,100.00,0.00,100.00" in csv_text
    other = api(oblast2).get(f"billing/periods/{period}/register.csv").content.decode()
    assert "UA18080010000090720" not in other
    assert AuditEntry.objects.filter(action="billing.register_export", object_id=period).count() == 3


def test_tariffs_api(ministry, hadmin, api):
    created = api(ministry).post("billing/tariffs", {"amount": "65.40", "effective_from": "2026-12-01",
                                                     "basis": "наказ № 7", "service_code": "housing_subsidy"})
    assert created.status_code == 201 and created.json()["amount"] == "65.40"
    assert api(hadmin).post("billing/tariffs", {"amount": "1.00", "effective_from": "2027-01-01",
                                                "basis": "x"}).status_code == 403
    codes = [t["service_code"] for t in api(hadmin).get("billing/tariffs").json()]
    assert "housing_subsidy" in codes


def test_exclusion_and_budget_api(front, ministry, hadmin, api, django_capture_on_commit_callbacks):
    app = make_application(office=front.office, user=front, submitted_at=kyiv(2025, 4, 2))
    body = {"application_number": app.number, "reason": "дублікат (аудит)"}
    assert api(hadmin).post("billing/exclusions", body).status_code == 403
    assert api(ministry).post("billing/exclusions", body).status_code == 201
    again = api(ministry).post("billing/exclusions", body)
    assert again.status_code == 409 and again.json()["code"] == "already_excluded"
    missing = api(ministry).post("billing/exclusions", {"application_number": "NOPE", "reason": "x"})
    assert missing.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        api(ministry).post("billing/periods/2025-04/run")
    assert api(ministry).get("billing/periods/2025-04").json()["count"] == 0
    year = timezone.localdate().year      # the demo's illustrative budget line is for the current year
    budget = api(ministry).get(f"billing/budget/{year}").json()
    assert budget["allocated"] == "150000000.00" and "exhausted" not in budget["warnings"]
    assert api(hadmin).get(f"billing/budget/{year}").status_code == 403
