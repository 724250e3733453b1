"""child_demo registers a case and completes the needs assessment in Chromium (keyboard-usable forms,
Ukrainian UI, screenshots in var/screenshots/)."""
import pytest
from playwright.sync_api import expect

from hromada.browser_testing import wait_for_htmx

pytestmark = pytest.mark.browser


def test_register_case_and_complete_assessment(page, live_server_url, login, shot):
    login(page, "child_demo")
    page.get_by_role("link", name="Справи дітей").first.click()
    expect(page.locator("h1")).to_have_text("Справи дітей у складних життєвих обставинах")
    shot(page, "children-01-list")

    page.get_by_role("link", name="Зареєструвати повідомлення").click()
    page.locator("#id_last_name").fill("Левченко")
    page.locator("#id_first_name").fill("Тарас")
    page.locator("#id_birth_date").fill("2015-04-12")
    page.locator("#id_sex").select_option("M")
    page.get_by_label("Терміново").check()
    page.get_by_label("Неналежне виконання батьками обов’язків (бездоглядність)").check()
    page.locator("#id_summary").fill("Дитина тривалий час без нагляду дорослих.")
    # An anonymous report: the reporter fields disappear and nothing identifying is sent.
    page.locator("#id_reporter_type").select_option("anonymous")
    assert page.locator("#id_reporter_name").is_hidden()
    assert page.locator("#anon-note").is_visible()
    shot(page, "children-02-register-form")
    page.get_by_role("button", name="Зареєструвати").click()
    page.wait_for_url("**/children/*/")
    expect(page.locator(".messages")).to_contain_text("зареєстровано")
    expect(page.locator("#case-status")).to_have_text("Зареєстровано")
    assert "Анонімно — дані не зберігаються" in page.content()
    shot(page, "children-03-case-registered")

    page.get_by_role("button", name="Розпочати оцінювання").click()
    wait_for_htmx(page)
    expect(page.locator("#case-status")).to_have_text("Оцінювання потреб")
    page.locator("#id_assess-needs").fill("Щоденний нагляд, харчування, відвідування школи.")
    page.locator("#id_assess-findings").fill("Батьки не забезпечують належного догляду.")
    page.get_by_role("button", name="Завершити оцінювання").click()
    wait_for_htmx(page)
    expect(page.locator(".messages")).to_contain_text("Оцінювання потреб завершено")
    expect(page.locator("#assessment .badge.ok")).to_have_text("вчасно")
    assert page.get_by_role("button", name="Записати рішення").is_visible()
    shot(page, "children-04-assessment-completed")


def test_other_roles_get_403_in_the_browser(page, live_server_url, login):
    # The one outsider rule (accounts/access.py): a role that may never read children's cases gets 403.
    login(page, "front_demo")
    assert page.get_by_role("link", name="Справи дітей").count() == 0
    res = page.goto(f"{live_server_url}/children/")
    assert res.status == 403
