"""#24: the children of child-protection cases in partial indexes of their own (only flagged persons): by place and by
raion, so the count's part "children taking part in a case the user sees" reads the few children of a village or a
district instead of every resident; and by id with the name, so a name search's same part probes a small index for
each of the hromada's case participants instead of each one's row. Built concurrently (docs/operations.md, section
7); not atomic.
"""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently

CHILDREN = models.Q(('in_child_case', True))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0008_child_case_flag'),
    ]

    operations = [
        AddIndexConcurrently(model_name='person', index=models.Index(
            condition=CHILDREN, fields=['settlement', 'id'], name='person_child_place')),
        AddIndexConcurrently(model_name='person', index=models.Index(
            condition=CHILDREN, fields=['raion', 'id'], name='person_child_raion')),
        AddIndexConcurrently(model_name='person', index=models.Index(
            condition=CHILDREN, fields=['id', 'name_key'], name='person_child_id')),
    ]
