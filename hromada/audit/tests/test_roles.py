"""Issue 16, point 12: the application's database role may only append to the audit log.

PostgreSQL only (SQLite has no roles: there the file's owner is the only "role"). A fresh database, the schema
migrated as its owner (``DATABASE_MIGRATE_URL``), the application connected as a role of its own
(``DATABASE_URL``) — as the production stack runs — and every way the table's owner could rewrite the log
tried as the application role.
"""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG = "127.0.0.1:5432"

SCRIPT = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hromada.accounts.services import create_staff_user
from hromada.audit.models import AuditEntry
from hromada.audit.services import record, verify_chain

call_command("setup_db_roles", "--create", verbosity=0)
call_command("migrate", "--no-input", verbosity=0)
call_command("setup_db_roles", "--check", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    me = cursor.fetchone()[0]
u = create_staff_user(username="role_sys", password="Zx9-long-enough", role="sysadmin")
entries = [record(actor=u, action="test.role", object_id=i) for i in range(3)]
attempts = {
    "update": "UPDATE audit_auditentry SET object_id = 'x'",
    "delete": "DELETE FROM audit_auditentry",
    "truncate": "TRUNCATE audit_auditentry",
    "disable_trigger": "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only",
    "drop_trigger": "DROP TRIGGER audit_append_only ON audit_auditentry",
    "replica_mode": "SET session_replication_role = replica",
    # Without the grant option PostgreSQL only warns "no privileges were granted": the UPDATE after it tells.
    "grant_self": "GRANT UPDATE ON audit_auditentry TO CURRENT_USER; UPDATE audit_auditentry SET object_id = 'x'",
    "own_table": "ALTER TABLE audit_auditentry OWNER TO CURRENT_USER",
    "reset_head_delete": "DELETE FROM audit_auditchainhead",
    # The words the entries hold as codes: added by appends, never changed or removed.
    "rename_word": "UPDATE audit_auditterm SET name = 'test.hidden'",
    "delete_word": "DELETE FROM audit_auditterm",
    "truncate_words": "TRUNCATE audit_auditterm",
    "new_table": "CREATE TABLE shadow_log (id int)",
    "migrations": "DELETE FROM django_migrations",
    # The log is partitioned by month: each partition is a table the role must not change either (refused for
    # want of a privilege, not only by the trigger cloned onto it).
    "update_partition": "UPDATE audit_auditentry_default SET object_id = 'x'",
    "delete_partition": "DELETE FROM audit_auditentry_default",
    "add_partition": "CREATE TABLE audit_auditentry_p209901 PARTITION OF audit_auditentry "
                     "FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')",
}
refused = {}
for name, sql in attempts.items():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        refused[name] = "done"
    except DatabaseError as exc:
        refused[name] = getattr(getattr(exc, "__cause__", None), "sqlstate", None) or str(exc)
# A backup as the application role (the nightly task), a restore as the owner (it drops and recreates the
# tables), then the application role works again: the restore re-granted it, still append-only.
import sys
from hromada.audit.backup import create_backup
backup = create_backup(sys.argv[1])
call_command("restore", str(backup), "--yes", verbosity=0)
record(actor=u, action="test.after_restore")
call_command("setup_db_roles", "--check", verbosity=0)
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    after_restore = "done"
except DatabaseError as exc:
    after_restore = exc.__cause__.sqlstate
print(json.dumps({"me": me, "refused": refused, "count": AuditEntry.objects.count(), "after_restore": after_restore,
                  "problems": [p.message for p in verify_chain()[1]]}))
"""


def _pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(f"postgres://postgres@{PG}/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 — any failure means "no server here"
        return False


@pytest.mark.postgres
@pytest.mark.skipif(not _pg_available(), reason="role separation is PostgreSQL-only (SQLite has no database "
                                                 "roles); PostgreSQL at 127.0.0.1:5432 is not reachable")
def test_application_role_may_only_append_to_the_audit_log(tmp_path):
    import psycopg

    name = f"hromada_roles_{secrets.token_hex(4)}"
    role = f"hromada_app_{secrets.token_hex(4)}"
    admin = f"postgres://postgres@{PG}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HROMADA_", "PYTEST", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", HROMADA_HTTPS="0", SECRET_KEY="k" * 60,
               HROMADA_VAR_DIR=str(tmp_path / "var"), MEDIA_ROOT=str(tmp_path / "media"), LOG_LEVEL="WARNING",
               DATABASE_URL=f"postgres://{role}:app-secret@{PG}/{name}",
               DATABASE_MIGRATE_URL=f"postgres://postgres@{PG}/{name}",
               HROMADA_BACKUP_KEY="q6Y0y2pXQ7zq1n2d9q4fFq3m8z3k0lq1yN1v0XbL5sQ=")
    try:
        proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "backups")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    assert result["me"] == role  # the application really ran as its own role
    # None of them may succeed, each refused for want of a privilege (42501), not by chance.
    assert [name for name, outcome in result["refused"].items() if outcome == "done"] == [], result["refused"]
    assert {outcome for outcome in result["refused"].values()} <= {"42501"}, result["refused"]
    assert result["count"] >= 4 and result["problems"] == []
    assert result["after_restore"] == "42501"



@pytest.mark.postgres
@pytest.mark.django_db
def test_the_application_role_is_created_with_its_password():
    """The password is quoted into the statement by the driver — a quote, a percent sign and a backslash included —
    whichever way the connection binds parameters: on a connection where the server binds them (tried for #24,
    bench/README.md) a parameter in DDL is refused."""
    from django.db import connections

    from hromada.audit.roles import create_app_role

    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's: SQLite has none (the PostgreSQL run of the suite runs this)")
    bound = type(connection)({**connection.settings_dict, "OPTIONS": {
        **connection.settings_dict["OPTIONS"], "server_side_binding": True}}, alias="server_bound")
    role = f"hromada_pw_{secrets.token_hex(4)}"
    try:
        for conn in (connection, bound):
            name = f"{role}_{conn.alias}"
            assert create_app_role(conn, name, "it's 100%s \\ secret")
            assert not create_app_role(conn, name, "again")    # there already: left as it is
            with conn.cursor() as cursor:
                cursor.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [name])
                assert cursor.fetchone() == (True,)
    finally:
        # Each role dropped by the connection that made it: the default one's DROP would stay in the test's
        # transaction and be rolled back, leaving the other connection's committed role on the server.
        for conn in (connection, bound):
            with conn.cursor() as cursor:
                cursor.execute(f'DROP ROLE IF EXISTS "{role}_{conn.alias}"')
        bound.close()
