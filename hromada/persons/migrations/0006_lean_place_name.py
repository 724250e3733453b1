"""#24: a place's residents in name order from an index — the list of a village reads its first page instead
of sorting every resident; the settlement's own index becomes ``(settlement, name_key)``, which answers what it did."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0005_lean_home_area'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='settlement',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit', verbose_name='населений пункт'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['settlement', 'name_key'], name='person_place_name'),
        ),
    ]
