"""Issue 16, #13 (TOTP part): TOTP secrets are stored encrypted with HROMADA_FIELD_KEY."""
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.accounts import sealing, twofactor

from .test_twofactor import code

seal_migration = importlib.import_module("hromada.accounts.migrations.0004_twofactor_seal_totp_keys")


def _stored_key(device) -> str:
    return TOTPDevice.objects.filter(pk=device.pk).values_list("key", flat=True).get()


def test_enrolled_key_is_stored_sealed(head):
    device = twofactor.start_enrolment(user=head, fully_signed_in=True)
    secret_hex = device.bin_key.hex()
    stored = _stored_key(device)
    assert stored.startswith(sealing.SEALED_PREFIX) and len(stored) <= 80
    assert secret_hex not in stored.lower()
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert fresh.bin_key.hex() == secret_hex and fresh.verify_token(code(fresh))


def test_any_save_path_seals_a_plain_key(head):
    plain = "3132333435363738393031323334353637383930"
    device = TOTPDevice.objects.create(user=head, name="admin-made", key=plain, confirmed=True)
    assert _stored_key(device) != plain and sealing.is_sealed(_stored_key(device))
    assert TOTPDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(plain)


def test_a_stored_plain_key_is_refused_not_used(head):
    device = TOTPDevice.objects.create(user=head, name="x", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(key="3132333435363738393031323334353637383930")
    with pytest.raises(ValueError):
        TOTPDevice.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_another_key_cannot_open_the_secret(head, settings):
    settings.HROMADA_FIELD_KEY = "the-first-key-" + "a" * 30
    device = TOTPDevice.objects.create(user=head, name="x", confirmed=True)
    settings.HROMADA_FIELD_KEY = "another-key-" + "b" * 30
    with pytest.raises(ValueError):
        TOTPDevice.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_without_a_key_production_refuses(settings, head):
    settings.HROMADA_FIELD_KEY = ""
    settings.HROMADA_FIELD_KEY_FROM_SECRET = False
    with pytest.raises(ImproperlyConfigured):
        TOTPDevice.objects.create(user=head, name="x", confirmed=True)
    with pytest.raises(SystemCheckError, match="accounts.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_migration_seals_existing_plain_keys(head):
    plain = "3132333435363738393031323334353637383930"
    device = TOTPDevice.objects.create(user=head, name="old", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(key=plain)  # as stored before the change
    seal_migration.seal_existing(apps, None)
    stored = _stored_key(device)
    assert sealing.is_sealed(stored) and TOTPDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(plain)
    seal_migration.seal_existing(apps, None)  # idempotent: a sealed key is not sealed twice
    assert _stored_key(device) == stored
    seal_migration.open_existing(apps, None)
    assert _stored_key(device) == plain
