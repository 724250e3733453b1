"""Backup → change everything → restore → compare every table and file, on SQLite and PostgreSQL.

Runs ``manage.py`` in subprocesses against a fresh database of each engine (the test database of the
suite is left alone), with its own MEDIA_ROOT.
"""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG_URL = "postgres://postgres@127.0.0.1:5432/"

SCRIPT = r"""
import json, os, stat, subprocess, sys
from pathlib import Path
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, transaction
from hromada.accounts.models import User
from hromada.accounts.services import create_staff_user
from hromada.audit.backup import BackupError, create_backup, files_checksums, restore_backup, table_checksums
from hromada.audit.models import AuditEntry
from hromada.audit.services import record

call_command("migrate", "--no-input", verbosity=0)
u = create_staff_user(username="backup_sys", password="Zx9-long-enough", role="sysadmin")
User.objects.filter(pk=u.pk).update(last_name="Неповторенко-Резервна")
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
live = SessionStore()
live["_auth_user_id"] = str(u.pk)
live.create()
for i in range(3):
    record(actor=u, action="test.backup", object_id=i, details={"n": i})
default_storage.save("docs/2026/a.pdf", ContentFile(b"%PDF-1.4 original"))
default_storage.save("b.txt", ContentFile("Привіт".encode()))
default_storage.save("scan.txt", ContentFile("Скан паспорта Неповторенко-Резервна".encode() * 50))
before = {"tables": table_checksums(), "files": files_checksums()}
backup = create_backup(sys.argv[1])
manifest = json.loads((backup / "manifest.json").read_text())
modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [backup, *backup.iterdir()]}
secrets_seen = [p.name for p in backup.iterdir() for needle in
                # the whole password: three bytes turn up by chance in megabytes of ciphertext
                ("Неповторенко".encode(), "Неповторенко".encode("utf-16-le"), live.session_key.encode(),
                 b"Zx9-long-enough")
                if needle in p.read_bytes()]

v = create_staff_user(username="after_backup", password="Zx9-long-enough", role="ministry")
User.objects.filter(username="backup_sys").update(first_name="Змінено")
record(actor=v, action="test.after")
default_storage.delete("docs/2026/a.pdf")
default_storage.delete("b.txt")
default_storage.save("b.txt", ContentFile(b"changed"))
default_storage.save("c.txt", ContentFile(b"new"))
changed = {"tables": table_checksums(), "files": files_checksums()}

report = restore_backup(backup)
after = {"tables": table_checksums(), "files": files_checksums()}
sessions_after = Session.objects.count()
restored_name = User.objects.get(username="backup_sys").last_name
good_key = os.environ["HROMADA_BACKUP_KEY"]
from django.conf import settings
from hromada.audit.encryption import generate_key
settings.HROMADA_BACKUP_KEY = generate_key()
try:
    restore_backup(backup)
    wrong_key = "accepted"
except BackupError as exc:
    wrong_key = str(exc)
settings.HROMADA_BACKUP_KEY = ""
try:
    create_backup(sys.argv[1])
    no_key = "accepted"
except BackupError as exc:
    no_key = str(exc)
settings.HROMADA_BACKUP_KEY = good_key
call_command("verify_audit")
try:
    with transaction.atomic():
        AuditEntry.objects.all().delete()
    guard = "missing"
except DatabaseError as exc:
    guard = str(exc)
with open(backup / "files.tar", "ab") as handle:
    handle.write(b"tampered")
try:
    restore_backup(backup)
    corrupted = "accepted"
except BackupError as exc:
    corrupted = str(exc)
print(json.dumps({"before": before, "manifest": manifest, "changed": changed, "after": after, "guard": guard,
                  "corrupted": corrupted, "report_files": report.files, "modes": modes, "seen": secrets_seen,
                  "sessions_after": sessions_after, "restored_name": restored_name, "wrong_key": wrong_key,
                  "no_key": no_key}))
"""


def _env(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HROMADA_", "PYTEST", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", HROMADA_HTTPS="0", SECRET_KEY="k" * 60,
               HROMADA_VAR_DIR=str(tmp_path / "var"), MEDIA_ROOT=str(tmp_path / "media"), LOG_LEVEL="WARNING",
               DATABASE_URL=database_url, HROMADA_BACKUP_KEY="q6Y0y2pXQ7zq1n2d9q4fFq3m8z3k0lq1yN1v0XbL5sQ=")
    return env


def _round_trip(tmp_path, database_url):
    # One process per engine (migrate once): backup → change rows and files → restore → compare.
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "backups")], cwd=ROOT,
                          env=_env(tmp_path, database_url), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    assert result["manifest"]["tables"] == before["tables"] and result["manifest"]["files"] == before["files"]
    assert set(before["files"]) == {"docs/2026/a.pdf", "b.txt", "scan.txt"}
    assert result["changed"]["tables"] != before["tables"] and result["changed"]["files"] != before["files"]
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"]
    assert after["tables"]["audit_auditentry"]["rows"] >= 3
    assert before["tables"]["accounts_user"]["rows"] >= 1
    assert "append-only" in result["guard"]          # the guard survives a restore
    assert "files.tar" in result["corrupted"]        # a damaged backup is refused before anything changes
    # Issue 16, point 13: only the owner may read the backup; no plaintext personal data, password hash or
    # session key in any of its files; sessions are left out (a restore signs everyone out).
    assert result["modes"] and all(mode == (0o700 if name.startswith("hromada-backup-") else 0o600)
                                   for name, mode in result["modes"].items()), result["modes"]
    assert result["seen"] == []
    assert result["manifest"]["encryption"]["scheme"] == "AES-256-GCM-STREAM/1"
    assert "django_session" not in result["manifest"]["tables"]
    assert result["sessions_after"] == 0
    assert result["restored_name"] == "Неповторенко-Резервна"
    assert "іншим ключем" in result["wrong_key"]
    assert "HROMADA_BACKUP_KEY" in result["no_key"]


def test_backup_round_trip_sqlite(tmp_path):
    _round_trip(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_backup_and_restore_commands(tmp_path, db):
    # The commands wire the same functions; here only their argument handling and messages.
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="manifest.json"):
        call_command("restore", str(tmp_path), "--yes")


def _pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL + "postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 — any failure means "no server here"
        return False


@pytest.mark.postgres
@pytest.mark.skipif(not _pg_available(), reason="PostgreSQL at 127.0.0.1:5432 is not reachable")
def test_backup_round_trip_postgres(tmp_path):
    import psycopg

    name = f"hromada_backup_{secrets.token_hex(4)}"
    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(tmp_path, PG_URL + name)
    finally:
        with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
