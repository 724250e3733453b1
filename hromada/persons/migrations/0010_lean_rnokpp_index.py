"""#24, bytes: the РНОКПП's pattern-ops twin index and the registrar's index go (32 and ~8 B per application at 5 M;
no query reads either: a number is looked up whole, and nothing lists persons by who registered them).

Written for a live database (docs/operations.md, section 7: not atomic; run again, each step finds its work done):
the РНОКПП's uniqueness becomes the constraint ``unique_rnokpp``, its index kept (``UniqueFieldToConstraint``), and
both indexes are dropped concurrently on PostgreSQL.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently, UniqueFieldToConstraint


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0009_children_by_place'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='person',
            name='registered_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        UniqueFieldToConstraint(
            model_name='person',
            name='rnokpp',
            field=models.CharField(blank=True, max_length=10, null=True, verbose_name='РНОКПП'),
            constraint=models.UniqueConstraint(fields=('rnokpp',), name='unique_rnokpp'),
        ),
    ]
