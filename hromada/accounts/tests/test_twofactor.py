import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.accounts.models import ApiToken
from hromada.audit.models import AuditEntry

PASSWORD = "demo12345"
RECOVERY_RE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.HROMADA_REQUIRE_2FA = True


def code(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def head_device(head):
    return TOTPDevice.objects.create(user=head, name="totp", confirmed=True)


def password_step(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_roles_without_2fa_log_in_directly(front):
    client = Client()
    res = password_step(client, "front_demo")
    assert res.status_code == 302 and res["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["head", "ministry", "auditor", "sysadmin"])
def test_password_alone_does_not_sign_in_2fa_roles(request, who):
    user = request.getfixturevalue(who)
    client = Client()
    res = password_step(client, user.username)
    assert res.status_code == 302 and res["Location"] == "/accounts/2fa/"  # no device yet: enrolment
    res = client.get("/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]  # not logged in


def test_enrolment_shows_qr_and_confirms_device(head):
    client = Client()
    password_step(client, "head_demo")
    res = client.get("/accounts/2fa/")
    html = res.content.decode()
    assert res.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html and 'label for="id_otp"' in html
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    assert device.config_url.split("secret=")[1][:8] in html  # the manual key
    res = client.post("/accounts/2fa/", {"otp": "000000" if code(device) != "000000" else "111111"})
    assert res.status_code == 400 and "невірний" in res.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    res = client.post("/accounts/2fa/", {"otp": code(device)})
    # Signed in; the recovery codes are shown once, with the way on.
    assert res.status_code == 200 and 'href="/"' in res.content.decode()
    assert len(RECOVERY_RE.findall(res.content.decode())) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="account.2fa_enrol", actor=head).exists()
    assert not AuditEntry.objects.filter(action="account.2fa_device_replace", actor=head).exists()


def test_verification_step_with_device(head, head_device):
    client = Client()
    res = password_step(client, "head_demo")
    assert res["Location"] == "/accounts/login/otp/"
    assert client.get("/").status_code == 302
    res = client.post("/accounts/login/otp/", {"otp": "12345x"})
    assert res.status_code == 400
    res = client.post("/accounts/login/otp/", {"otp": code(head_device)})
    assert res.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="account.login", actor=head, details__2fa=True).exists()


def test_code_step_without_password_step_goes_to_login(head, head_device):
    res = Client().post("/accounts/login/otp/", {"otp": code(head_device)})
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]


def test_wrong_codes_are_throttled(head, head_device):
    client = Client()
    password_step(client, "head_demo")
    bad = "999999" if code(head_device) != "999999" else "888888"
    client.post("/accounts/login/otp/", {"otp": bad})
    res = client.post("/accounts/login/otp/", {"otp": code(head_device)})  # inside the throttle delay
    assert res.status_code == 400 and "Забагато" in res.content.decode()


def test_api_token_needs_otp_for_2fa_roles(head, head_device, api):
    client = api()
    res = client.post("auth/token", {"username": "head_demo", "password": PASSWORD})
    assert res.status_code == 401 and res.json()["code"] == "otp_required"
    res = client.post("auth/token", {"username": "head_demo", "password": PASSWORD, "otp": "abcdef"})
    assert res.status_code == 401 and res.json()["code"] == "invalid_otp"
    head_device.refresh_from_db()
    head_device.throttling_failure_count = 0
    head_device.save()
    res = client.post("auth/token", {"username": "head_demo", "password": PASSWORD, "otp": code(head_device)})
    assert res.status_code == 200, res.content
    assert client.get("auth/me", Authorization=f"Bearer {res.json()['token']}").status_code == 200


def test_api_token_for_2fa_role_without_device(ministry, api):
    res = api().post("auth/token", {"username": "ministry_demo", "password": PASSWORD, "otp": "123456"})
    assert res.status_code == 401 and res.json()["code"] == "otp_not_configured"


def test_api_token_without_otp_for_other_roles(front, api):
    res = api().post("auth/token", {"username": "front_demo", "password": PASSWORD})
    assert res.status_code == 200


def test_2fa_off_lets_heads_in_with_password(settings, head):
    settings.HROMADA_REQUIRE_2FA = False
    client = Client()
    res = password_step(client, "head_demo")
    assert res["Location"] == "/"
    assert client.get("/").status_code == 200


def test_middleware_ends_unverified_sessions(settings, head, front):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "hromada.accounts.middleware.RequireTwoFactorMiddleware"]
    client = Client()
    client.force_login(head)  # e.g. through the admin's own login form: no code given
    res = client.get("/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]
    client.force_login(head)
    res = client.get("/api/v1/auth/me")
    assert res.status_code == 401 and res.json()["code"] == "otp_required"
    other = Client()
    other.force_login(front)
    assert other.get("/").status_code == 200
    assert not ApiToken.objects.filter(user=head).exists()
