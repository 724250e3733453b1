from django.db import migrations


def load(apps, schema_editor):
    """Law No. 4681-IX of 05.11.2025: the catalogue gains «Допомога для догляду за дитиною до досягнення нею
    однорічного віку» (assigned and computed by the Pension Fund); the figures of 2026 for it and for assistance in
    pregnancy and childbirth (unconfirmed: the article is not established) are loaded with their sources."""
    from hromada.catalog.services import load_catalog_data, load_legal_figures

    load_catalog_data(apps.get_model("catalog", "ServiceType"), apps.get_model("catalog", "DocumentRequirement"),
                      apps.get_model("catalog", "Holiday"))
    load_legal_figures(apps.get_model("catalog", "LegalFigure"))


def unload(apps, schema_editor):
    """Reverse: the service and the figures this migration added are removed (other rows stay as the data say)."""
    apps.get_model("catalog", "ServiceType").objects.filter(code="child_care_under_1").delete()
    apps.get_model("catalog", "LegalFigure").objects.filter(
        key__in=["pregnancy.monthly_amount", "child_care_under_1.monthly", "child_care_under_1.monthly_disabled"],
        valid_from="2026-01-01").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_social_social_services'),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
