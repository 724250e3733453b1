"""#24: a hromada's own children of protection cases in a partial index of their own (only flagged persons): the person
rule reads those who take part in a case the user sees from the cases' participants, starting from them (0013 left
rows of access only to persons from elsewhere). Built concurrently (docs/operations.md, section 7); not atomic."""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0013_person_access_beyond_home'),
    ]

    operations = [
        AddIndexConcurrently(model_name='person', index=models.Index(
            condition=models.Q(('in_child_case', True)), fields=['registered_hromada', 'id'],
            name='person_home_child')),
    ]
