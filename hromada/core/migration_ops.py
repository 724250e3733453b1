"""Migration operations for the big tables on a live PostgreSQL (docs/operations.md, section 7): indexes built and
dropped CONCURRENTLY, so that reads and writes go on meanwhile (the migration says ``atomic = False``). Such a
migration is recorded only once it has finished, so each operation may meet its own work done by an interrupted
earlier run, and carries on (a column already there, an index already built; an index left INVALID by a failed
concurrent build is dropped and built again). On SQLite, the embedded default that one process uses, each does the
plain thing."""
from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import RemoveIndexConcurrently as PostgresRemoveIndexConcurrently
from django.db import migrations, models


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _index_valid(schema_editor, name: str) -> bool | None:
    """True/False: the index exists and is valid / was left invalid; None: there is none."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE c.relname = %s AND pg_table_is_visible(c.oid)", [name])
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


class AddFieldIfMissing(migrations.AddField):
    """``AddField`` that finds the column already added (by an interrupted run of a non-atomic migration)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        with schema_editor.connection.cursor() as cursor:
            present = {c.name for c in schema_editor.connection.introspection.get_table_description(
                cursor, model._meta.db_table)}
        if column not in present:
            super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
            return
        valid = _index_valid(schema_editor, self.index.name)
        if valid:
            return
        if valid is False:
            self._ensure_not_in_transaction(schema_editor)
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.index.name)}")
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(PostgresRemoveIndexConcurrently):
    """Django's concurrent removal says ``IF EXISTS`` already: an interrupted run is carried on."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveConstraintIfExists(migrations.RemoveConstraint):
    """``RemoveConstraint`` that finds the constraint already gone (an interrupted run of a non-atomic migration):
    PostgreSQL drops it ``IF EXISTS``; SQLite does Django's (a rebuild of the table, which has no such state)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        qn = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT IF EXISTS {qn(self.name)}")


def _field_outside_transaction(operation, schema_editor, state, app_label: str) -> tuple:
    """The model, table and column of a field operation that works concurrently (PostgreSQL refuses that inside a
    transaction: the migration must say ``atomic = False``)."""
    if schema_editor.connection.in_atomic_block:
        raise RuntimeError(f"{type(operation).__name__} needs a migration with atomic = False")
    model = state.apps.get_model(app_label, operation.model_name)
    return model, model._meta.db_table, model._meta.get_field(operation.name).column


def _drop_field_index_concurrently(schema_editor, table: str, column: str, suffix: str) -> None:
    """Drop the index Django names for ``column`` with ``suffix`` ("" the plain one, "_like" its pattern twin)."""
    name = schema_editor._create_index_name(table, [column], suffix=suffix)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class DropFieldIndexesConcurrently(migrations.AlterField):
    """``AlterField`` from ``db_index=True`` to ``False``: drops the indexes Django made for the field — on PostgreSQL
    a varchar has two, the plain one and the ``_like`` pattern one, under the names Django gives them —
    concurrently. No other index of the column is touched (one made by raw SQL, a declared one).

    SQLite drops the one index by its name too: Django's alteration would rebuild the table, which drops its
    triggers (the case's history's, ``applications/0022``) and copies every row for one index."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            model = from_state.apps.get_model(app_label, self.model_name)
            name = schema_editor._create_index_name(model._meta.db_table,
                                                    [model._meta.get_field(self.name).column], suffix="")
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
            return
        _model, table, column = _field_outside_transaction(self, schema_editor, from_state, app_label)
        for suffix in ("", "_like"):
            _drop_field_index_concurrently(schema_editor, table, column, suffix)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Back to ``db_index=True``: Django's own alteration builds the field's indexes again (not concurrently; a
        # way back is for a failed release, not for a live day). SQLite builds the one index (no rebuild, as above).
        if not _postgres(schema_editor):
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(self.name)]))
            return
        migrations.AlterField.database_forwards(self, app_label, schema_editor, from_state, to_state)


class UniqueFieldToConstraint(migrations.SeparateDatabaseAndState):
    """A field's ``unique=True`` becomes a named ``UniqueConstraint`` on the same column: on PostgreSQL the backend
    gives a unique varchar a second, ``varchar_pattern_ops``, index, which a value looked up whole never reads.

    PostgreSQL: the field's unique constraint is renamed to the constraint's name (its index is kept, not rebuilt)
    and the ``_like`` twin is dropped concurrently (the migration says ``atomic = False``); run again, it finds its
    work done. SQLite: Django's operations. Backwards: Django's operations — the field's uniqueness comes back before
    the constraint goes, so the column is never without one."""

    def __init__(self, model_name: str, name: str, field, constraint) -> None:
        self.model_name, self.name, self.field, self.constraint = model_name, name, field, constraint
        operations = [migrations.AddConstraint(model_name=model_name, constraint=constraint),
                      migrations.AlterField(model_name=model_name, name=name, field=field)]
        super().__init__(state_operations=operations, database_operations=operations)

    def deconstruct(self):
        return (type(self).__qualname__, [], {"model_name": self.model_name, "name": self.name, "field": self.field,
                                              "constraint": self.constraint})

    def describe(self) -> str:
        return f"Make {self.model_name}.{self.name}'s uniqueness the constraint {self.constraint.name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model, table, column = _field_outside_transaction(self, schema_editor, to_state, app_label)
        qn = schema_editor.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
                           "WHERE c.conrelid = %s::regclass AND c.contype = 'u' AND c.conkey = ARRAY[a.attnum] "
                           "AND a.attname = %s", [table, column])
            unique = [name for (name,) in cursor.fetchall()]
        if self.constraint.name not in unique:
            if unique:
                schema_editor.execute(f"ALTER TABLE {qn(table)} RENAME CONSTRAINT {qn(unique[0])} TO "
                                      f"{qn(self.constraint.name)}")
            else:
                schema_editor.add_constraint(model, self.constraint)
        _drop_field_index_concurrently(schema_editor, table, column, "_like")


# --- words to codes (core.fields.WordCodeField) -----------------------------------------------------------------------
# A column of a closed vocabulary's words becomes its two-byte codes, and back: ``columns`` is [(column, words,
# max_length)], ``words`` as the migration knows them (the model's tuples may grow, never change). A word the table
# holds and the vocabulary does not stops the migration with its name before anything is changed. PostgreSQL converts
# every column in one rewrite of the table (``ALTER … TYPE smallint USING CASE …``). SQLite writes each code in place,
# then rebuilds the table once with the new column types (a rebuild per column would make the others text again).

def _case(column: str, words: tuple[str, ...], *, to_codes: bool, text_codes: bool = False) -> str:
    """``CASE column WHEN 'word' THEN code …`` (or back); the words are a migration's constants, never input."""
    if to_codes:
        arms = " ".join(f"WHEN '{word}' THEN {code}" for code, word in enumerate(words))
    else:
        arms = " ".join(f"WHEN {repr(str(code)) if text_codes else code} THEN '{word}'"
                        for code, word in enumerate(words))
    return f"CASE {column} {arms} END"


def _refuse_unknown_words(schema_editor, table: str, columns) -> None:
    """One scan of the table (the hosts are stopped while it runs): the rows holding any word the vocabularies lack."""
    outside = " OR ".join(f"{column} NOT IN ({', '.join(['%s'] * len(words))})" for column, words, _length in columns)
    names = ", ".join(column for column, _words, _length in columns)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {names} FROM {table} WHERE {outside}",  # noqa: S608
                       [word for _column, words, _length in columns for word in words])
        rows = cursor.fetchall()
    for place, (column, words, _length) in enumerate(columns):
        unknown = sorted({str(row[place]) for row in rows} - set(words))
        if unknown:
            raise RuntimeError(f"{table}.{column} holds {unknown}, which this release's vocabulary lacks: add them "
                               "to the end of the model's words and to this migration's, then run it again")


def _word_fields(model, columns, *, coded: bool, blank: bool) -> list:
    from hromada.core.fields import WordCodeField

    pairs = []
    for column, words, length in columns:
        old = models.CharField(max_length=length, blank=blank)
        new = WordCodeField(words=words, blank=blank)
        if not coded:
            old, new = new, old
        for field in (old, new):
            field.set_attributes_from_name(column)
            field.model = model
        pairs.append((old, new))
    return pairs


def words_to_codes(schema_editor, model, columns, *, blank: bool = True) -> None:
    """``model``: the migration's historical model (SQLite rebuilds its table)."""
    table = model._meta.db_table
    _refuse_unknown_words(schema_editor, table, columns)
    if _postgres(schema_editor):
        alters = ", ".join(f"ALTER COLUMN {column} TYPE smallint USING {_case(column, words, to_codes=True)}"
                           for column, words, _length in columns)
        schema_editor.execute(f"ALTER TABLE {table} {alters}")
        return
    sets = ", ".join(f"{column} = {_case(column, words, to_codes=True)}" for column, words, _length in columns)
    schema_editor.execute(f"UPDATE {table} SET {sets}")   # noqa: S608 — a migration's constants
    # One rebuild; its integer columns take the codes.
    schema_editor._remake_table(model, alter_fields=_word_fields(model, columns, coded=True, blank=blank))


def codes_to_words(schema_editor, model, columns, *, blank: bool = True) -> None:
    table = model._meta.db_table
    if _postgres(schema_editor):
        alters = ", ".join(f"ALTER COLUMN {column} TYPE varchar({length}) USING "
                           f"{_case(column, words, to_codes=False)}" for column, words, length in columns)
        schema_editor.execute(f"ALTER TABLE {table} {alters}")
        return
    # One rebuild; the codes come through as their digits.
    schema_editor._remake_table(model, alter_fields=_word_fields(model, columns, coded=False, blank=blank))
    sets = ", ".join(f"{column} = {_case(column, words, to_codes=False, text_codes=True)}"
                     for column, words, _length in columns)
    schema_editor.execute(f"UPDATE {table} SET {sets}")   # noqa: S608 — a migration's constants
