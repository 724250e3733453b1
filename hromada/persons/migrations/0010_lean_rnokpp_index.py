"""#24, bytes: the РНОКПП's pattern-ops twin index and the registrar's index go (32 and ~8 B per application at 5 M;
no query reads either: a number is looked up whole, and nothing lists persons by who registered them).

``unique=True`` on a CharField gives PostgreSQL a second, ``varchar_pattern_ops``, index; the uniqueness is now the
constraint ``unique_rnokpp``. On PostgreSQL the existing unique constraint is renamed, not rebuilt, and the two
indexes are dropped concurrently (docs/operations.md, section 7: not atomic; a run interrupted and run again finds
its work done). SQLite rebuilds the table as Django does. Backwards: Django's own operations (the indexes built
again, not concurrently).
"""
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

OPERATIONS = [
    migrations.AlterField(
        model_name='person',
        name='registered_by',
        field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                related_name='+', to=settings.AUTH_USER_MODEL),
    ),
    # The constraint before the field loses unique=True: backwards, the field's uniqueness comes back before the
    # constraint goes, so the number is never without one.
    migrations.AddConstraint(
        model_name='person',
        constraint=models.UniqueConstraint(fields=('rnokpp',), name='unique_rnokpp'),
    ),
    migrations.AlterField(
        model_name='person',
        name='rnokpp',
        field=models.CharField(blank=True, max_length=10, null=True, verbose_name='РНОКПП'),
    ),
]

# One column's indexes on the table: (index, is it a constraint's, its operator classes).
_INDEXES_OF = """
    SELECT i.relname, c.conname, array_agg(o.opcname::text)
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
    JOIN pg_opclass o ON o.oid = x.indclass[0]
    LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
    WHERE x.indrelid = 'persons_person'::regclass AND x.indnatts = 1 AND a.attname = %s AND x.indpred IS NULL
    GROUP BY i.relname, c.conname
"""


class KeepTheUniqueIndex(migrations.SeparateDatabaseAndState):
    def __init__(self):
        super().__init__(state_operations=OPERATIONS, database_operations=OPERATIONS)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        qn = schema_editor.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_INDEXES_OF, ["registered_by_id"])
            registrar = [name for name, constraint, _ops in cursor.fetchall() if constraint is None]
            cursor.execute(_INDEXES_OF, ["rnokpp"])
            rnokpp = cursor.fetchall()
        unique = [constraint for _name, constraint, _ops in rnokpp if constraint]
        if not unique:   # not met on a database this project made (the field was unique from 0001)
            schema_editor.execute(f"ALTER TABLE persons_person ADD CONSTRAINT {qn('unique_rnokpp')} UNIQUE (rnokpp)")
        elif "unique_rnokpp" not in unique:
            schema_editor.execute(f"ALTER TABLE persons_person RENAME CONSTRAINT {qn(unique[0])} TO "
                                  f"{qn('unique_rnokpp')}")
        twins = [name for name, constraint, ops in rnokpp if constraint is None and "varchar_pattern_ops" in ops]
        for name in registrar + twins:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {qn(name)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0009_children_by_place'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [KeepTheUniqueIndex()]
