"""#24: every child of a child-protection case by id, with her name (a partial index of the flagged persons): a name
search's part "children taking part in a case the user sees" merges them with the hromada's case participants instead
of probing each participant's row. Built concurrently (docs/operations.md, section 7); not atomic.
"""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0009_children_by_place'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(condition=models.Q(('in_child_case', True)), fields=['id', 'name_key'],
                               name='person_child_id'),
        ),
    ]
