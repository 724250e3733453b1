"""#24: the children of child-protection cases by place and by raion (partial indexes: only flagged persons), so the
count's part "children taking part in a case the user sees" reads the few children of a village or a district instead
of every resident. Built concurrently (docs/operations.md, section 7); not atomic.
"""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0008_child_case_flag'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(condition=models.Q(('in_child_case', True)), fields=['settlement', 'id'],
                               name='person_child_place'),
        ),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(condition=models.Q(('in_child_case', True)), fields=['raion', 'id'],
                               name='person_child_raion'),
        ),
    ]
