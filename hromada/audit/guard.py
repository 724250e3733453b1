"""Append-only guard for the audit table, enforced by the database itself.

PostgreSQL: row triggers refuse UPDATE and DELETE (TRUNCATE, used by test flushes, should be revoked
from the application's role in production — see SECURITY.md).
SQLite: triggers refuse UPDATE always and DELETE unless ``hromada_audit_maintenance()`` returns 1; that
SQL function exists only on Django connections and returns 1 only while ``manage.py flush`` runs, so a
plain ``sqlite3`` shell cannot delete entries either (the function is unknown there, the statement fails).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

TABLE = "audit_auditentry"
BLOCK_TABLE = "audit_auditblock"   # the packed entries (docs/decisions/0003): appended by the owner's pack, never changed
_state = threading.local()


def _postgres_trigger(table: str, name: str) -> str:
    return (f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION hromada_audit_refuse();\n")


def _sqlite_triggers(table: str, prefix: str) -> list[str]:
    """UPDATE always refused; DELETE unless the maintenance switch is on (a flush, a pack removing its rows)."""
    return [
        f"DROP TRIGGER IF EXISTS {prefix}_no_update",
        f"""CREATE TRIGGER {prefix}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END""",
        f"DROP TRIGGER IF EXISTS {prefix}_no_delete",
        f"""CREATE TRIGGER {prefix}_no_delete BEFORE DELETE ON {table} WHEN hromada_audit_maintenance() = 0
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END""",
    ]


def _sqlite_reverse(prefix: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {prefix}_no_update", f"DROP TRIGGER IF EXISTS {prefix}_no_delete"]


POSTGRES_SQL = """
CREATE OR REPLACE FUNCTION hromada_audit_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END; $$ LANGUAGE plpgsql;
""" + _postgres_trigger(TABLE, "audit_append_only")
POSTGRES_REVERSE = f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}; DROP FUNCTION IF EXISTS hromada_audit_refuse();"
# The blocks: the same refusal (the function above, installed by migration 0002).
POSTGRES_BLOCKS_SQL = _postgres_trigger(BLOCK_TABLE, "audit_block_append_only")
POSTGRES_BLOCKS_REVERSE = f"DROP TRIGGER IF EXISTS audit_block_append_only ON {BLOCK_TABLE}"

SQLITE_SQL = _sqlite_triggers(TABLE, "audit")
SQLITE_REVERSE = _sqlite_reverse("audit")
SQLITE_BLOCKS_SQL = _sqlite_triggers(BLOCK_TABLE, "audit_block")
SQLITE_BLOCKS_REVERSE = _sqlite_reverse("audit_block")


def _maintenance() -> int:
    return 1 if getattr(_state, "maintenance", False) else 0


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created handler: define the maintenance switch on every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("hromada_audit_maintenance", 0, _maintenance)


@contextmanager
def maintenance():
    """Allow deleting audit rows on SQLite: a database flush, and ``services.pack_audit`` removing the rows it has
    packed (PostgreSQL drops their partitions instead). Not for application code."""
    _state.maintenance = True
    try:
        yield
    finally:
        _state.maintenance = False


def _run(connection, postgres: str, sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(postgres)
        elif connection.vendor == "sqlite":
            for sql in sqlite:
                cursor.execute(sql)


def install(connection) -> None:
    _run(connection, POSTGRES_SQL, SQLITE_SQL)


def uninstall(connection) -> None:
    _run(connection, POSTGRES_REVERSE, SQLITE_REVERSE)


def install_blocks(connection) -> None:
    _run(connection, POSTGRES_BLOCKS_SQL, SQLITE_BLOCKS_SQL)


def uninstall_blocks(connection) -> None:
    _run(connection, POSTGRES_BLOCKS_REVERSE, SQLITE_BLOCKS_REVERSE)
