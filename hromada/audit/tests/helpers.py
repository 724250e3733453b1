from contextlib import contextmanager

from django.db import connection

from hromada.audit import guard


@contextmanager
def guard_disabled():
    """Switch the append-only triggers off inside the test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser switch that skips ordinary triggers (ALTER TABLE … DISABLE TRIGGER would trip over
            # the deferred FK checks pending in the test transaction).
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for sql in guard.SQLITE_REVERSE + guard.SQLITE_BLOCKS_REVERSE:
                cursor.execute(sql)
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            guard.install(connection)
            guard.install_blocks(connection)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")


def as_new_transaction():
    """Forget which audit chain the test's transaction holds, as a new transaction would (the test's requests and
    services share one transaction; production runs each in its own, which may append to another chain)."""
    from hromada.audit.services import _Appended, _Held

    connection.run_on_commit[:] = [c for c in connection.run_on_commit if not isinstance(c[1], _Held | _Appended)]


def _as_written(sql: str) -> str:
    """The text of a statement sent as prepared (``PREPARE name AS …; EXECUTE``, then ``EXECUTE name(…)``)."""
    if not sql.startswith(("PREPARE ", "EXECUTE ")):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1].split("(")[0]])
        return cursor.fetchone()[0].split(" AS ", 1)[1]
