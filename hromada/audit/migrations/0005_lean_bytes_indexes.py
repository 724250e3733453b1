"""Half the bytes (#24): the audit log keeps only the indexes the auditor's queries use.

Dropped: the hash's unique index and its pattern twin (nothing looks an entry up by hash), the pattern twins of
``action`` and ``object_id`` (exact filters; a plain b-tree serves the one prefix filter too), the actor's FK index
(the auditor filters by the name kept on the entry: indexed now) and the b-tree on ``at`` — on PostgreSQL a BRIN
index replaces it (entries are appended in time order, so a few pages summarise the whole log). Added on PostgreSQL:
a partial GIN index of the ids a list or search showed (a person's access report read every such entry). SQLite
rebuilds the table to alter a field, which drops its triggers: the append-only guard is installed again after."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def guard_off(apps, schema_editor):
    from hromada.audit import guard

    guard.uninstall(schema_editor.connection)


def guard_on(apps, schema_editor):
    from hromada.audit import guard

    guard.install(schema_editor.connection)


def postgres_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS audit_at_brin ON audit_auditentry USING brin (at)")
        # The records a list or search showed (``details.ids`` of an audited read), for a person's access report:
        # only those entries are indexed (partial), so the intake's entries cost nothing here.
        schema_editor.execute("CREATE INDEX IF NOT EXISTS audit_listed_ids ON audit_auditentry "
                              "USING gin ((details -> 'ids') jsonb_path_ops) WHERE details ? 'ids'")


def postgres_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_at_brin")
        schema_editor.execute("DROP INDEX IF EXISTS audit_listed_ids")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_chain_head_sequence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(guard_off, guard_on),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='object_id',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action'], name='audit_action_idx'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['object_id'], name='audit_object_idx'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['actor_username'], name='audit_actor_name_idx'),
        ),
        migrations.RunPython(postgres_on, postgres_off),
        migrations.RunPython(guard_on, guard_off),
    ]
