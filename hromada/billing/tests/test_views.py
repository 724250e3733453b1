"""The billing pages: ministry run/close with progress, drill-down, budget chart, tariffs; the hromada's acts."""
from decimal import Decimal

import pytest
from django.test import Client

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.billing.models import BillingRun, Tariff
from hromada.territory.models import Unit

from .factories import kyiv, make_application


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data(front, front2):
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 5, 10))
    make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 5, 11))


def test_ministry_runs_with_progress_and_drills_down(data, ministry, django_capture_on_commit_callbacks):
    c = client_for(ministry)
    page = c.get("/billing/")
    assert page.status_code == 200 and "Розрахувати період" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        fragment = c.post("/billing/run/", {"period": "2025-05"}, HTTP_HX_REQUEST="true")
        # Queued: the fragment polls its progress (the task starts when the request's transaction commits).
        run = BillingRun.objects.get(period__year=2025, period__month=5)
        assert f'hx-get="/billing/runs/{run.run_id}/"' in fragment.content.decode()
    assert "HX-Trigger" not in fragment.headers     # queued: the list of periods waits
    answer = c.get(f"/billing/runs/{run.run_id}/")
    progress = answer.content.decode()
    assert "100%" in progress and "Завершено" in progress and "hx-get" not in progress
    # Ended: the page's list of periods reads itself again (it listens for this event).
    assert answer.headers["HX-Trigger"] == "billing-run-done"
    assert 'hx-trigger="billing-run-done from:body"' in page.content.decode()
    # The month as the period's heading names it, not its key.
    assert "Розрахунок за травень 2025:" in progress and "2025-05:" not in progress
    oblast = Unit.objects.get(code="UA18000000000041385")
    level1 = c.get("/billing/2025-05/").content.decode()
    assert "Житомирська" in level1 and f"?oblast={oblast.pk}" in level1
    level2 = c.get(f"/billing/2025-05/?oblast={oblast.pk}").content.decode()
    assert "Звягельський" in level2 and "Житомирський" in level2
    raion = Unit.objects.get(code="UA18080000000016657")
    level3 = c.get(f"/billing/2025-05/?oblast={oblast.pk}&raion={raion.pk}").content.decode()
    assert "Баранівська" in level3 and "Тетерівська" not in level3
    assert "/api/v1/billing/periods/2025-05/acts/UA18080010000090720.pdf" in level3
    closed = c.post("/billing/2025-05/close/", follow=True)
    assert "Період закрито" in closed.content.decode()


def test_failed_run_is_shown(data, ministry, django_capture_on_commit_callbacks):
    Tariff.objects.all().delete()
    c = client_for(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/billing/run/", {"period": "2025-05"}, HTTP_HX_REQUEST="true")
    run = BillingRun.objects.get(period__year=2025, period__month=5)
    assert "Немає тарифу" in c.get(f"/billing/runs/{run.run_id}/").content.decode()


def test_budget_page_has_chart_and_warning(ministry):
    c = client_for(ministry)
    response = c.post("/billing/budget/?year=2025", {"allocated": "0,00", "basis": "тест"}, follow=True)
    html = response.content.decode()
    assert "<svg" in html and "Бюджетну програму збережено" in html
    assert c.post("/billing/budget/?year=2025", {"allocated": "abc", "basis": "x"}).status_code == 200


def test_tariffs_page_sets_a_tariff(ministry, hadmin):
    c = client_for(ministry)
    response = c.post("/billing/tariffs/", {"service_code": "care_allowance", "amount": "42,10",
                                            "effective_from": "2026-12-01", "basis": "наказ № 9"}, follow=True)
    assert "Тариф встановлено" in response.content.decode()
    assert Tariff.objects.get(service__code="care_allowance").amount == Decimal("42.10")
    assert client_for(hadmin).post("/billing/tariffs/", {"amount": "1", "effective_from": "2027-01-01",
                                                         "basis": "x"}).status_code == 403   # role: never
    assert "Новий тариф" not in client_for(hadmin).get("/billing/tariffs/").content.decode()


def test_hromada_admin_sees_only_its_acts(data, ministry, hadmin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(ministry).post("/billing/run/", {"period": "2025-05"})
    other = create_staff_user(username="hadmin_tet", password="x", role=Role.HROMADA_ADMIN, check_password=False,
                              territory=Unit.objects.get(code="UA18040530000045696"))
    own = client_for(hadmin).get("/billing/").content.decode()
    assert "UA18080010000090720.pdf" in own and "UA18040530000045696.pdf" not in own
    theirs = client_for(other).get("/billing/").content.decode()
    assert "UA18040530000045696.pdf" in theirs and "UA18080010000090720.pdf" not in theirs
    assert "Розрахувати період" not in own
    assert client_for(hadmin).post("/billing/run/", {"period": "2025-05"}).status_code == 403
    assert client_for(hadmin).get("/billing/budget/").status_code == 403


def test_front_office_has_no_billing(front):
    assert client_for(front).get("/billing/").status_code == 403
