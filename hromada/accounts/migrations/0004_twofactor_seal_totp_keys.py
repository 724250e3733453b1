"""Seal the TOTP keys stored in plain hex before issue 16 (#13) with HROMADA_FIELD_KEY."""
from django.db import migrations

from hromada.accounts import sealing


def seal_existing(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.all().only("pk", "key").iterator():
        if device.key and not sealing.is_sealed(device.key):
            TOTPDevice.objects.filter(pk=device.pk).update(key=sealing.seal_totp_key(device.key))


def open_existing(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.all().only("pk", "key").iterator():
        if sealing.is_sealed(device.key):
            TOTPDevice.objects.filter(pk=device.pk).update(key=sealing.open_totp_key(device.key).hex())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_twofactor_security_notice"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_existing, open_existing)]
