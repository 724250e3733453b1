"""Backup and restore of the whole installation: the database and the stored files, with a manifest.

A backup is a directory::

    manifest.json   format, engine, time, sha256 + size of every part, row count + checksum of every table
    db.sqlite3      SQLite: a consistent copy made with SQLite's online backup API
    db.dump         PostgreSQL: ``pg_dump --format=custom``
    db.json         Django-level dump (``dumpdata``): the fallback when pg_dump is missing, or on request
    files.tar       every object of the default storage (MEDIA_ROOT or the S3 bucket)

``restore`` checks every part's sha256 before touching anything, replaces the database and the files,
then recomputes the table checksums and compares them with the manifest.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

FORMAT = "hromada-backup/1"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why (Ukrainian)."""


@dataclass
class RestoreReport:
    tables: int
    files: int
    mismatched_tables: list[str]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- table checksums ----------------------------------------------------------------------------
def _user_tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))


def table_checksums() -> dict[str, dict]:
    """Row count and a sha256 over every row (ordered by all columns) of every table."""
    result = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _user_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} LIMIT 0")  # noqa: S608 — table names from introspection
            ncols = len(cursor.description)
            order = ", ".join(str(i + 1) for i in range(ncols))
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")  # noqa: S608
            digest, rows = hashlib.sha256(), 0
            while True:
                batch = cursor.fetchmany(2000)
                if not batch:
                    break
                for row in batch:
                    digest.update(json.dumps([_norm(v) for v in row], default=str, sort_keys=True).encode())
                    digest.update(b"\n")
                rows += len(batch)
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _norm(value):
    if isinstance(value, memoryview | bytes | bytearray):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


# --- files ------------------------------------------------------------------------------------------
def _storage_files(prefix: str = "") -> list[str]:
    try:
        dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    names = [f"{prefix}{name}" for name in files]
    for sub in dirs:
        names.extend(_storage_files(f"{prefix}{sub}/"))
    return sorted(names)


def files_checksums() -> dict[str, str]:
    result = {}
    for name in _storage_files():
        with default_storage.open(name, "rb") as handle:
            result[name] = hashlib.sha256(handle.read()).hexdigest()
    return result


def _write_files_tar(path: Path) -> int:
    names = _storage_files()
    with tarfile.open(path, "w") as tar:
        for name in names:
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
    return len(names)


def _restore_files_tar(path: Path) -> int:
    with tarfile.open(path, "r") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for member in members:
            name = member.name
            if name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"Недопустимий шлях у архіві файлів: {name}")
        wanted = {m.name for m in members}
        for name in _storage_files():
            if name not in wanted:
                default_storage.delete(name)
        for member in members:
            data = tar.extractfile(member).read()
            if default_storage.exists(member.name):
                default_storage.delete(member.name)
            saved = default_storage.save(member.name, ContentFile(data))
            if saved != member.name:
                raise BackupError(f"Файл {member.name} збережено під іншим ім'ям: {saved}")
    return len(members)


# --- database ---------------------------------------------------------------------------------------
def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres")]
    return args, env


def _dump_database(target: Path, *, json_dump: bool) -> list[str]:
    parts = []
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target / "db.sqlite3")
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        parts.append("db.sqlite3")
    elif vendor == "postgresql" and shutil.which("pg_dump"):
        args, env = _pg_env()
        proc = subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(target / "db.dump"),
                               settings.DATABASES["default"]["NAME"]], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BackupError(f"pg_dump завершився з помилкою: {proc.stderr.strip()}")
        parts.append("db.dump")
    else:
        json_dump = True
    if json_dump:
        with open(target / "db.json", "w", encoding="utf-8") as out:
            call_command("dumpdata", "--natural-foreign", "--exclude", "contenttypes", "--exclude", "auth.permission",
                         "--exclude", "sessions", stdout=out)
        parts.append("db.json")
    return parts


def create_backup(output_dir: str | Path, *, json_dump: bool = False) -> Path:
    """Write a new backup directory under ``output_dir`` and return its path."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    target = Path(output_dir) / f"hromada-backup-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    parts = _dump_database(target, json_dump=json_dump)
    file_count = _write_files_tar(target / "files.tar")
    parts.append("files.tar")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "parts": {name: {"sha256": sha256_file(target / name), "size": (target / name).stat().st_size}
                  for name in parts},
        "tables": table_checksums(),
        "files": files_checksums(),
        "file_count": file_count,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def read_manifest(backup: str | Path) -> dict:
    backup = Path(backup)
    try:
        manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Не вдалося прочитати manifest.json у {backup}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("Невідомий формат резервної копії.")
    for name, meta in manifest["parts"].items():
        path = backup / name
        if not path.exists():
            raise BackupError(f"Відсутня частина резервної копії: {name}")
        if sha256_file(path) != meta["sha256"]:
            raise BackupError(f"Контрольна сума частини {name} не збігається: копію пошкоджено.")
    return manifest


def _restore_database(backup: Path, manifest: dict) -> None:
    vendor = connection.vendor
    parts = manifest["parts"]
    if vendor == "sqlite" and "db.sqlite3" in parts:
        connection.ensure_connection()
        source = sqlite3.connect(backup / "db.sqlite3")
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    if vendor == "postgresql" and "db.dump" in parts and shutil.which("pg_restore"):
        connections.close_all()
        args, env = _pg_env()
        proc = subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                               "--dbname", settings.DATABASES["default"]["NAME"], str(backup / "db.dump")],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BackupError(f"pg_restore завершився з помилкою: {proc.stderr.strip()}")
        return
    if "db.json" in parts:
        # Another engine (or no pg tools): schema from migrations, rows from the Django-level dump.
        call_command("migrate", "--no-input", verbosity=0)
        call_command("flush", "--no-input", verbosity=0)
        call_command("loaddata", str(backup / "db.json"), verbosity=0)
        return
    raise BackupError(f"Ця копія ({manifest['engine']}) не містить частини, придатної для бази {vendor}.")


def restore_backup(backup: str | Path) -> RestoreReport:
    """Replace the database and the files with the backup's; verify the result against the manifest."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    _restore_database(backup, manifest)
    file_count = _restore_files_tar(backup / "files.tar")
    mismatched = []
    if "db.json" not in manifest["parts"] or manifest["engine"] == connection.vendor:
        now = table_checksums()
        mismatched = sorted(t for t, meta in manifest["tables"].items() if now.get(t) != meta)
    if files_checksums() != manifest["files"]:
        raise BackupError("Відновлені файли не збігаються з маніфестом.")
    if mismatched:
        raise BackupError("Після відновлення таблиці не збігаються з маніфестом: " + ", ".join(mismatched))
    return RestoreReport(tables=len(manifest["tables"]), files=file_count, mismatched_tables=mismatched)
