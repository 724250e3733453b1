"""TOTP two-factor authentication (django-otp) with recovery codes.

Required for the roles in TWO_FACTOR_ROLES (settings.HROMADA_REQUIRE_2FA); any other user may enrol from the
account security page, and from then on signs in with a code too.

The password step never logs a user who needs a code in by itself: the web login keeps a short-lived "pending"
mark in the session and only calls ``login`` after a valid code. In that half-authenticated state a user may
enrol a first device only when none is confirmed; replacing a confirmed device needs a fully signed-in session
and a code from the old device (or a recovery code). API tokens for these users need the code in the request.
TOTP keys are stored sealed (``sealing``); recovery codes are stored as keyed digests and work once each.
"""
from __future__ import annotations

import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.audit.services import record
from hromada.core.errors import Forbidden, HromadaError, Unauthorized, ValidationFailed

from .models import TWO_FACTOR_ROLES, SecurityNotice, User
from .sealing import recovery_digest

DEVICE_NAME = "totp"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10


def two_factor_required(user) -> bool:
    """True when this user must pass TOTP (setting on and the role listed in TWO_FACTOR_ROLES)."""
    return bool(getattr(settings, "HROMADA_REQUIRE_2FA", False)) and user.role in TWO_FACTOR_ROLES


def code_required(user) -> bool:
    """True when signing in needs a code: the role requires it, or the user enrolled a device by choice."""
    return two_factor_required(user) or has_confirmed_device(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME,
                                      device__confirmed=True).count()


def _refuse_half_signed_in_replacement(user, fully_signed_in: bool) -> None:
    if not fully_signed_in and has_confirmed_device(user):
        raise Forbidden(gettext("Пристрій двофакторної автентифікації вже налаштовано: увійдіть із кодом з нього."),
                        code="otp_device_exists")


@transaction.atomic
def start_enrolment(*, user: User, fully_signed_in: bool) -> TOTPDevice:
    """The unconfirmed device being enrolled (created once; a confirmed one is never replaced here).

    ``fully_signed_in`` is False between the password and the code steps: then only a user with no confirmed
    device may enrol (``otp_device_exists`` otherwise), so a password alone never shows a new secret."""
    _refuse_half_signed_in_replacement(user, fully_signed_in)
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The provisioning URL as an inline SVG QR code (CSP allows data: images; nothing leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def _clean(token) -> str:
    return "".join(str(token or "").split())


def _throttled(device) -> HromadaError | None:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return HromadaError(gettext("Забагато невдалих спроб введення коду. Зачекайте і спробуйте ще раз."),
                            code="otp_throttled", status=429)
    return None


def _check(device: TOTPDevice, token) -> None:
    token = _clean(token)
    if error := _throttled(device):
        raise error
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        raise Unauthorized(gettext("Код підтвердження невірний або застарів."), code="invalid_otp")


def _is_totp_shaped(token: str) -> bool:
    return token.isdigit() and len(token) <= 8


def _use_recovery_code(user: User, token: str) -> StaticDevice:
    """Consume one recovery code (django-otp deletes the matching token; failures count towards its throttle)."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    if device is None:
        raise Unauthorized(gettext("Код підтвердження невірний або застарів."), code="invalid_otp")
    if error := _throttled(device):
        raise error
    if not device.verify_token(recovery_digest(token)):
        raise Unauthorized(gettext("Код підтвердження невірний або застарів."), code="invalid_otp")
    return device


def _check_code_or_recovery(user: User, token, request=None):
    """A code from the confirmed authenticator, or a recovery code (used up, audited, noticed)."""
    token = _clean(token)
    if _is_totp_shaped(token):
        device = confirmed_device(user)
        if device is None:
            raise Unauthorized(gettext(
                "Двофакторну автентифікацію не налаштовано: увійдіть у вебінтерфейс і налаштуйте її."),
                               code="otp_not_configured")
        _check(device, token)
        return device
    device = _use_recovery_code(user, token)
    with transaction.atomic():
        record(actor=user, action="account.2fa_recovery_code_used", obj=user, request=request,
               details={"left": recovery_codes_left(user)})
        _notify(user, SecurityNotice.Kind.RECOVERY_CODE_USED)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones; return them (shown once)."""
    # The device is kept (only its tokens change): a session signed in with a recovery code stays verified.
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
        codes.append(f"{code[:5]}-{code[5:]}")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_digest(c)) for c in codes)
    return codes


NOTICE_MAIL = {
    SecurityNotice.Kind.DEVICE_REPLACED: (
        gettext_lazy("Громада: пристрій двофакторної автентифікації замінено"),
        gettext_lazy("Для вашого облікового запису {username} налаштовано новий пристрій двофакторної автентифікації "
                     "({at}). Старий пристрій і старі резервні коди більше не діють.\n\nЯкщо це зробили не ви, негайно "
                     "зверніться до системного адміністратора: хтось знає ваш пароль.")),
    SecurityNotice.Kind.RECOVERY_CODE_USED: (
        gettext_lazy("Громада: вхід із резервним кодом"),
        gettext_lazy("До вашого облікового запису {username} увійшли з резервним кодом ({at}).\n\nЯкщо це були не ви, "
                     "негайно зверніться до системного адміністратора.")),
    SecurityNotice.Kind.RECOVERY_CODES_RENEWED: (
        gettext_lazy("Громада: створено нові резервні коди"),
        gettext_lazy("Для вашого облікового запису {username} створено нові резервні коди ({at}); старі більше не діють."
                     "\n\nЯкщо це зробили не ви, негайно зверніться до системного адміністратора.")),
}


def _notify(user: User, kind: str) -> None:
    """Leave a notice for the next sign-in and, after commit, mail the user (if they have an address)."""
    notice = SecurityNotice.objects.create(user=user, kind=kind)
    if not user.email:
        return
    subject, body = NOTICE_MAIL[kind]
    at = timezone.localtime(notice.created_at).strftime("%d.%m.%Y %H:%M")
    transaction.on_commit(lambda: send_mail(str(subject), str(body).format(username=user.username, at=at),
                                            settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True))


def take_notices(*, user: User) -> list[SecurityNotice]:
    """The notices not shown yet, marked shown now (call at sign-in)."""
    with transaction.atomic():
        notices = list(SecurityNotice.objects.select_for_update().filter(user=user, shown_at__isnull=True)
                       .order_by("created_at", "id"))
        SecurityNotice.objects.filter(pk__in=[n.pk for n in notices]).update(shown_at=timezone.now())
    return notices


def confirm_enrolment(*, user: User, token, fully_signed_in: bool, current=None,
                      request=None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the device being enrolled with its first code; return it and the new recovery codes (shown once).

    A first device: ``account.2fa_enrol``. Replacing a confirmed device needs a fully signed-in session and
    ``current``, a code from the confirmed device or a recovery code (``otp_current_required``); it is audited as
    ``account.2fa_device_replace``, leaves a notice for the next sign-in and mails the user.
    Not atomic as a whole on purpose: a failed attempt must keep its throttle count (django-otp writes it)."""
    _refuse_half_signed_in_replacement(user, fully_signed_in)
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).order_by("id").first()
    if device is None:
        raise ValidationFailed(gettext("Спочатку почніть налаштування двофакторної автентифікації."),
                               code="otp_not_enrolling")
    replacing = has_confirmed_device(user)
    if replacing:
        if not _clean(current):
            raise Unauthorized(gettext("Щоб замінити пристрій, введіть код зі старого пристрою або резервний код."),
                               code="otp_current_required")
        try:
            _check_code_or_recovery(user, current, request=request)
        except Unauthorized as exc:
            raise Unauthorized(gettext("Код зі старого пристрою або резервний код невірний."),
                               code="otp_current_invalid") from exc
    _check(device, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        if replacing:
            record(actor=user, action="account.2fa_device_replace", obj=user, request=request)
            _notify(user, SecurityNotice.Kind.DEVICE_REPLACED)
        else:
            record(actor=user, action="account.2fa_enrol", obj=user, request=request)
    return device, codes


def renew_recovery_codes(*, user: User, current, request=None) -> list[str]:
    """New recovery codes (the old ones stop working) after a code from the authenticator or a recovery code."""
    if not has_confirmed_device(user):
        raise ValidationFailed(gettext("Спочатку налаштуйте двофакторну автентифікацію."), code="otp_not_configured")
    _check_code_or_recovery(user, current, request=request)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(actor=user, action="account.2fa_recovery_codes_renew", obj=user, request=request)
        _notify(user, SecurityNotice.Kind.RECOVERY_CODES_RENEWED)
    return codes


def verify_code(*, user: User, token, request=None):
    """Check a code against the user's confirmed device, or a recovery code; raise ``otp_required``/``invalid_otp``.
    Returns the device that matched (for ``django_otp.login``)."""
    if not _clean(token):
        raise Unauthorized(gettext("Для цієї ролі потрібен код двофакторної автентифікації (поле otp)."),
                           code="otp_required")
    if not has_confirmed_device(user):
        raise Unauthorized(gettext(
            "Двофакторну автентифікацію не налаштовано: увійдіть у вебінтерфейс і налаштуйте її."),
                           code="otp_not_configured")
    return _check_code_or_recovery(user, token, request=request)
