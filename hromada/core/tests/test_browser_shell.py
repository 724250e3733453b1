"""The UI shell in a real browser: login page, Ukrainian home page per role, language switch."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_and_home_in_ukrainian(page, live_server_url, login, shot):
    page.goto(f"{live_server_url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Вхід до системи «Громада»")
    shot(page, "00-login")
    login(page, "front_demo")
    assert page.locator("h1").inner_text().startswith("Вітаємо")
    assert page.locator("html").get_attribute("lang") == "uk"
    shot(page, "01-home-front-office")


def test_wrong_password_shows_clear_error(page, live_server_url):
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("#id_username", "front_demo")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("Неправильне ім’я користувача або пароль")


def test_switch_language(page, live_server_url, login):
    login(page, "ministry_demo")
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_text_typed_before_the_scripts_ran_is_searched(page, live_server_url, login):
    """A slow PC: the specialist types into the live search while htmx is still loading; the text is searched."""
    login(page, "front_demo")
    held = []
    page.route("**/vendor/htmx/htmx.min.js", lambda route: held.append(route))
    page.goto(f"{live_server_url}/persons/", wait_until="commit")
    page.wait_for_selector("#q")
    page.fill("#q", "коваленко")                 # no listener yet: the input event reaches nobody
    page.wait_for_timeout(500)
    assert held and page.locator("#results tr").count() == 0
    held[0].continue_()
    page.wait_for_selector("#results >> text=Коваленко Марія Іванівна")
    page.unroute("**/vendor/htmx/htmx.min.js")
