from django.db import migrations

KEYS = ["subsistence_minimum.general", "subsistence_minimum.child_under_6", "subsistence_minimum.child_6_18",
        "subsistence_minimum.able_bodied"]


def load(apps, schema_editor):
    """The прожитковий мінімум of 2024 (Закон № 3460-IX, ст. 7): the housing subsidy of the 2024/2025 season takes
    the minimum set on 1 January 2024, and the PFU's published example of that season is run on it. The upsert also
    moves the (unconfirmed) 2025 guaranteed-minimum levels from the budget declaration's 55/140 % to the 60/145 % the
    press reports for the adopted budget."""
    from hromada.catalog.services import load_legal_figures

    load_legal_figures(apps.get_model("catalog", "LegalFigure"))


def unload(apps, schema_editor):
    """Reverse: only the 2024 rows this migration added are removed (the 2025 levels keep the newer values)."""
    apps.get_model("catalog", "LegalFigure").objects.filter(key__in=KEYS, valid_from="2024-01-01").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_i18n_service_name_en'),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
