"""#24: the settlement's raion kept on the person, so that a district's list reads its first page from
``(raion, name_key)`` and its total from ``(registered_hromada, raion, …)``: with the raion only on the settlement the
planner could not tell that a hromada's residents live in its raion, and walked every person in name order."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_raions(apps, schema_editor):
    """Every person with an address takes her settlement's raion (one statement; indexes are added after it)."""
    person = apps.get_model("persons", "Person")
    unit = apps.get_model("territory", "Unit")
    person.objects.filter(settlement__isnull=False).update(
        raion=Subquery(unit.objects.filter(pk=OuterRef("settlement_id")).values("raion_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0006_lean_place_name'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='person',
            name='person_home_area',
        ),
        migrations.AddField(
            model_name='person',
            name='raion',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        migrations.RunPython(fill_raions, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'raion', 'settlement', 'id'], name='person_home_area'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['raion', 'name_key'], name='person_raion_name'),
        ),
    ]
