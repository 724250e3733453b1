"""Load the service catalog and holidays from catalog/data/ (sync_catalog re-runs the same loader)."""
from django.db import migrations


def load(apps, schema_editor):
    from hromada.catalog.services import load_catalog_data

    load_catalog_data(apps.get_model("catalog", "ServiceType"), apps.get_model("catalog", "DocumentRequirement"),
                      apps.get_model("catalog", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
