"""A sysadmin opens the operations page, sees readiness and a failed task, and marks it dealt with (Chromium)."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = """
from hromada.ops import services
services.record_failed_task(task_id="browser-1", task_name="hromada.billing.tasks.run_billing_period_task",
                            args=("2026-03", "run-1"), kwargs={}, exception=RuntimeError("сховище недоступне"))
print("ok")
"""


def test_sysadmin_sees_readiness_and_resolves_a_failed_task(page, hromada_server, live_server_url, login, shot):
    assert hromada_server.shell(SETUP).strip().endswith("ok")
    login(page, "admin_demo")
    page.click("nav.nav >> text=Експлуатація")
    page.wait_for_selector("h1 >> text=Експлуатація")
    readiness = page.locator("#readiness-h").inner_text()
    assert "готово" in readiness
    rows = page.locator("table.table").first.inner_text()
    for check in ("database", "migrations", "broker", "storage"):
        assert check in rows
    expect(page.locator("table.table").nth(1)).to_contain_text("сховище недоступне")
    shot(page, "ops-01-status")
    # Keyboard only: focus the button and press Enter.
    page.focus("form >> text=Позначити розглянутою")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg >> text=Задачу позначено як розглянуту.")
    expect(page.locator("table.table").nth(1)).not_to_contain_text("сховище недоступне")
    page.click("text=Показати всі, зокрема розглянуті")
    expect(page.locator("table.table").nth(1)).to_contain_text("Розглянуто")
    shot(page, "ops-02-resolved")
