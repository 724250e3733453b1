"""The UI shell in a real browser: login page, Ukrainian home page per role, language switch."""
import pytest

pytestmark = pytest.mark.browser


def test_login_and_home_in_ukrainian(page, live_server_url, login, shot):
    page.goto(f"{live_server_url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Вхід до системи «Громада»"
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
    assert "Неправильне ім’я користувача або пароль" in page.locator("[role=alert]").inner_text()


def test_switch_language(page, live_server_url, login):
    login(page, "ministry_demo")
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
