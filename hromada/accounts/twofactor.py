"""TOTP two-factor authentication (django-otp) for the roles in TWO_FACTOR_ROLES.

The password step never logs a 2FA user in by itself: the web login keeps a short-lived "pending" mark
in the session and only calls ``login`` after a valid TOTP code, so there is no half-authenticated session.
API tokens for these users need the code in the same request.
"""
from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.audit.services import record
from hromada.core.errors import HromadaError, Unauthorized, ValidationFailed

from .models import TWO_FACTOR_ROLES, User

DEVICE_NAME = "totp"


def two_factor_required(user) -> bool:
    """True when this user must pass TOTP (setting on and the role listed in TWO_FACTOR_ROLES)."""
    return bool(getattr(settings, "HROMADA_REQUIRE_2FA", False)) and user.role in TWO_FACTOR_ROLES


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created once; a confirmed one is never replaced here)."""
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


def _check(device: TOTPDevice, token) -> None:
    token = _clean(token)
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise HromadaError("Забагато невдалих спроб введення коду. Зачекайте і спробуйте ще раз.",
                           code="otp_throttled", status=429)
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        raise Unauthorized("Код підтвердження невірний або застарів.", code="invalid_otp")


def confirm_enrolment(*, user: User, token, request=None) -> TOTPDevice:
    """Confirm the device being enrolled with its first code. Not atomic on purpose: a failed attempt must
    keep its throttle count (django-otp writes it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).order_by("id").first()
    if device is None:
        raise ValidationFailed("Спочатку почніть налаштування двофакторної автентифікації.", code="otp_not_enrolling")
    _check(device, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor=user, action="account.2fa_enrol", obj=user, request=request)
    return device


def verify_code(*, user: User, token, request=None) -> TOTPDevice:
    """Check a code against the user's confirmed device; raise ``otp_required``/``invalid_otp``."""
    if not _clean(token):
        raise Unauthorized("Для цієї ролі потрібен код двофакторної автентифікації (поле otp).", code="otp_required")
    device = confirmed_device(user)
    if device is None:
        raise Unauthorized("Двофакторну автентифікацію не налаштовано: увійдіть у вебінтерфейс і налаштуйте її.",
                           code="otp_not_configured")
    _check(device, token)
    return device
