"""Migration operations for the big tables on a live PostgreSQL (docs/operations.md, section 7): indexes built and
dropped CONCURRENTLY, so that reads and writes go on meanwhile (the migration says ``atomic = False``). On SQLite,
the embedded default that one process uses, each does the plain thing."""
from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import RemoveIndexConcurrently as PostgresRemoveIndexConcurrently
from django.db import migrations


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(PostgresRemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class DropFieldIndexesConcurrently(migrations.AlterField):
    """``AlterField`` from ``db_index=True`` to ``False``: drops the indexes Django made for the field (on PostgreSQL
    a varchar has two, the plain one and the ``_like`` pattern one) concurrently. Indexes the model declares in its
    ``Meta.indexes`` on the field alone are kept (declare the replacement first)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        if schema_editor.connection.in_atomic_block:
            raise RuntimeError("DropFieldIndexesConcurrently needs a migration with atomic = False")
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        declared = {index.name for index in model._meta.indexes}
        with schema_editor.connection.cursor() as cursor:
            found = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
        for name, info in sorted(found.items()):
            if (info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]
                    and name not in declared):
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")
