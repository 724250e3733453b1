"""Secrets stored encrypted at rest: the TOTP device keys, and keyed digests of recovery codes.

The key comes from the environment (``HROMADA_FIELD_KEY``, any long random string, the same on every host).
Only DEBUG and the test settings (``HROMADA_FIELD_KEY_FROM_SECRET``) may derive it from SECRET_KEY instead;
anything else without the key refuses to seal or open a secret (ImproperlyConfigured), it never falls back
to storing plain text.

A TOTP key is sealed with AES-256-GCM: ``$`` + URL-safe base64 of nonce (12 bytes) + ciphertext + tag, 67
characters for the 20-byte keys we create, which fits django-otp's 80-character column.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEALED_PREFIX = "$"
_TOTP_AAD = b"hromada:otp_totp.key:v1"
_MAX_TOTP_KEY_BYTES = 31  # 1 + base64(12 + 31 + 16) = 80 characters
_HEX_RE = re.compile(r"^[0-9a-fA-F]*$")


def field_key() -> bytes:
    """The 32-byte key for sealed fields (from HROMADA_FIELD_KEY; SECRET_KEY only where allowed)."""
    configured = getattr(settings, "HROMADA_FIELD_KEY", "") or ""
    if configured:
        source = b"env:" + configured.encode()
    elif getattr(settings, "HROMADA_FIELD_KEY_FROM_SECRET", False):
        source = b"secret:" + settings.SECRET_KEY.encode()
    else:
        raise ImproperlyConfigured("HROMADA_FIELD_KEY is not set: the TOTP secrets cannot be encrypted or read.")
    return hashlib.sha256(b"hromada-field-key\0" + source).digest()


def is_sealed(value: str) -> bool:
    return bool(value) and value.startswith(SEALED_PREFIX)


def seal_totp_key(hex_key: str) -> str:
    """A TOTP key given in hex (as django-otp generates it), sealed for storage."""
    raw = bytes.fromhex(hex_key)
    if len(raw) > _MAX_TOTP_KEY_BYTES:
        raise ValueError(f"A TOTP key longer than {_MAX_TOTP_KEY_BYTES} bytes cannot be stored sealed.")
    nonce = os.urandom(12)
    blob = nonce + AESGCM(field_key()).encrypt(nonce, raw, _TOTP_AAD)
    return SEALED_PREFIX + base64.urlsafe_b64encode(blob).decode().rstrip("=")


def open_totp_key(value: str) -> bytes:
    """The binary TOTP key from its sealed form; a wrong key or an altered value raises ValueError."""
    if not is_sealed(value):
        raise ValueError("The TOTP key is not sealed.")
    data = value[len(SEALED_PREFIX):]
    blob = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    try:
        return AESGCM(field_key()).decrypt(blob[:12], blob[12:], _TOTP_AAD)
    except InvalidTag as exc:
        raise ValueError("The TOTP key cannot be opened with HROMADA_FIELD_KEY (wrong key or altered).") from exc


def device_bin_key(device) -> bytes:
    """``TOTPDevice.bin_key`` for sealed keys. A plain hex key is read only on a device not yet saved (a new
    one holds django-otp's generated hex until ``pre_save`` seals it); a stored plain key is refused."""
    value = device.key or ""
    if is_sealed(value):
        return open_totp_key(value)
    if device._state.adding and _HEX_RE.match(value):
        return bytes.fromhex(value)
    raise ValueError(f"TOTP device {device.pk}: the key is stored unsealed (run the migrations).")


def seal_device_key(sender, instance, **kwargs) -> None:
    """pre_save of TOTPDevice: whatever path saves a device (our services, the admin, a shell), the key it
    stores is sealed."""
    if instance.key and not is_sealed(instance.key):
        instance.key = seal_totp_key(instance.key)


def recovery_digest(code: str) -> str:
    """What is stored for a recovery code: a keyed digest (16 hex characters fit django-otp's static token
    column), so a copy of the database alone does not reveal usable codes."""
    normalised = "".join(ch for ch in str(code).lower() if ch.isalnum())
    return hmac.new(field_key(), b"recovery:" + normalised.encode(), hashlib.sha256).hexdigest()[:16]
