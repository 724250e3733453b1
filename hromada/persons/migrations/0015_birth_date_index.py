"""#24, bytes: the duplicate check's index holds the birth date alone. Its plan reads the date from the index and
filters the surname's patterns on the rows found (a LIKE on the name key is never an index condition there), so the
name key in (birth date, name key) was read by nothing; the date alone is deduplicated among those born the same day.
Built before the old one is dropped, both concurrently (docs/operations.md, section 7); not atomic."""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0014_home_children'),
    ]

    operations = [
        AddIndexConcurrently(model_name='person', index=models.Index(fields=['birth_date'], name='person_birth_date')),
        RemoveIndexConcurrently(model_name='person', name='persons_per_birth_d_0de763_idx'),
    ]
