"""Monthly range partitions of append-only tables on PostgreSQL (no-ops on other databases).

A partitioned table keeps each month in its own table: old months can be detached, archived or dropped whole,
indexes and vacuum work per month, and a month's queries read only that month. Names:
``<table>_pYYYYMM`` for a month (bounds in UTC, ``[first day 00:00, next month's first day 00:00)``) and
``<table>_default`` for the DEFAULT partition, which takes any row no month partition covers so an insert
never fails for lack of one.

API (each takes a Django connection; nothing happens unless ``connection.vendor == "postgresql"``):

* :func:`partition_by_month` — convert an existing plain table, in the caller's transaction (a migration's);
* :func:`ensure_month_partitions` — the partitions of a range of months, idempotent;
* :func:`ensure_partitions_ahead` — every monthly-partitioned table up to N months ahead (the daily job; a role
  that does not own the table adds empty months through the SECURITY DEFINER :data:`DEFINER_FUNCTION`);
* :func:`partitioned_tables`, :func:`is_partitioned`, :func:`partition_name`, :func:`key_index_name`,
  :func:`may_create_partitions`, :func:`missing_partitions_ahead`.

PostgreSQL requires the partition key in every primary key and unique constraint, so the key becomes
``(id, <column>)``: a unique index ``<table>_id_<column>_key``, not a PRIMARY KEY constraint — a partition's
inherited PRIMARY KEY or UNIQUE constraint cannot be dropped on its own, and ``pg_restore --clean`` (the
backup's restore, ``audit.backup``) tries exactly that and fails on PostgreSQL 15, while attached indexes restore
cleanly. The same holds for other unique constraints: they come back as unique indexes of the same name. Django
still treats ``id`` as the key (it never needs the constraint); ids stay unique because one sequence gives them.
A table with a unique constraint or index without the column is refused (:class:`PartitionError`), as is a table
other tables reference by foreign key. Creating a month's partition while the DEFAULT holds rows of that
month moves them into it (the DEFAULT is detached, the month created, the rows copied and removed from the
detached table, the DEFAULT attached again), so a late partition never loses or strands a row.

Creating a table needs the owner's rights: with separate roles (``DATABASE_MIGRATE_URL``) the caller runs these
as the owner; queries through the parent need privileges on the parent only.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import DatabaseError, transaction

log = logging.getLogger(__name__)

MAX_NAME = 63  # PostgreSQL's identifier length
DEFAULT_SUFFIX = "_default"


class PartitionError(Exception):
    """The table cannot be partitioned (or its partitions created) as asked; the message says why."""


def _applies(connection) -> bool:
    return connection.vendor == "postgresql"


def _q(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def key_index_name(table: str, columns: list[str]) -> str:
    """The unique index that stands for the primary key: ``<table>_<columns>_key``."""
    return _checked_name(f"{table}_{'_'.join(columns)}_key")


def partition_name(table: str, month: date) -> str:
    """``<table>_pYYYYMM``; refused if PostgreSQL would truncate it."""
    return _checked_name(f"{table}_p{month.year:04d}{month.month:02d}")


def _default_name(table: str) -> str:
    return _checked_name(f"{table}{DEFAULT_SUFFIX}")


def _checked_name(name: str) -> str:
    if len(name) > MAX_NAME:
        raise PartitionError(f"partition name {name!r} is longer than {MAX_NAME} characters")
    return name


def _today() -> date:
    return datetime.now(UTC).date()


def _months_ahead(today: date, months: int) -> date:
    month = _month_start(today)
    for _ in range(months):
        month = _next_month(month)
    return month


def _as_date(value) -> date | None:
    """A column's value as the UTC date its partition is chosen by."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    return value


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    column: str
    column_type: str  # as format_type() gives it: "timestamp with time zone", "date", …


def is_partitioned(connection, table: str) -> bool:
    if not _applies(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
                       [table])
        return bool(cursor.fetchone()[0])


def partitioned_tables(connection) -> list[PartitionedTable]:
    """Tables of the current schema partitioned by range on one date or timestamp column (the ones
    :func:`ensure_partitions_ahead` keeps), in name order. Empty on other databases."""
    if not _applies(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
              FROM pg_partitioned_table p
              JOIN pg_class c ON c.oid = p.partrelid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
             WHERE p.partstrat = 'r' AND p.partnatts = 1 AND NOT c.relispartition
               AND c.relnamespace = current_schema()::regnamespace
             ORDER BY c.relname""")
        return [PartitionedTable(*row) for row in cursor.fetchall() if row[2] in _BOUND_TYPES]


def _partition_key(connection, table: str) -> PartitionedTable:
    for found in partitioned_tables(connection):
        if found.table == table:
            return found
    raise PartitionError(f"{table} is not partitioned by range of a date or timestamp (partition_by_month first)")


_BOUND_TYPES = ("timestamp with time zone", "timestamp without time zone", "date")


def _check_type(column_type: str) -> None:
    if column_type not in _BOUND_TYPES:
        raise PartitionError(f"monthly partitions need a date or timestamp column, not {column_type}")


def _bound(column_type: str, day: date) -> str:
    # Literals built from dates only (never user input). UTC midnight for timestamptz, so a month is the same
    # interval whatever the session's time zone.
    if column_type == "timestamp with time zone":
        return f"'{day.isoformat()} 00:00:00+00'"
    _check_type(column_type)
    return f"'{day.isoformat()}'"


def _months(first: date, last: date) -> list[date]:
    months, month = [], _month_start(first)
    while month <= _month_start(last):
        months.append(month)
        month = _next_month(month)
    return months


def ensure_month_partitions(connection, table: str, first: date, last: date) -> list[str]:
    """The partitions of every month from ``first``'s to ``last``'s (both included) and the DEFAULT partition.

    Idempotent: existing partitions are kept. Rows the DEFAULT holds for a month being created are moved into
    the new partition. Returns the names of the partitions created. Runs in one transaction (a savepoint inside
    the caller's). Does nothing but return ``[]`` on other databases.
    """
    if not _applies(connection):
        return []
    key = _partition_key(connection, table)
    created = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for month in _months(first, last):
            name = partition_name(table, month)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                continue
            _create_month(connection, cursor, key, name, month)
            created.append(name)
        default = _default_name(table)
        cursor.execute("SELECT to_regclass(%s) IS NULL", [default])
        if cursor.fetchone()[0]:
            cursor.execute(f"CREATE TABLE {_q(connection, default)} PARTITION OF {_q(connection, table)} DEFAULT")
            created.append(default)
    return created


def _create_month(connection, cursor, key: PartitionedTable, name: str, month: date) -> None:
    q = lambda n: _q(connection, n)  # noqa: E731
    table, default = key.table, _default_name(key.table)
    low, high = _bound(key.column_type, month), _bound(key.column_type, _next_month(month))
    in_month = f"{q(key.column)} >= {low} AND {q(key.column)} < {high}"
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [default])
    stranded = False
    if cursor.fetchone()[0]:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {q(default)} WHERE {in_month})")  # noqa: S608 — quoted names, dated bounds
        stranded = cursor.fetchone()[0]
    create = f"CREATE TABLE IF NOT EXISTS {q(name)} PARTITION OF {q(table)} FOR VALUES FROM ({low}) TO ({high})"
    if not stranded:
        # With an empty DEFAULT (for this month) PostgreSQL only checks it has no such row.
        cursor.execute(create)
        return
    # PostgreSQL refuses a partition whose rows sit in the DEFAULT; move them. The detached DEFAULT is a plain
    # table for a moment: its own row triggers (an append-only guard) are off while the copied rows leave it.
    columns = ", ".join(q(c) for c in _insertable_columns(cursor, table))
    with no_pending_checks(cursor):
        _move_out_of_default(cursor, q, table, default, create, columns, in_month)


def _move_out_of_default(cursor, q, table, default, create, columns, in_month) -> None:
    cursor.execute(f"ALTER TABLE {q(table)} DETACH PARTITION {q(default)}")
    cursor.execute(create)
    cursor.execute(f"INSERT INTO {q(table)} ({columns}) {_overriding(cursor, table)}"  # noqa: S608 — quoted names, dated bounds
                   f"SELECT {columns} FROM {q(default)} WHERE {in_month}")
    cursor.execute(f"ALTER TABLE {q(default)} DISABLE TRIGGER USER")
    cursor.execute(f"DELETE FROM {q(default)} WHERE {in_month}")  # noqa: S608 — quoted names, dated bounds
    cursor.execute(f"ALTER TABLE {q(default)} ENABLE TRIGGER USER")
    cursor.execute(f"ALTER TABLE {q(table)} ATTACH PARTITION {q(default)} DEFAULT")


@contextmanager
def no_pending_checks(cursor):
    """PostgreSQL refuses to ALTER a table with deferred foreign-key checks pending in the transaction: run them
    now, and defer them again after (what Django's schema editor does around its own ALTERs)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _insertable_columns(cursor, table: str) -> list[str]:
    cursor.execute("""SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0
                      AND NOT attisdropped AND attgenerated = '' ORDER BY attnum""", [table])
    return [row[0] for row in cursor.fetchall()]


def _overriding(cursor, table: str) -> str:
    # Copied rows keep their ids, also under GENERATED ALWAYS.
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                   "AND attidentity <> '')", [table])
    return "OVERRIDING SYSTEM VALUE " if cursor.fetchone()[0] else ""


def ensure_partitions_ahead(connection, *, months_ahead: int = 3, today: date | None = None) -> dict[str, list[str]]:
    """For every table :func:`partitioned_tables` lists: the partitions from this month to ``months_ahead``
    months ahead. Returns the partitions created per table handled (``{}`` on other databases).

    The owner of a table does everything :func:`ensure_month_partitions` does. Another role (the application's,
    in a two-role installation) creates the missing months through :data:`DEFINER_FUNCTION`, which can only add
    an empty month; a month whose rows already sit in the DEFAULT needs the owner (the release job): it stays
    missing (:func:`missing_partitions_ahead`) and is logged."""
    today = today or _today()
    last = _months_ahead(today, months_ahead)
    created = {}
    for found in partitioned_tables(connection):
        if may_create_partitions(connection, found.table):
            created[found.table] = ensure_month_partitions(connection, found.table, today, last)
            continue
        created[found.table] = _ensure_through_definer(connection, found.table, _months(today, last))
        if missing_partitions_ahead(connection, found.table, months_ahead=months_ahead, today=today):
            log.warning("partitions_skipped_need_owner", extra={"table": found.table})
    return created


def missing_partitions_ahead(connection, table: str, *, months_ahead: int = 3, today: date | None = None) -> list[str]:
    """The month partitions from this month to ``months_ahead`` ahead that do not exist (``[]`` elsewhere)."""
    if not _applies(connection):
        return []
    today = today or _today()
    names = [partition_name(table, month) for month in _months(today, _months_ahead(today, months_ahead))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM unnest(%s::text[]) name WHERE to_regclass(name) IS NULL", [names])
        return [row[0] for row in cursor.fetchall()]


def _ensure_through_definer(connection, table: str, months: list[date]) -> list[str]:
    made: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"{DEFINER_FUNCTION}(regclass, date)"])
        if not cursor.fetchone()[0]:
            return made
        for month in months:
            name = partition_name(table, month)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                continue
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"SELECT {DEFINER_FUNCTION}(%s::regclass, %s)", [table, month])
            except DatabaseError:
                return made   # the DEFAULT holds rows of that month: moving them is the owner's
            made.append(name)
    return made


# Lets a role that does not own a partitioned table (the application's) add an empty month to it, as the
# function's owner (the schema owner, who ran the migration): it only ever creates <table>_pYYYYMM with that
# month's bounds, for a table partitioned by range of one date or timestamp column. PostgreSQL refuses it when
# the DEFAULT holds rows of the month; nothing else can change through it.
DEFINER_FUNCTION = "hromada_add_month_partition"
DEFINER_SQL = """
CREATE OR REPLACE FUNCTION hromada_add_month_partition(parent regclass, month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  kind text; schema_name name; low date := date_trunc('month', month)::date; high date; part text;
  lo text; hi text;
BEGIN
  SELECT format_type(a.atttypid, a.atttypmod) INTO kind
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
  IF kind IS NULL OR kind NOT IN ('timestamp with time zone', 'timestamp without time zone', 'date') THEN
    RAISE EXCEPTION '% is not partitioned by range of a date or timestamp', parent;
  END IF;
  SELECT n.nspname, c.relname || '_p' || to_char(low, 'YYYYMM') INTO schema_name, part
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  high := (low + interval '1 month')::date;
  lo := to_char(low, 'YYYY-MM-DD'); hi := to_char(high, 'YYYY-MM-DD');
  IF kind = 'timestamp with time zone' THEN lo := lo || ' 00:00:00+00'; hi := hi || ' 00:00:00+00'; END IF;
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                 schema_name, part, parent, lo, hi);
  RETURN part;
END $$;
"""


def may_create_partitions(connection, table: str) -> bool:
    """Only the owner of a table (or a member of its owner role) may create its partitions."""
    if not _applies(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                       "WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
        return bool(row and row[0])


def partition_by_month(connection, table: str, column: str, *, months_ahead: int = 3,
                       today: date | None = None) -> list[str]:
    """Convert the plain table ``table`` into one partitioned by range of ``column`` by month, in place.

    In the caller's transaction (a migration's; a savepoint of it here), holding an ACCESS EXCLUSIVE lock on the
    table: a new table ``PARTITION BY RANGE (column)`` with the same columns, defaults, NOT NULL and CHECK
    constraints, identity, storage and comments; partitions from the month of the oldest row (this month if
    empty) to ``months_ahead`` months ahead and the DEFAULT; the rows copied with their ids; the key
    ``(<old key columns>, column)`` as a unique index (:func:`key_index_name`) and the unique constraints as unique
    indexes of their names; the old indexes, foreign-key constraints and triggers recreated on the parent under
    their names (so every partition gets them); the id sequence kept — an identity column's new sequence
    continues from the old one's state and takes its name, an owned sequence (``serial``) is handed to the new
    column; the old table dropped; :data:`DEFINER_FUNCTION` installed. Privileges are not copied: ``migrate``
    re-applies the application role's grants. Returns the partitions created; ``[]`` and
    nothing done on other databases or when the table is already partitioned.
    """
    if not _applies(connection) or is_partitioned(connection, table):
        return []
    old = _checked_name(f"{table}__unpartitioned")
    q = lambda n: _q(connection, n)  # noqa: E731
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor, no_pending_checks(cursor):
        cursor.execute(f"LOCK TABLE {q(table)} IN ACCESS EXCLUSIVE MODE")
        shape = _read_shape(connection, cursor, table, column)
        # What will be recreated is read before anything is dropped; the definitions name the table, which
        # the new one takes over.
        for name in shape.foreign_keys + [name for name, _columns in shape.uniques]:
            cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
        for name, _definition in shape.triggers:
            cursor.execute(f"DROP TRIGGER {q(name)} ON {q(table)}")
        for name, _definition in shape.indexes:
            cursor.execute(f"DROP INDEX {q(name)}")
        cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(shape.pk_name)}")
        cursor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(old)}")
        cursor.execute(
            f"CREATE TABLE {q(table)} (LIKE {q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
            f"INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({q(column)})")
        cursor.execute(f"SELECT min({q(column)}) FROM {q(old)}")  # noqa: S608 — quoted names, dated bounds
        today = today or _today()
        first = _as_date(cursor.fetchone()[0]) or today
        created = ensure_month_partitions(connection, table, first, max(_months_ahead(today, months_ahead), first))
        columns = ", ".join(q(c) for c in _insertable_columns(cursor, old))
        cursor.execute(f"INSERT INTO {q(table)} ({columns}) {_overriding(cursor, old)}"  # noqa: S608 — quoted names, dated bounds
                       f"SELECT {columns} FROM {q(old)}")
        # The key and the unique constraints become unique indexes (see the module's docstring: a partition's
        # inherited constraint breaks pg_restore --clean).
        for name, columns in [(key_index_name(table, [*shape.pk_columns, column]), [*shape.pk_columns, column]),
                              *shape.uniques]:
            cursor.execute(f"CREATE UNIQUE INDEX {q(name)} ON {q(table)} ({', '.join(q(c) for c in columns)})")
        for _name, definition in shape.indexes:
            cursor.execute(definition)
        for name in shape.foreign_keys:
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {shape.foreign_key_defs[name]}")
        for _name, definition in shape.triggers:
            cursor.execute(definition)
        _keep_sequences(connection, cursor, table, old, shape)
        cursor.execute(f"DROP TABLE {q(old)}")
        for sequence_name, column_name in shape.identity_sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [q(table), column_name])
            current = cursor.fetchone()[0]
            cursor.execute("SELECT to_regclass(%s) IS NULL", [sequence_name])
            if current and cursor.fetchone()[0]:
                cursor.execute(f"ALTER SEQUENCE {current} RENAME TO {q(sequence_name.rsplit('.', 1)[-1])}")
        cursor.execute(DEFINER_SQL)
        # Not for every role (PostgreSQL grants EXECUTE to PUBLIC by default): the application's role is granted
        # it by ``audit.roles.grant_app_privileges``.
        cursor.execute(f"REVOKE ALL ON FUNCTION {DEFINER_FUNCTION}(regclass, date) FROM PUBLIC")
        cursor.execute(f"ANALYZE {q(table)}")
    return created


@dataclass
class _Shape:
    pk_name: str
    pk_columns: list[str]
    uniques: list[tuple[str, list[str]]]    # (name, columns) of unique constraints
    foreign_keys: list[str]
    foreign_key_defs: dict[str, str]
    indexes: list[tuple[str, str]]          # (name, CREATE INDEX …) of indexes backing no constraint
    triggers: list[tuple[str, str]]         # (name, CREATE TRIGGER …)
    identity_sequences: list[tuple[str, str]]   # (schema.sequence, column) of identity columns
    owned_sequences: list[tuple[str, str]]      # (schema.sequence, column) of serial columns


def _read_shape(connection, cursor, table: str, column: str) -> _Shape:
    cursor.execute("""SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
                      WHERE attrelid = to_regclass(%s) AND attname = %s AND NOT attisdropped""", [table, column])
    row = cursor.fetchone()
    if row is None:
        raise PartitionError(f"{table} has no column {column}")
    _check_type(row[0])
    if not row[1]:
        raise PartitionError(f"{table}.{column} may be NULL: a partition key must be NOT NULL here")
    cursor.execute("SELECT conname, conrelid::regclass::text FROM pg_constraint "
                   "WHERE confrelid = to_regclass(%s) AND contype = 'f'", [table])
    referencing = cursor.fetchall()
    if referencing:
        raise PartitionError(f"{table} is referenced by foreign keys {referencing}: their target would need a "
                             f"unique key without {column}")
    cursor.execute("""
        SELECT c.conname, c.contype, pg_get_constraintdef(c.oid),
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)
          FROM pg_constraint c WHERE c.conrelid = to_regclass(%s) AND c.contype IN ('p', 'u', 'f', 'x')
         ORDER BY c.conname""", [table])
    pk_name, pk_columns, uniques, foreign_keys, defs = None, [], [], [], {}
    for name, kind, definition, columns in cursor.fetchall():
        if kind == "p":
            pk_name, pk_columns = name, [c for c in columns if c != column]
        elif kind == "x":
            raise PartitionError(f"{table}: exclusion constraint {name} is not supported")
        elif kind == "u" and column not in columns:
            raise PartitionError(f"{table}: unique constraint {name} does not include {column}; PostgreSQL "
                                 f"requires the partition key in every unique constraint of a partitioned table")
        elif kind == "u":
            uniques.append((name, columns))
        else:
            foreign_keys.append(name)
            defs[name] = definition
    if pk_name is None:
        raise PartitionError(f"{table} has no primary key")
    cursor.execute("""
        SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique,
               ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey))
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = to_regclass(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
         ORDER BY i.relname""", [table])
    indexes = []
    for name, definition, unique, columns in cursor.fetchall():
        if unique and column not in columns:
            raise PartitionError(f"{table}: unique index {name} does not include {column}; PostgreSQL requires the "
                                 f"partition key in every unique index of a partitioned table")
        indexes.append((name, definition))
    cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                   "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal ORDER BY tgname", [table])
    triggers = cursor.fetchall()
    cursor.execute("SELECT attname, attidentity <> '' FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                   "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", [table])
    identity, owned = [], []
    for name, is_identity in cursor.fetchall():
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_q(connection, table), name])
        sequence = cursor.fetchone()[0]
        if sequence:
            (identity if is_identity else owned).append((sequence, name))
    return _Shape(pk_name, pk_columns, uniques, foreign_keys, defs, indexes, triggers, identity, owned)


def _keep_sequences(connection, cursor, table: str, old: str, shape: _Shape) -> None:
    for sequence, column in shape.identity_sequences:
        # The new identity has its own sequence: it continues where the old one stood.
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 — quoted names, dated bounds
        last_value, is_called = cursor.fetchone()
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                       [_q(connection, table), column, last_value, is_called])
    for sequence, column in shape.owned_sequences:
        # A serial column's default (copied by LIKE) already names the sequence; only its owner changes, so
        # dropping the old table keeps it.
        cursor.execute(f"ALTER SEQUENCE {sequence} OWNED BY {_q(connection, table)}.{_q(connection, column)}")


def month_partitions(connection, table: str) -> list[tuple[str, date]]:
    """The month partitions of ``table`` (not the DEFAULT), oldest first: (name, month). Empty elsewhere."""
    if not _applies(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s)", [table])
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{table}_p"
    found = []
    for name in names:
        stamp = name[len(prefix):] if name.startswith(prefix) else ""
        if len(stamp) == 6 and stamp.isdigit():
            found.append((name, date(int(stamp[:4]), int(stamp[4:]), 1)))
    return sorted(found, key=lambda item: item[1])


def drop_partition(connection, table: str, name: str) -> None:
    """Detach and drop one partition of ``table`` (its rows go with it, no row is deleted one by one: a table's
    append-only row triggers stay as they are). The owner's right; the caller has checked the rows are kept
    elsewhere (``audit.services.pack_audit``: in blocks)."""
    if not _applies(connection):
        return
    q = lambda n: _q(connection, n)  # noqa: E731
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor, no_pending_checks(cursor):
        cursor.execute(f"ALTER TABLE {q(table)} DETACH PARTITION {q(_checked_name(name))}")
        cursor.execute(f"DROP TABLE {q(name)}")
