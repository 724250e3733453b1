from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.accounts.models import ApiToken
from hromada.audit.models import AuditEntry

PASSWORD = "demo12345"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_own_tokens_only(front, front2, api):
    mine, theirs = api(front), api(front2)
    res = mine.get("auth/tokens")
    assert res.status_code == 200
    ids = {t["id"] for t in res.json()}
    assert ids == set(ApiToken.objects.filter(user=front).values_list("id", flat=True))
    assert not ids & set(ApiToken.objects.filter(user=front2).values_list("id", flat=True))
    assert all("key_hash" not in t and len(t["prefix"]) <= 12 for t in res.json())
    assert theirs.get("auth/tokens").status_code == 200


def test_revoke_own_token_and_not_others(front, front2, api):
    mine, theirs = api(front), api(front2)
    spare = api(front)  # a second token of front
    spare_id = ApiToken.objects.filter(user=front).order_by("-id").first().pk
    other_id = ApiToken.objects.filter(user=front2).order_by("-id").first().pk
    res = mine.delete(f"auth/tokens/{other_id}")
    assert res.status_code == 404 and res.json()["code"] == "token_not_found"
    assert theirs.get("auth/me").status_code == 200
    assert mine.delete(f"auth/tokens/{spare_id}").status_code == 204
    assert spare.get("auth/me").status_code == 401
    assert mine.get("auth/me").status_code == 200
    assert AuditEntry.objects.filter(action="account.token_revoke", object_id=str(spare_id)).exists()
    listed = {t["id"]: t for t in mine.get("auth/tokens").json()}
    assert listed[spare_id]["active"] is False and listed[spare_id]["revoked_at"]


def test_token_lists_need_authentication(demo, api):
    assert api().get("auth/tokens").status_code == 401
    assert api().delete("auth/tokens/1").status_code == 401


def test_security_page_lists_tokens_and_revokes(front, front2, api):
    api(front)
    other = api(front2)
    token = ApiToken.objects.filter(user=front).order_by("-id").first()
    client = logged_in(front)
    html = client.get("/accounts/security/").content.decode()
    assert token.prefix in html and "Змінити пароль" in html
    other_token = ApiToken.objects.filter(user=front2).order_by("-id").first()
    assert other_token.prefix not in html
    assert client.post(f"/accounts/tokens/{other_token.pk}/revoke/").status_code == 404
    assert other.get("auth/me").status_code == 200
    res = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert res.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_change_password_enforces_policy(front2, api):
    token_client = api(front2)
    client = logged_in(front2)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and 'label for="id_old_password"' in page.content.decode()
    res = client.post("/accounts/password/", {"old_password": "wrong", "new_password1": "Zx9-long-enough",
                                              "new_password2": "Zx9-long-enough"})
    assert res.status_code == 400 and "Поточний пароль" in res.content.decode()
    res = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "12345678901",
                                              "new_password2": "12345678901"})
    assert res.status_code == 400
    res = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Zx9-long-enough",
                                              "new_password2": "Zx9-other-one"})
    assert res.status_code == 400 and "не збігаються" in res.content.decode()
    res = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Zx9-long-enough",
                                              "new_password2": "Zx9-long-enough"})
    assert res.status_code == 302
    front2.refresh_from_db()
    assert front2.check_password("Zx9-long-enough") and front2.password.startswith("argon2")
    assert client.get("/").status_code == 200  # this session stays
    assert token_client.get("auth/me").status_code == 401  # tokens revoked
    assert AuditEntry.objects.filter(action="account.password_change", actor=front2).exists()


def test_idle_session_expires(front):
    client = Client()
    assert client.post("/accounts/login/", {"username": "front_demo", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)
    # Idle longer than SESSION_COOKIE_AGE: the session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    res = client.get("/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]


def test_activity_extends_the_session(front):
    client = Client()
    client.post("/accounts/login/", {"username": "front_demo", "password": PASSWORD})
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=soon)
    assert client.get("/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > soon + timedelta(minutes=30)


def test_pages_do_not_rewrite_a_fresh_session(front):
    """The idle expiry is renewed at most once a minute, not with a database write on every page view."""
    client = Client()
    client.post("/accounts/login/", {"username": "front_demo", "password": PASSWORD})
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_ui_login_lockout(front2):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        res = client.post("/accounts/login/", {"username": "front2_demo", "password": "wrong-one"})
    res = client.post("/accounts/login/", {"username": "front2_demo", "password": PASSWORD})
    assert res.status_code == 429
    assert "Забагато невдалих спроб" in res.content.decode()
    assert client.get("/").status_code == 302  # not logged in
    # Another user from the same address is not locked (lock-out is per username + address).
    assert Client().post("/accounts/login/", {"username": "front_demo", "password": PASSWORD}).status_code == 302
