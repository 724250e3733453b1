"""Issue 16, #1 and #14: enrolment needs a full sign-in, replacing a device needs the old one (or a recovery
code), recovery codes, notices; 2FA required for the children's service and offered to every role."""
import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.accounts import twofactor
from hromada.accounts.models import SecurityNotice
from hromada.audit.models import AuditEntry

from .test_twofactor import PASSWORD, RECOVERY_RE, code, password_step


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.HROMADA_REQUIRE_2FA = True


def _reset_throttle(device):
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()


def signed_in_with_device(user):
    """A client fully signed in by password + code, with the device (enrolled through the web, codes kept)."""
    client = Client()
    password_step(client, user.username)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    res = client.post("/accounts/2fa/", {"otp": code(device)})
    assert res.status_code == 200
    device.refresh_from_db()
    return client, device, RECOVERY_RE.findall(res.content.decode())


@pytest.mark.parametrize("who", ["head", "ministry", "auditor", "sysadmin", "child"])
def test_password_alone_cannot_enrol_over_a_confirmed_device(db, request, who):
    """The reported takeover: password step, then /accounts/2fa/ must neither show a new secret nor accept one."""
    user = request.getfixturevalue(who)
    victim = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    attacker = Client()
    assert password_step(attacker, user.username)["Location"] == "/accounts/login/otp/"
    res = attacker.get("/accounts/2fa/")
    assert res.status_code == 302 and res["Location"] == "/accounts/login/otp/"
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()  # no new secret made or shown
    # Even with an unconfirmed device left over (e.g. an abandoned enrolment), its code does not sign in.
    leftover = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    res = attacker.post("/accounts/2fa/", {"otp": code(leftover)})
    assert res.status_code == 302 and res["Location"] == "/accounts/login/otp/"
    assert TOTPDevice.objects.filter(pk=victim.pk, confirmed=True).exists()
    assert attacker.get("/").status_code == 302  # still not signed in
    assert not AuditEntry.objects.filter(actor=user, action__startswith="account.2fa").exists()


def test_service_refuses_half_signed_in_replacement(head):
    TOTPDevice.objects.create(user=head, name="totp", confirmed=True)
    with pytest.raises(twofactor.Forbidden) as exc:
        twofactor.start_enrolment(user=head, fully_signed_in=False)
    assert exc.value.code == "otp_device_exists"
    leftover = TOTPDevice.objects.create(user=head, name="totp", confirmed=False)
    with pytest.raises(twofactor.Forbidden):
        twofactor.confirm_enrolment(user=head, token=code(leftover), fully_signed_in=False)


def test_replacing_a_device_needs_a_code_from_it_and_is_noticed(head, django_capture_on_commit_callbacks):
    head.email = "head@hromada.example"
    head.save()
    client, old, _codes = signed_in_with_device(head)
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200 and 'name="current"' in page.content.decode()
    new = TOTPDevice.objects.get(user=head, confirmed=False)
    # The new device's code alone is not enough.
    res = client.post("/accounts/2fa/", {"otp": code(new)})
    assert res.status_code == 400
    with pytest.raises(twofactor.Unauthorized) as exc:
        twofactor.confirm_enrolment(user=head, token=code(new), fully_signed_in=True)
    assert exc.value.code == "otp_current_required"
    # A wrong old code neither.
    res = client.post("/accounts/2fa/", {"current": "000000" if code(old, 1) != "000000" else "111111",
                                         "otp": code(new)})
    assert res.status_code == 400 and "зі старого пристрою або резервний код невірний" in res.content.decode()
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    _reset_throttle(old)
    mail.outbox.clear()
    # The old device's code (the next step: the current one was used to sign in) and the new one's.
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post("/accounts/2fa/", {"current": code(old, 1), "otp": code(new)})
    assert res.status_code == 200, res.content.decode()
    assert len(RECOVERY_RE.findall(res.content.decode())) == 10
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert AuditEntry.objects.filter(action="account.2fa_device_replace", actor=head).count() == 1
    assert AuditEntry.objects.filter(action="account.2fa_enrol", actor=head).count() == 1  # the first one only
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@hromada.example"]
    assert "замінено" in mail.outbox[0].subject
    # The next sign-in shows the change on screen, once.
    other = Client()
    password_step(other, "head_demo")
    res = other.post("/accounts/login/otp/", {"otp": code(new, 1)}, follow=True)
    assert "Пристрій двофакторної автентифікації замінено" in res.content.decode()
    assert not SecurityNotice.objects.filter(user=head, shown_at__isnull=True).exists()


def test_a_recovery_code_replaces_a_lost_device(head):
    client, old, codes = signed_in_with_device(head)
    client.get("/accounts/2fa/")
    new = TOTPDevice.objects.get(user=head, confirmed=False)
    res = client.post("/accounts/2fa/", {"current": codes[0].upper(), "otp": code(new)})
    assert res.status_code == 200
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(action="account.2fa_recovery_code_used", actor=head).exists()


def test_recovery_codes_sign_in_once_each_and_are_stored_as_digests(head):
    _client, _device, codes = signed_in_with_device(head)
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=head).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)
    client = Client()
    password_step(client, "head_demo")
    res = client.post("/accounts/login/otp/", {"otp": codes[3]})
    assert res.status_code == 302 and client.get("/").status_code == 200
    assert twofactor.recovery_codes_left(head) == 9
    assert AuditEntry.objects.filter(action="account.2fa_recovery_code_used", actor=head).exists()
    again = Client()
    password_step(again, "head_demo")
    res = again.post("/accounts/login/otp/", {"otp": codes[3]})
    assert res.status_code == 400 and again.get("/").status_code == 302
    # Signed in with a recovery code, the session stays verified when the codes are renewed.
    _reset_throttle(head.staticdevice_set.get())  # the failed reuse above started django-otp's delay
    assert client.post("/accounts/2fa/recovery-codes/", {"otp": codes[4]}).status_code == 200
    assert client.get("/").status_code == 200


def test_recovery_codes_renewed_only_with_a_code(head):
    client, device, codes = signed_in_with_device(head)
    res = client.post("/accounts/2fa/recovery-codes/", {"otp": "zzzzz-zzzzz"})
    assert res.status_code == 400
    static = device.user.staticdevice_set.get()
    _reset_throttle(static)
    res = client.post("/accounts/2fa/recovery-codes/", {"otp": codes[0]})
    fresh = RECOVERY_RE.findall(res.content.decode())
    assert res.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(codes)
    assert AuditEntry.objects.filter(action="account.2fa_recovery_codes_renew", actor=head).exists()
    assert client.get("/").status_code == 200  # this session stays verified
    again = Client()
    password_step(again, "head_demo")
    assert again.post("/accounts/login/otp/", {"otp": codes[1]}).status_code == 400  # the old ones are gone


def test_children_service_must_use_2fa(child):
    client = Client()
    res = password_step(client, "child_demo")
    assert res.status_code == 302 and res["Location"] == "/accounts/2fa/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("who", ["front", "back", "hadmin", "oblast"])
def test_every_other_role_may_enrol_and_then_signs_in_with_a_code(db, request, who):
    user = request.getfixturevalue(who)
    client = Client()
    assert password_step(client, user.username)["Location"] == "/"  # not required
    page = client.get("/accounts/security/").content.decode()
    assert 'href="/accounts/2fa/"' in page and "Не налаштовано" in page
    assert client.get("/accounts/2fa/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    res = client.post("/accounts/2fa/", {"otp": code(device)})
    assert res.status_code == 200 and len(RECOVERY_RE.findall(res.content.decode())) == 10
    assert 'href="/accounts/security/"' in res.content.decode()
    # From now on the password alone does not sign in (web or API).
    other = Client()
    assert password_step(other, user.username)["Location"] == "/accounts/login/otp/"
    assert other.get("/").status_code == 302
    res = other.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                     content_type="application/json")
    assert res.status_code == 401 and res.json()["code"] == "otp_required"

