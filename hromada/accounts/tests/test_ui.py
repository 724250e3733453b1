import re

import pytest
from django.test import Client


def login(client, username):
    res = client.post("/accounts/login/", {"username": username, "password": "demo12345"})
    assert res.status_code == 302, res.content[:500]
    return client


def test_login_page_is_ukrainian(db):
    res = Client().get("/accounts/login/")
    html = res.content.decode()
    assert res.status_code == 200
    assert 'lang="uk"' in html and "Вхід до системи «Громада»" in html
    assert "htmx.min.js" in html
    # Every script, style and image from our own origin: no src/href to another host (a CSRF token may well
    # contain the letters "cdn", so the test looks at the addresses, not at the page's text).
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and all(not re.match(r"(?:[a-z]+:)?//", a, re.I) for a in addresses), addresses
    assert "Content-Security-Policy" in res.headers


def test_wrong_password_message(demo):
    res = Client().post("/accounts/login/", {"username": "front_demo", "password": "bad"})
    assert "Неправильне ім’я користувача або пароль" in res.content.decode()


def test_home_requires_login(db):
    res = Client().get("/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]


@pytest.mark.parametrize("username", ["front_demo", "back_demo", "head_demo", "oblast_demo", "ministry_demo",
                                      "admin_demo", "hromada_admin_demo", "front2_demo"])
def test_home_per_role(demo, username):
    client = login(Client(), username)
    res = client.get("/")
    html = res.content.decode()
    assert res.status_code == 200
    assert "Вітаємо" in html


def test_language_switch_to_english(demo):
    client = login(Client(), "front_demo")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html


def test_admin_only_for_system_administrators(demo):
    assert login(Client(), "admin_demo").get("/admin/").status_code == 200
    res = login(Client(), "ministry_demo").get("/admin/")
    assert res.status_code == 302  # to the admin login: not allowed


def test_logout(demo):
    client = login(Client(), "front_demo")
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
