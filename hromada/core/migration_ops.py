"""Migration operations for the big tables on PostgreSQL (docs/operations.md, section 7). Most work on a live
database: indexes built and dropped CONCURRENTLY, so that reads and writes go on meanwhile (the migration says
``atomic = False``). Two take a table for a maintenance window (the hosts stopped): a small table's key made four
bytes with every column naming it (``KeyToInteger``), and a table written again with its columns in alignment order
(``ColumnsInAlignmentOrder``). A non-atomic migration is recorded only once it has finished, so each operation may
meet its own work done by an interrupted earlier run, and carries on (a column already there, an index already
built; an index left INVALID by a failed concurrent build is dropped and built again). On SQLite, the embedded
default that one process uses, each does the plain thing."""
from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import RemoveIndexConcurrently as PostgresRemoveIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations.base import Operation

from hromada.core.partitions import no_pending_checks


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _rows(cursor, sql: str, params) -> list:
    cursor.execute(sql, params)
    return cursor.fetchall()


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


def _columns_naming(cursor, table: str) -> dict[str, list[str]]:
    """Every column that names a row of ``table`` by its key, by table: the foreign keys the database holds (a
    partitioned table's once, its partitions follow), and the installed models' keys without a constraint (which
    only the models know). A migration's state may lack the apps that come later in the plan, so it cannot say."""
    from django.apps import apps as installed

    rows = _rows(cursor, "SELECT r.relname, a.attname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                         "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
                         "WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND c.conparentid = 0", [table])
    present = {tuple(row) for row in _rows(cursor, "SELECT table_name, column_name FROM information_schema.columns "
                                                   "WHERE table_schema = current_schema()", [])}
    named: dict[str, list[str]] = {}
    for model in installed.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if (field.many_to_one or field.one_to_one) and field.related_model._meta.db_table == table:
                rows.append((model._meta.db_table, field.column))
    for referencing, column in rows:
        if (referencing, column) in present and column not in named.setdefault(referencing, []):
            named[referencing].append(column)
    return named


def retype_key(schema_editor, table: str, key: str, to_type: str) -> None:
    """PostgreSQL: ``table``'s key and every column naming it as ``to_type``, one ``ALTER TABLE`` (one rewrite) a
    table; the foreign keys stay (an ``integer`` may point to a ``bigint`` and back), the identity's sequence follows
    its column."""
    qn = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        named = _columns_naming(cursor, table)
        named.setdefault(table, []).insert(0, key)
        for referencing, columns in named.items():
            alters = ", ".join(f"ALTER COLUMN {qn(column)} TYPE {to_type}" for column in columns)
            cursor.execute(f"ALTER TABLE {qn(referencing)} {alters}")


class KeyToInteger(migrations.AlterField):
    """A small table's key from ``bigint`` to ``integer`` (``AutoField``): users, offices, the territory's units and
    services number thousands, and every case, scan and person names several of them, four bytes each saved (#24).
    PostgreSQL: :func:`retype_key` — the key and every column that names it, each table rewritten once under an
    exclusive lock (not for a rolling upgrade; the older code reads and writes the same numbers, so going back to it
    needs nothing). SQLite stores both as the same integer: the model's state alone changes (Django would rebuild
    every table that points to the key, and a rebuild drops the case history's trigger)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            model = to_state.apps.get_model(app_label, self.model_name)
            retype_key(schema_editor, model._meta.db_table, model._meta.pk.column, "integer")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            model = to_state.apps.get_model(app_label, self.model_name)
            retype_key(schema_editor, model._meta.db_table, model._meta.pk.column, "bigint")


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


# --- columns in alignment order (PostgreSQL) --------------------------------------------------------------------------
# PostgreSQL stores a row's columns in their table order, each at its type's alignment: a boolean or a two-byte code
# before a timestamp leaves up to seven bytes of padding in every row. Django adds columns in the order they came
# (``CreateModel``'s, then each ``AddField`` at the end), so the big tables' rows carried padding (#24, bytes: 64 B an
# application, bench/README.md). The only way to change the order is to write the table again.

_ALIGNMENT = {"d": 8, "i": 4, "s": 2, "c": 1}


def ideal_column_order(columns) -> list[str]:
    """``columns``: (name, typlen, typalign) in table order. Fixed-width columns first, widest alignment first, then
    the variable-width ones (a short value has a one-byte header and no alignment); the table's order otherwise."""
    def key(item):
        place, (_name, length, align) = item
        return (length < 0, -_ALIGNMENT[align], place)
    return [name for _place, (name, _length, _align) in sorted(enumerate(columns), key=key)]


def _table_columns(cursor, table: str) -> list:
    return _rows(cursor, """
        SELECT a.attname, t.typlen, t.typalign, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity,
               CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END,
               a.attgenerated <> '' OR a.attacl IS NOT NULL OR a.attstorage <> t.typstorage
                 OR a.attcompression <> '' OR col_description(a.attrelid, a.attnum) IS NOT NULL
          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", [table])


def _refuse_what_a_rewrite_would_lose(cursor, table: str, columns) -> None:
    """The rewrite makes again what the project's tables have; anything else stops it before a change."""
    unusual = [name for name, *_rest, odd in columns if odd]
    (kind, partition, inherits, security, rules, comment, persistence, disabled, constraint_triggers, serial) = _rows(
        cursor, """
        SELECT c.relkind, c.relispartition,
               EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid),
               c.relrowsecurity OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid),
               EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid),
               obj_description(c.oid, 'pg_class') IS NOT NULL, c.relpersistence,
               EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgenabled <> 'O'),
               EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 't'),
               EXISTS (SELECT 1 FROM pg_attrdef d WHERE d.adrelid = c.oid
                       AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%')
          FROM pg_class c WHERE c.oid = %s::regclass""", [table])[0]
    problems = [text for flag, text in (
        (unusual, f"columns with their own storage, privileges, comment or generation: {unusual}"),
        (kind != "r" or partition or inherits, "a partitioned, partition or inheriting table"),
        (security, "row security"), (rules, "rules"), (comment, "a comment"), (persistence != "p", "not logged"),
        (disabled, "a disabled trigger"), (constraint_triggers, "constraint triggers"),
        (serial, "a serial column (a sequence default, not an identity)")) if flag]
    if problems:
        raise RuntimeError(f"{table} cannot be written again in a new column order: {'; '.join(problems)}")


def _column_definition(qn, name, _length, _align, type_sql, not_null, default, identity, collation, _odd,
                       sequence) -> str:
    parts = [qn(name), type_sql]
    if collation:
        parts.append(f"COLLATE {collation}")
    if identity:
        start, increment, low, high, cache, cycle = sequence
        parts.append(f"GENERATED {'ALWAYS' if identity == 'a' else 'BY DEFAULT'} AS IDENTITY (START WITH {start} "
                     f"INCREMENT BY {increment} MINVALUE {low} MAXVALUE {high} CACHE {cache}"
                     f"{' CYCLE' if cycle else ' NO CYCLE'})")
    elif default is not None:
        parts.append(f"DEFAULT {default}")
    if not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


def _grants(cursor, relation: str, kind: str, target: str) -> list[str]:
    """The GRANTs that give ``target`` the privileges ``relation`` holds now."""
    rows = _rows(cursor, """
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, a.privilege_type, a.is_grantable
          FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = %s::regclass ORDER BY 1, 2""", [relation])
    return [f"GRANT {privilege} ON {kind} {target} TO {grantee}{' WITH GRANT OPTION' if grantable else ''}"
            for grantee, privilege, grantable in rows]


def rewrite_in_alignment_order(schema_editor, table: str) -> bool:
    """Write ``table`` again with its columns in :func:`ideal_column_order` (PostgreSQL), under an exclusive lock,
    inside the migration's transaction: the rows (ids and the identity's next value kept), its constraints, indexes,
    triggers, extended statistics, storage options, owner and privileges, and the foreign keys of other tables that
    point to it, each under its own name. False if the order is already that (nothing is done)."""
    qn = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {qn(table)} IN ACCESS EXCLUSIVE MODE")
        columns = _table_columns(cursor, table)
        names = [column[0] for column in columns]
        order = ideal_column_order([column[:3] for column in columns])
        if order == names:
            return False
        _refuse_what_a_rewrite_would_lose(cursor, table, columns)
        with no_pending_checks(cursor):
            _write_in_order(cursor, qn, table, columns, order)
    return True


def _write_in_order(cursor, qn, table: str, columns, order: list[str]) -> None:
    """:func:`rewrite_in_alignment_order`'s copy, with the table locked and no deferred check pending."""
    (oid, owner, options), = _rows(cursor, "SELECT c.oid, quote_ident(r.rolname), c.reloptions FROM pg_class c "
                                           "JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = %s::regclass",
                                   [table])
    constraints = _rows(cursor, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s "
                                "ORDER BY contype = 'f', conname", [oid])
    incoming = _rows(cursor, "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                             "FROM pg_constraint WHERE confrelid = %s AND conrelid <> %s AND contype = 'f' "
                             "AND conparentid = 0 "   # a partitioned table's: its partitions' come with it
                             "ORDER BY 1, 2", [oid, oid])
    indexes = [definition for (definition,) in _rows(cursor, """
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
         WHERE i.indrelid = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                                               WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
         ORDER BY i.indexrelid""", [oid])]
    triggers = [d for (d,) in _rows(cursor, "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                                            "WHERE tgrelid = %s AND NOT tgisinternal ORDER BY tgname", [oid])]
    statistics = [d for (d,) in _rows(cursor, "SELECT pg_get_statisticsobjdef(oid) FROM pg_statistic_ext "
                                              "WHERE stxrelid = %s ORDER BY stxname", [oid])]
    identity = next((column[0] for column in columns if column[6]), None)
    sequence, sequence_state, sequence_grants = None, (), []
    if identity:
        (sequence,), = _rows(cursor, "SELECT pg_get_serial_sequence(%s, %s)", [qn(table), identity])
        sequence_state = _rows(cursor, "SELECT s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, "
                                       "s.seqcycle FROM pg_sequence s WHERE s.seqrelid = %s::regclass",
                               [sequence])[0]
        (last, called), = _rows(cursor, f"SELECT last_value, is_called FROM {sequence}", [])  # noqa: S608
        sequence_grants = _grants(cursor, sequence, "SEQUENCE", sequence)
    table_grants = _grants(cursor, qn(table), "TABLE", qn(table))

    by_name = {column[0]: column for column in columns}
    temporary = f"{table}__in_order"
    definitions = ", ".join(_column_definition(qn, *by_name[name], sequence=sequence_state) for name in order)
    with_options = f" WITH ({', '.join(options)})" if options else ""
    for referencing, name, _definition in incoming:
        cursor.execute(f"ALTER TABLE {referencing} DROP CONSTRAINT {qn(name)}")
    cursor.execute(f"CREATE TABLE {qn(temporary)} ({definitions}){with_options}")
    listed = ", ".join(qn(name) for name in order)
    cursor.execute(f"INSERT INTO {qn(temporary)} ({listed}) OVERRIDING SYSTEM VALUE "  # noqa: S608
                   f"SELECT {listed} FROM {qn(table)}")
    if identity:
        (new_sequence,), = _rows(cursor, "SELECT pg_get_serial_sequence(%s, %s)", [qn(temporary), identity])
        cursor.execute("SELECT setval(%s, %s, %s)", [new_sequence, last, called])
    cursor.execute(f"DROP TABLE {qn(table)}")
    cursor.execute(f"ALTER TABLE {qn(temporary)} RENAME TO {qn(table)}")
    if identity:   # the old one went with its table; the new one takes its name
        cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.rsplit('.', 1)[-1]}")
    cursor.execute("SELECT quote_ident(current_user)")
    if cursor.fetchone()[0] != owner:
        cursor.execute(f"ALTER TABLE {qn(table)} OWNER TO {owner}")
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
    for definition in indexes + triggers + statistics + table_grants + sequence_grants:
        cursor.execute(definition)
    for referencing, name, definition in incoming:
        cursor.execute(f"ALTER TABLE {referencing} ADD CONSTRAINT {qn(name)} {definition}")
    cursor.execute(f"ANALYZE {qn(table)}")


class ColumnsInAlignmentOrder(Operation):
    """A table's columns in alignment order (:func:`rewrite_in_alignment_order`) on PostgreSQL: the table is written
    again under an exclusive lock (not for a rolling upgrade; docs/operations.md, section 7). Run again, it finds the
    order done. SQLite stores no padding: nothing to do. Backwards: nothing (the order means nothing to a query)."""
    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self):
        return (type(self).__qualname__, [], {"model_name": self.model_name})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            rewrite_in_alignment_order(schema_editor, to_state.apps.get_model(app_label, self.model_name)._meta.db_table)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self) -> str:
        return f"Write {self.model_name}'s table again with its columns in alignment order"
