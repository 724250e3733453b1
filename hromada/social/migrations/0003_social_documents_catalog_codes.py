"""The short form's document ticks are stored under the codes of the catalogue's checklist of «social_services» (the
front office's wizard's list) instead of a second list of social/data/services.json: the stored codes follow."""
from django.db import migrations

# The old list's codes → the catalogue's (hromada/catalog/data/services.json, service «social_services»).
FORWARD = {"application": "application_form", "identity": "identity_document", "medical": "medical_conclusion",
           "income": "income_statement", "idp_certificate": "idp_certificate"}
BACKWARD = {new: old for old, new in FORWARD.items()}


def _recode(apps, mapping):
    SocialCase = apps.get_model("social", "SocialCase")
    for case in SocialCase.objects.exclude(documents=[]).only("pk", "documents").iterator():
        codes = sorted({mapping.get(code, code) for code in case.documents})
        if codes != case.documents:
            SocialCase.objects.filter(pk=case.pk).update(documents=codes)


def forward(apps, schema_editor):
    _recode(apps, FORWARD)


def backward(apps, schema_editor):
    _recode(apps, BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("social", "0002_social_application"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
