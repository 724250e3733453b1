"""Two database roles on PostgreSQL: the owner changes the schema, the application may only append to the log.

The role that owns a table may disable its triggers, truncate it and grant itself anything, so tamper
evidence inside the database stops at the owner. Therefore:

* ``DATABASE_MIGRATE_URL`` connects as the **owner** of the schema; ``migrate``, ``flush``, ``restore`` and
  ``setup_db_roles`` switch the default connection to it for their duration (:func:`as_owner`);
* ``DATABASE_URL`` connects as the **application role** (web, Celery worker and beat): not an owner, not a
  superuser; on ``audit_auditentry`` and on its words, ``audit_auditterm``, it holds only SELECT and INSERT (no
  UPDATE, DELETE, TRUNCATE), on the chain head SELECT, INSERT and UPDATE (the head only speeds up appends:
  ``verify_audit`` checks it against the log and the signed checkpoints), on the packed entries
  (``audit_auditblock``) only SELECT, on ``django_migrations`` only SELECT,
  and it cannot create objects.

``migrate`` re-applies the grants after every run (new tables included). Without ``DATABASE_MIGRATE_URL``
(SQLite, the embedded demo, tests) one role does everything, as before.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import dj_database_url
from django.conf import settings
from django.db import connections

from hromada.core.partitions import DEFINER_FUNCTION

from .fields import TERM_TABLE  # words are added by appends, never changed

AUDIT_TABLE = "audit_auditentry"
HEAD_TABLE = "audit_auditchainhead"
BLOCK_TABLE = "audit_auditblock"   # the packed entries: only the owner's pack_audit writes them
MIGRATIONS_TABLE = "django_migrations"
_OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


class RoleSetupError(Exception):
    """The roles cannot be set up as asked (the message says why)."""


def owner_url() -> str:
    return getattr(settings, "DATABASE_MIGRATE_URL", "") or ""


def app_role(alias: str = "default") -> str | None:
    """The application's role (the user of DATABASE_URL) when a separate owner is configured."""
    if not owner_url() or connections[alias].vendor != "postgresql":
        return None
    role = settings.DATABASES[alias].get("USER") or None
    return None if role == dj_database_url.parse(owner_url()).get("USER") else role


@contextmanager
def as_owner(alias: str = "default"):
    """Run the block on a connection as the schema owner (same database, the owner's credentials)."""
    url = owner_url()
    connection = connections[alias]
    if not url or connection.vendor != "postgresql":
        yield connection
        return
    owner = dj_database_url.parse(url)
    saved = {key: connection.settings_dict.get(key) for key in _OWNER_KEYS}
    connection.close()
    # The database name stays (a test run's database is not the configured one).
    connection.settings_dict.update({key: owner.get(key) for key in _OWNER_KEYS})
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _ident(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def grant_app_privileges(connection, role: str) -> None:
    """As the owner: what the application role may do (re-run after every migration)."""
    r, q = _ident(connection, role), (lambda name: _ident(connection, name))
    database = q(connection.settings_dict["NAME"])
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {r}",
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
    ]
    restricted = {  # what the role must not do to these tables (once they exist)
        AUDIT_TABLE: "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
        HEAD_TABLE: "DELETE, TRUNCATE, REFERENCES, TRIGGER",
        BLOCK_TABLE: "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
        TERM_TABLE: "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
        MIGRATIONS_TABLE: "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
    }
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        for table, privileges in restricted.items():
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if cursor.fetchone()[0]:
                cursor.execute(f"REVOKE {privileges} ON {q(table)} FROM {r}")
                # A partitioned table's partitions are tables of their own (GRANT … ON ALL TABLES reached them).
                cursor.execute("SELECT relid::text FROM pg_partition_tree(%s::regclass) WHERE relid <> %s::regclass",
                               [table, table])
                for (partition,) in cursor.fetchall():
                    cursor.execute(f"REVOKE {privileges} ON {partition} FROM {r}")
        # Monthly partitions are added ahead by the daily job, which runs as this role: through the owner's
        # SECURITY DEFINER function (hromada.core.partitions), which can only add an empty month.
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"{DEFINER_FUNCTION}(regclass, date)"])
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {DEFINER_FUNCTION}(regclass, date) TO {r}")


def create_app_role(connection, role: str, password: str | None) -> bool:
    """As a role with CREATEROLE: create the application's login role if missing. True if created."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            return False
        # DDL takes no parameters bound by the server (tried for #24, bench/README.md): the password goes in quoted
        # by the driver, whichever way the connection binds.
        cursor.execute(connection.ops.compose_sql(
            f"CREATE ROLE {_ident(connection, role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOREPLICATION NOBYPASSRLS" + (" PASSWORD %s" if password else ""), [password] if password else None))
    return True


@dataclass(frozen=True)
class RoleReport:
    role: str
    problems: list[str]


def check_app_role(connection, role: str) -> RoleReport:
    """What would let ``role`` rewrite the log: superuser, owner of the table or database, a forbidden grant."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return RoleReport(role, [f"role {role} does not exist"])
        if row[0] or row[2]:
            problems.append(f"role {role} is a superuser or may create roles")
        cursor.execute("SELECT pg_has_role(%s, tableowner, 'USAGE') FROM pg_tables WHERE tablename = %s",
                       [role, AUDIT_TABLE])
        owned = cursor.fetchone()
        if owned and owned[0]:
            problems.append(f"role {role} owns (or is a member of the owner of) {AUDIT_TABLE}")
        cursor.execute("SELECT pg_has_role(%s, datdba, 'USAGE') FROM pg_database WHERE datname = current_database()",
                       [role])
        if cursor.fetchone()[0]:
            problems.append(f"role {role} owns the database")
        for table in (AUDIT_TABLE, TERM_TABLE, BLOCK_TABLE):   # the entries, their words as codes, their blocks
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            migrated = cursor.fetchone()[0]
            for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER") if migrated else ():
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
                if cursor.fetchone()[0]:
                    problems.append(f"role {role} holds {privilege} on {table}")
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [role])
        if cursor.fetchone()[0]:
            problems.append(f"role {role} may create objects in schema public")
    return RoleReport(role, problems)
