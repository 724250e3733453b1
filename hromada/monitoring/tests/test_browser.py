"""The ministry's national dashboard with its chart, then the drill-down to one hromada (Chromium)."""
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from hromada.browser_testing import wait_for_htmx

pytestmark = pytest.mark.browser

VINNYTSIA = "UA05000000000010236"
HROMADA = "UA05020030000031457"   # Вінницька громада

SETUP = """
from hromada.accounts.models import User
from hromada.monitoring import services
from hromada.monitoring.tests.factories import BROWSER_HROMADAS, generate
generate(user=User.objects.get(username="front_demo"), n=900, seed=11, prefix="BR", codes=BROWSER_HROMADAS,
         days=330, billing=False)
print(len(services.refresh_all()))
"""


def _pass_two_factor(page, server, username) -> None:
    """The ministry's role needs TOTP: read the (new or confirmed) device key on the server, type the code."""
    if "/accounts/2fa/" not in page.url:
        return
    key = server.shell("from django_otp.plugins.otp_totp.models import TOTPDevice\n"
                       f"print(TOTPDevice.objects.filter(user__username={username!r}).order_by('-id').first().bin_key.hex())")
    code = totp(bytes.fromhex(key.strip().splitlines()[-1]))
    page.fill("main form input:not([type=hidden])", f"{code:06d}")
    page.click("main form button[type=submit]")
    wait_for_htmx(page)
    assert "/accounts/2fa/" not in page.url


def _chart_drawn(page) -> bool:
    return page.evaluate("() => !!(window.Chart && Chart.getChart(document.getElementById('series-chart')))")


def test_national_dashboard_and_hromada_page(page, hromada_server, live_server_url, login, shot):
    assert int(hromada_server.shell(SETUP).strip().splitlines()[-1]) >= 11
    login(page, "ministry_demo")
    _pass_two_factor(page, hromada_server, "ministry_demo")
    page.click("nav.nav >> text=Моніторинг")
    expect(page.locator("h1")).to_have_text("Україна")
    page.wait_for_function("() => !!(window.Chart && Chart.getChart(document.getElementById('series-chart')))")
    assert _chart_drawn(page)
    assert page.locator("table >> text=Вінницька").count() >= 1
    shot(page, "monitoring-01-national")

    page.click(f"a[href^='/monitoring/oblast/{VINNYTSIA}/']")
    expect(page.locator("h1")).to_contain_text("Вінницька")
    page.select_option("#indicator", "accepted")
    page.click("form.filters button[type=submit]")
    wait_for_htmx(page)
    page.click(f"#best-h ~ table a[href^='/monitoring/hromada/{HROMADA}/'], a[href^='/monitoring/hromada/{HROMADA}/']")
    page.wait_for_function("() => !!(window.Chart && Chart.getChart(document.getElementById('series-chart')))")
    expect(page.locator("h1")).to_contain_text("Вінницька")
    assert page.locator(".kpi").count() == 15
    shot(page, "monitoring-02-hromada")

    # keyboard only: the period selector is reachable and labelled
    page.focus("#period")
    assert page.evaluate("() => document.activeElement.labels[0].textContent.trim()") == "Період"


def test_hromada_admin_records_onboarding_and_a_workplace(page, login, shot):
    login(page, "hromada_admin_demo")
    page.click("nav.nav >> text=Підключення громад")
    # A click waits for the navigation to start, not for the new page: wait for what it must show.
    expect(page.locator("h1")).to_have_text("Підключення громад до системи")
    shot(page, "monitoring-03-onboarding")
    page.click("table.steps >> text=Баранівська")
    page.select_option("#step", "staff_trained")
    page.fill("#done_on", "2025-09-01")
    page.fill("#note", "Навчання в обласному центрі")
    page.click("form.form button[type=submit]")
    expect(page.locator("text=Етап зафіксовано.")).to_have_count(1)
    expect(page.locator("td >> text=Навчання в обласному центрі")).to_have_count(1)

    page.click("nav.nav >> text=Робочі місця")
    page.click("main a >> text=Баранівська")
    page.fill("#wp-inv", "ЖТ-БАР-РМ-901")
    page.fill("#wp-label", "Старостинський округ, браузерний тест")
    page.select_option("#wp-fund", "local_budget")
    page.click("text=Додати робоче місце")
    expect(page.locator("h2 >> text=Старостинський округ, браузерний тест")).to_have_count(1)
    page.fill("#wp-inv", "ЖТ-БАР-РМ-901")
    page.click("text=Додати робоче місце")
    expect(page.locator("[role=alert]")).to_have_text(re.compile(r"^Робоче місце з інвентарним номером"))
    shot(page, "monitoring-04-workplaces")
