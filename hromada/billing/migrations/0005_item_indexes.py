"""Items keep two indexes (period…, application…): the single-column key indexes only slowed each run's insert."""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models


def restore_sqlite_guard(apps, schema_editor):
    # SQLite rebuilds the table to alter the columns and drops its triggers: the same repair as migration 0004.
    module = import_module("hromada.billing.migrations.0004_item_keys_without_db_constraints")
    module.restore_sqlite_guard(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0005_queue_index'),
        ('billing', '0004_item_keys_without_db_constraints'),
        ('catalog', '0002_load_catalog'),
        ('territory', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='billingitem',
            name='application',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='applications.application'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='hromada',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='original_period',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.billingperiod'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='period',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='items', to='billing.billingperiod'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='service',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.servicetype'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='tariff',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.tariff'),
        ),
        migrations.RunPython(restore_sqlite_guard, restore_sqlite_guard),
    ]
