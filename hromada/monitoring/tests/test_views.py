"""Monitoring pages: drill-down, scope (404 elsewhere), exports (audited), refresh, onboarding, workplaces,
and pinned query counts of the list pages."""
from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from hromada.audit.models import AuditEntry

from .. import services
from ..models import Equipment, OnboardingStep, Workplace
from ..periods import add_months, current_month
from .factories import generate

pytestmark = pytest.mark.django_db

ZHYTOMYR = "UA18000000000041385"
VINNYTSIA = "UA05000000000010236"
ZVIAHEL_RAION = "UA18080000000016657"
BARANIVSKA = "UA18080010000090720"
TETERIVSKA = "UA18040530000045696"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_national_dashboard_with_chart_data_and_drill_down(ministry, front):
    generate(user=front, n=80)
    services.refresh_all()  # what the Celery beat does; a page never rebuilds
    c = client_for(ministry)
    resp = c.get("/monitoring/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Україна" in html and "vendor/chartjs/chart.umd.min.js" in html and 'id="series-data"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # CSP: no inline JS
    chart = resp.context["chart"]
    assert len(chart["labels"]) == 12 and sum(chart["accepted"]) > 0
    assert f"/monitoring/oblast/{ZHYTOMYR}/" in html and "Житомирська" in html
    oblast = c.get(f"/monitoring/oblast/{ZHYTOMYR}/")
    assert oblast.status_code == 200 and f"/monitoring/raion/{ZVIAHEL_RAION}/" in oblast.content.decode()
    raion = c.get(f"/monitoring/raion/{ZVIAHEL_RAION}/", {"indicator": "accepted"})
    assert raion.status_code == 200 and f"/monitoring/hromada/{BARANIVSKA}/" in raion.content.decode()
    assert raion.context["best"], "ranking of the raion's hromadas"
    hromada = c.get(f"/monitoring/hromada/{BARANIVSKA}/", {"period": f"{current_month().year}"})
    assert hromada.status_code == 200 and "Баранівська" in hromada.content.decode()


def test_bad_period_shows_message_and_falls_back(ministry):
    resp = client_for(ministry).get("/monitoring/", {"period": "2026-99"})
    assert resp.status_code == 200 and resp.context["period_error"]


@pytest.mark.parametrize("url,status", [
    ("/monitoring/", 302), (f"/monitoring/oblast/{ZHYTOMYR}/", 200), (f"/monitoring/oblast/{VINNYTSIA}/", 404),
    (f"/monitoring/hromada/{TETERIVSKA}/", 200), ("/monitoring/hromada/UA05020010000053508/", 404),
])
def test_oblast_monitor_scope(oblast, url, status):
    resp = client_for(oblast).get(url)
    if status == 302:   # the landing page is the oblast's own page
        assert resp.status_code == 200 and resp.context["area"].unit.code == ZHYTOMYR
    else:
        assert resp.status_code == status


def test_hromada_admin_and_head_land_on_their_hromadas(hadmin, head, back2):
    resp = client_for(hadmin).get("/monitoring/")
    assert resp.status_code == 200 and resp.context["area"].unit.code == BARANIVSKA
    assert client_for(hadmin).get(f"/monitoring/hromada/{TETERIVSKA}/").status_code == 404
    assert client_for(hadmin).get(f"/monitoring/oblast/{ZHYTOMYR}/").status_code == 404
    resp = client_for(head).get("/monitoring/")
    assert resp.status_code == 200 and resp.context["area"].level in ("hromada", "served")
    assert client_for(head).get(f"/monitoring/hromada/{TETERIVSKA}/").status_code == 404
    assert client_for(back2).get("/monitoring/").status_code == 403   # specialists have no monitoring


@pytest.mark.parametrize("table", ["cards", "series", "children", "best", "worst"])
def test_every_table_exports_to_csv_and_xlsx_and_is_audited(ministry, front, table):
    generate(user=front, n=15)
    c = client_for(ministry)
    before = AuditEntry.objects.filter(action="monitoring.export").count()
    resp = c.get(f"/monitoring/oblast/{ZHYTOMYR}/", {"table": table, "export": "csv", "indicator": "accepted"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) >= 2
    resp = c.get(f"/monitoring/oblast/{ZHYTOMYR}/", {"table": table, "export": "xlsx", "indicator": "accepted"})
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet.max_row == len(rows)
    assert AuditEntry.objects.filter(action="monitoring.export").count() == before + 2
    entry = AuditEntry.objects.filter(action="monitoring.export").latest("id")
    assert entry.actor == ministry and entry.details["format"] == "xlsx" and entry.details["area"] == ZHYTOMYR


def test_children_export_has_every_oblast_figure(ministry, front):
    generate(user=front, n=40)
    resp = client_for(ministry).get("/monitoring/", {"table": "children", "export": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    codes = [r[0] for r in rows[1:]]
    assert ZHYTOMYR in codes and VINNYTSIA in codes and len(rows[0]) == 2 + 15


def test_unknown_export_format_is_refused(ministry):
    resp = client_for(ministry).get("/monitoring/", {"table": "cards", "export": "pdf"})
    assert resp.status_code == 302 and not AuditEntry.objects.filter(action="monitoring.export").exists()


def test_a_dashboard_read_never_rebuilds_and_says_how_fresh_it_is(api, ministry, front):
    """#18: reads never write. A GET shows the aggregates as the beat left them, however stale."""
    from ..models import HromadaMonth, MonthRefresh
    generate(user=front, n=30)
    c = client_for(ministry)
    html = c.get("/monitoring/").content.decode()
    assert not MonthRefresh.objects.exists() and not HromadaMonth.objects.exists()
    assert "ще не пораховано" in html and "Показники станом на" not in html
    services.refresh_all()
    built = dict(MonthRefresh.objects.values_list("month", "refreshed_at"))
    rows = HromadaMonth.objects.count()
    html = c.get("/monitoring/").content.decode()
    assert dict(MonthRefresh.objects.values_list("month", "refreshed_at")) == built
    assert HromadaMonth.objects.count() == rows and "Показники станом на" in html
    assert api(ministry).get("indicators/values", {"level": "country"}).status_code == 200
    assert dict(MonthRefresh.objects.values_list("month", "refreshed_at")) == built


def test_refresh_button_is_for_the_ministry(ministry, oblast):
    month = current_month()
    assert client_for(oblast).post("/monitoring/refresh/", {"period": f"{month:%Y-%m}"}).status_code == 403
    resp = client_for(ministry).post("/monitoring/refresh/", {"period": f"{month:%Y-%m}", "next": "/monitoring/"})
    assert resp.status_code == 302
    from ..models import MonthRefresh
    assert MonthRefresh.objects.get(month=month).refreshed_at > timezone.now() - timezone.timedelta(minutes=1)
    assert 'action="/monitoring/refresh/"' in client_for(ministry).get("/monitoring/").content.decode()
    assert 'action="/monitoring/refresh/"' not in client_for(oblast).get("/monitoring/").content.decode()


def test_on_demand_refresh_shows_its_progress(ministry, oblast):
    """#23 p.6: the button queues a task (eager here) and the dashboard shows its progress, polled until done."""
    month = current_month()
    resp = client_for(ministry).post("/monitoring/refresh/", {"period": f"{month:%Y-%m}", "next": "/monitoring/"})
    assert "?refresh=" in resp["Location"]
    job_id = resp["Location"].split("refresh=")[1]
    html = client_for(ministry).get(resp["Location"]).content.decode()
    assert 'id="refresh-job"' in html and 'data-job-status="done"' in html and "1 з 1" in html
    partial = client_for(ministry).get(f"/monitoring/refresh/{job_id}/").content.decode()
    assert 'value="100"' in partial and "hx-get" not in partial                 # done: polling stops
    # Oblast may never refresh: 403 (the one outsider rule; was 404).
    assert client_for(oblast).get(f"/monitoring/refresh/{job_id}/").status_code == 403


def _queries(client, url, params=None) -> int:
    client.get(url, params or {})   # warm-up: sessions, stale months rebuilt once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_are_pinned_and_do_not_grow_with_data(ministry, front):
    c = client_for(ministry)
    generate(user=front, n=20, seed=1)
    services.refresh_aggregates(months=[add_months(current_month(), -i) for i in range(12)])
    pages = ["/monitoring/", f"/monitoring/oblast/{ZHYTOMYR}/", "/monitoring/onboarding/", "/monitoring/workplaces/",
             f"/monitoring/workplaces/{BARANIVSKA}/"]
    before = {p: _queries(c, p) for p in pages}
    generate(user=front, n=150, seed=2, prefix="B")
    services.refresh_aggregates(months=[add_months(current_month(), -i) for i in range(12)])
    after = {p: _queries(c, p) for p in pages}
    assert after == before, (before, after)
    assert before["/monitoring/"] <= 30 and before["/monitoring/onboarding/"] <= 20


def test_onboarding_pages_and_recording(oblast, hadmin, ministry):
    resp = client_for(ministry).get("/monitoring/onboarding/")
    assert resp.status_code == 200 and len(resp.context["summary"]) >= 24
    mine = client_for(oblast).get("/monitoring/onboarding/")
    assert [r["oblast"].code for r in mine.context["summary"]] == [ZHYTOMYR]
    assert all(r["unit"].oblast.code == ZHYTOMYR for r in mine.context["rows"])
    c = client_for(hadmin)
    page = c.get(f"/monitoring/onboarding/{BARANIVSKA}/")
    assert page.status_code == 200 and 'name="done_on"' in page.content.decode()
    resp = c.post(f"/monitoring/onboarding/{BARANIVSKA}/", {"step": "staff_trained",
                                                            "done_on": str(timezone.localdate())})
    assert resp.status_code == 302
    assert OnboardingStep.objects.get(hromada__code=BARANIVSKA, step="staff_trained").recorded_by == hadmin
    bad = c.post(f"/monitoring/onboarding/{BARANIVSKA}/", {"step": "live", "done_on": "вчора"})
    assert bad.status_code == 200 and "РРРР-ММ-ДД" in bad.content.decode()
    assert c.post(f"/monitoring/onboarding/{TETERIVSKA}/", {"step": "live",
                                                           "done_on": str(timezone.localdate())}).status_code == 404


def test_head_sees_onboarding_but_cannot_record(head):
    c = client_for(head)
    page = c.get(f"/monitoring/onboarding/{BARANIVSKA}/")
    assert page.status_code == 200 and 'name="done_on"' not in page.content.decode()
    assert c.post(f"/monitoring/onboarding/{BARANIVSKA}/", {"step": "live",
                                                           "done_on": str(timezone.localdate())}).status_code == 403


def test_workplace_pages_record_and_refuse_duplicates(hadmin, oblast):
    c = client_for(hadmin)
    page = c.get(f"/monitoring/workplaces/{BARANIVSKA}/")
    assert page.status_code == 200
    office = page.context["offices"][0]
    resp = c.post(f"/monitoring/workplaces/{BARANIVSKA}/", {
        "form": "workplace", "office": office.pk, "inventory_number": "UI-1", "funding_source": "local_budget",
        "status": "equipped", "equipped_on": str(timezone.localdate())})
    assert resp.status_code == 302
    w = Workplace.objects.get(inventory_number="UI-1")
    dup = c.post(f"/monitoring/workplaces/{BARANIVSKA}/", {
        "form": "workplace", "office": office.pk, "inventory_number": "UI-1", "funding_source": "local_budget"})
    assert dup.status_code == 200 and "уже обліковано" in dup.content.decode()
    assert Workplace.objects.filter(inventory_number="UI-1").count() == 1
    resp = c.post(f"/monitoring/workplaces/{BARANIVSKA}/", {
        "form": "equipment", "workplace": w.pk, "type": "computer", "serial_number": "S-UI-1",
        "inventory_number": "E-UI-1", "funding_source": "world_bank", "delivered_on": str(timezone.localdate())})
    assert resp.status_code == 302 and Equipment.objects.filter(workplace=w).count() == 1
    assert c.get(f"/monitoring/workplaces/{TETERIVSKA}/").status_code == 404
    assert client_for(oblast).get(f"/monitoring/workplaces/{TETERIVSKA}/").status_code == 200
    plan = client_for(oblast).get("/monitoring/workplaces/")
    assert [r["oblast"].code for r in plan.context["plan"]["rows"]] == [ZHYTOMYR]


def test_chart_json_block_is_valid(ministry):
    html = client_for(ministry).get("/monitoring/").content.decode()
    start = html.index('id="series-data" type="application/json">') + len('id="series-data" type="application/json">')
    data = json.loads(html[start:html.index("</script>", start)])
    assert set(data) >= {"labels", "accepted", "decided", "on_time", "names"}


@pytest.mark.parametrize("url", ["/monitoring/onboarding/", "/monitoring/workplaces/"])
def test_onboarding_and_plan_tables_export_scoped_and_audited(oblast, url):
    resp = client_for(oblast).get(url, {"export": "csv"})
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [ZHYTOMYR]
    assert AuditEntry.objects.filter(action="monitoring.export", actor=oblast).count() == 1
    xlsx = client_for(oblast).get(url, {"export": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 2


def test_ministry_sets_an_oblast_plan_in_the_ui(ministry, oblast):
    assert client_for(oblast).post("/monitoring/workplaces/", {"oblast": VINNYTSIA, "planned": "5"}).status_code == 403
    c = client_for(ministry)
    assert 'id="plan-n"' in c.get("/monitoring/workplaces/").content.decode()
    assert c.post("/monitoring/workplaces/", {"oblast": VINNYTSIA, "planned": "120"}).status_code == 302
    rows = {r["oblast"].code: r for r in c.get("/monitoring/workplaces/").context["plan"]["rows"]}
    assert rows[VINNYTSIA]["planned"] == 120
    bad = c.post("/monitoring/workplaces/", {"oblast": VINNYTSIA, "planned": "багато"})
    assert bad.status_code == 200 and "ціле число" in bad.content.decode()
    assert AuditEntry.objects.filter(action="monitoring.workplace_plan", actor=ministry).count() == 1


def test_the_plan_form_appears_once_in_the_body_not_in_the_title_or_head(ministry):
    html = client_for(ministry).get("/monitoring/workplaces/").content.decode()
    title = html[html.index("<title>"):html.index("</title>")]
    assert "<form" not in title and "plan-n" not in title
    assert html.count('id="plan-n"') == 1 and html.index('id="plan-n"') > html.index("</head>")


def test_cards_format_numbers_as_the_interface_language_does():
    from decimal import Decimal

    from django.utils import translation

    from hromada.monitoring.views import _fmt

    with translation.override("uk"):
        assert _fmt(Decimal("12.5"), "percent") == "12,5%"
        assert _fmt(Decimal("1234.5"), "UAH") == "1 234,50 грн"      # as on the billing pages
        assert _fmt(12345, "count") == "12 345"
    with translation.override("en"):
        assert _fmt(Decimal("12.5"), "percent") == "12.5%"
    assert _fmt(None, "percent") == "—"
