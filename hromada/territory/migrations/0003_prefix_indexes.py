"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('territory', '0002_key_to_integer'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='unit',
            name='category',
            field=models.CharField(choices=[('O', 'Область / АР Крим'), ('K', 'Місто зі спеціальним статусом'), ('P', 'Район'), ('H', 'Територіальна громада'), ('M', 'Місто'), ('T', 'Селище міського типу'), ('X', 'Селище'), ('C', 'Село'), ('B', 'Район у місті')], max_length=1, verbose_name='категорія'),
        ),
    ]
