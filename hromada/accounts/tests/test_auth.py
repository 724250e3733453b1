import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from hromada.accounts.models import ApiToken, User

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


def test_expired_token_is_refused(front, api):
    client = api(front)
    assert client.get("auth/me").status_code == 200
    ApiToken.objects.filter(user=front).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("auth/me").status_code == 401


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
               ALLOWED_HOSTS="hromada.example.gov.ua", HROMADA_VAR_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_user_scope_constraint(demo):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role="front_specialist")
