import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.accounts.models import ApiToken, User
from hromada.accounts.services import revoke_own_token

ROOT = Path(__file__).resolve().parents[3]


def test_passwords_are_hashed_with_argon2(front):
    assert front.password.startswith("argon2")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_token_wrong_password_is_401(demo, api):
    res = api().post("auth/token", {"username": "front_demo", "password": "wrong-password"})
    assert res.status_code == 401
    assert res.json()["code"] == "invalid_credentials"
    assert "пароль" in res.json()["message"]


def test_token_flow_me_and_revoke(demo, api):
    client = api()
    res = client.post("auth/token", {"username": "front_demo", "password": "demo12345"})
    assert res.status_code == 200, res.content
    token = res.json()["token"]
    assert not ApiToken.objects.filter(key_hash=token).exists()  # only the hash is stored
    auth = {"Authorization": f"Bearer {token}"}
    me = client.get("auth/me", **auth)
    assert me.status_code == 200 and me.json()["role"] == "front_specialist"
    assert client.post("auth/token/revoke", **auth).status_code == 204
    res = client.get("auth/me", **auth)
    assert res.status_code == 401 and res.json()["code"] == "unauthorized"


def _token_for(user, *, seconds: int) -> dict:
    raw = "hm_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name="test", prefix=raw[:12], key_hash=ApiToken.hash(raw),
                            expires_at=timezone.now() + timedelta(seconds=seconds))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_expired_token_is_refused(front, monkeypatch):
    client, auth = Client(), _token_for(front, seconds=30)
    assert client.get("/api/v1/auth/me", **auth).status_code == 200   # the lookup is cached now
    later = timezone.now() + timedelta(seconds=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get("/api/v1/auth/me", **auth).status_code == 401   # the cache never outlives the token


def test_token_lookup_is_cached_and_forgotten_on_every_change(front, front2, settings, monkeypatch, tmp_path):
    # Cached only in a cache every worker shares (Redis in production; a file cache here): issue 16, #8.
    from django.core.cache.backends.filebased import FileBasedCache

    from hromada.accounts import services
    # The default cache too lives under tmp_path: without a LOCATION it would write into the working directory.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path / "cache")}}
    monkeypatch.setattr(services, "cache", FileBasedCache(str(tmp_path / "cache"), {}))
    client, auth = Client(), _token_for(front, seconds=3600)
    assert client.get("/api/v1/auth/me", **auth).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/auth/me", **auth).status_code == 200
    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]
    # deactivated user: refused from the next request on
    front.is_active = False
    front.save()
    assert client.get("/api/v1/auth/me", **auth).status_code == 401
    # a revoked token (the user's own revocation)
    client2, auth2 = Client(), _token_for(front2, seconds=3600)
    assert client2.get("/api/v1/auth/me", **auth2).status_code == 200
    token = ApiToken.objects.get(key_hash=ApiToken.hash(auth2["HTTP_AUTHORIZATION"].split()[1]))
    revoke_own_token(user=front2, token_id=token.pk)
    assert client2.get("/api/v1/auth/me", **auth2).status_code == 401
    # a role or office change is seen at once too
    auth3 = _token_for(front2, seconds=3600)
    assert client2.get("/api/v1/auth/me", **auth3).json()["role"] == "front_specialist"
    front2.role = "hromada_admin"
    front2.territory = front2.office.hromada
    front2.office = None
    front2.save()
    assert client2.get("/api/v1/auth/me", **auth3).json()["role"] == "hromada_admin"


def test_no_token_is_401_json(demo, api):
    res = api().get("auth/me")
    assert res.status_code == 401 and res.json()["code"] == "unauthorized"


def test_lockout_after_repeated_failures(demo, api):
    client = api()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("auth/token", {"username": "front2_demo", "password": "nope"})
    res = client.post("auth/token", {"username": "front2_demo", "password": "demo12345"})
    assert res.status_code in (401, 429)
    assert res.json()["code"] in ("invalid_credentials", "account_locked")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HROMADA_", "PYTEST"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", SECRET_KEY="x" * 20 + "Qz9!" * 12,
               ALLOWED_HOSTS="hromada.example.gov.ua", HROMADA_VAR_DIR=str(tmp_path),
               HROMADA_FIELD_KEY="field-" + "Kq7!" * 12)
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_user_scope_constraint(demo):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role="front_specialist")
