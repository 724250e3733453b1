"""Issue 16, #15: one account guessed from many addresses, and many accounts tried from one address, are slowed
with a growing wait (never a lock an attacker could keep on the owner)."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from hromada.accounts import lockout

PASSWORD = "demo12345"


def _client(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _fail(address: str, username: str):
    return _client(address).post("/accounts/login/", {"username": username, "password": "wrong-guess"})


def _login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_one_account_from_many_addresses_is_slowed(front2):
    owner = _client("192.0.2.10")
    assert _login(owner, "front2_demo").status_code == 302  # the owner's browser becomes known
    for n in range(settings.HROMADA_LOGIN_ACCOUNT_FAILURES):  # one failure per address: axes never locks
        assert _fail(f"198.51.100.{n + 1}", "front2_demo").status_code == 200
    # A new address, even with the right password, waits (not checked, not counted).
    res = _login(_client("203.0.113.7"), "front2_demo")
    assert res.status_code == 429 and 0 < int(res["Retry-After"]) <= 5
    assert "Спробуйте ще раз через" in res.content.decode()
    api = _client("203.0.113.8").post("/api/v1/auth/token", {"username": "front2_demo", "password": PASSWORD},
                                      content_type="application/json")
    assert api.status_code == 429 and api.json()["code"] == "login_slowed"
    assert api.json()["details"]["retry_after"] > 0
    # Not a lock: the owner's usual browser still signs in, from anywhere.
    known = owner.cookies[lockout.KNOWN_BROWSER_COOKIE].value
    owner = _client("192.0.2.99")  # signed out (no session), the same browser
    owner.cookies[lockout.KNOWN_BROWSER_COOKIE] = known
    assert _login(owner, "front2_demo").status_code == 302
    # And once the wait has passed, a new browser may try again.
    AccessAttempt.objects.filter(username="front2_demo").update(
        attempt_time=timezone.now() - timedelta(seconds=6))
    assert _login(_client("203.0.113.9"), "front2_demo").status_code == 302


def test_the_wait_grows_with_more_failures_and_is_capped(front2, settings):
    settings.HROMADA_LOGIN_MAX_DELAY = 40
    AccessAttempt.objects.create(username="front2_demo", ip_address="198.51.100.1", user_agent="x",
                                 failures_since_start=settings.HROMADA_LOGIN_ACCOUNT_FAILURES + 2,
                                 attempt_time=timezone.now(), get_data="", post_data="", http_accept="",
                                 path_info="/accounts/login/")
    request = _client("203.0.113.1").get("/accounts/login/").wsgi_request
    assert 15 < lockout.wait_seconds(request, "front2_demo") <= 20
    AccessAttempt.objects.filter(username="front2_demo").update(failures_since_start=100)
    assert 35 < lockout.wait_seconds(request, "front2_demo") <= 40


def test_password_spraying_from_one_address_is_slowed(front):
    sprayer = "198.51.100.200"
    for n in range(settings.HROMADA_LOGIN_ADDRESS_ACCOUNTS + 1):
        _fail(sprayer, f"nobody{n}")
    res = _login(_client(sprayer), "front_demo")
    assert res.status_code == 429 and int(res["Retry-After"]) > 0
    api = _client(sprayer).post("/api/v1/auth/token", {"username": "front_demo", "password": PASSWORD},
                                content_type="application/json")
    assert api.status_code == 429 and api.json()["code"] == "login_slowed"
    # Other addresses are not affected.
    assert _login(_client("192.0.2.44"), "front_demo").status_code == 302


def test_an_office_with_a_few_typos_is_not_slowed(front, front2, back):
    office = "192.0.2.50"  # one NAT address for a whole ЦНАП
    for who in ("front_demo", "front2_demo", "back_demo"):
        _fail(office, who)
    for who in ("front_demo", "front2_demo", "back_demo"):
        assert _login(_client(office), who).status_code == 302


@pytest.mark.parametrize("cookie", ["", "tampered", None])
def test_known_browser_cookie_must_be_signed(front2, cookie):
    for n in range(settings.HROMADA_LOGIN_ACCOUNT_FAILURES):
        _fail(f"198.51.100.{n + 1}", "front2_demo")
    client = _client("203.0.113.20")
    if cookie is None:  # a valid cookie of another user
        other = _client("192.0.2.60")
        _login(other, "front_demo")
        cookie = other.cookies[lockout.KNOWN_BROWSER_COOKIE].value
    client.cookies[lockout.KNOWN_BROWSER_COOKIE] = cookie
    assert _login(client, "front2_demo").status_code == 429
