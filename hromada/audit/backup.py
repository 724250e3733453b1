"""Backup and restore of the whole installation: the database and the stored files, with a manifest.

A backup is a directory (mode 0700, every file 0600)::

    manifest.json   format, engine, time, encryption scheme and key fingerprint, sha256 + size of every part,
                    row count + checksum of every table
    db.sqlite3      SQLite: a consistent copy made with SQLite's online backup API
    db.dump         PostgreSQL: ``pg_dump --format=custom``
    db.json         Django-level dump (``dumpdata``): the fallback when pg_dump is missing, or on request
    files.tar       every object of the default storage (MEDIA_ROOT or the S3 bucket)

Every part is encrypted as it is written (AES-256-GCM in chunks, ``hromada.audit.encryption``) with the key
in ``HROMADA_BACKUP_KEY``: no plaintext copy of the data reaches the backup directory (SQLite's copy and a
restore's decrypted parts live only in a private temporary directory, deleted at once). Sessions are left
out (a restored installation signs everyone in again): their keys would let the holder of a backup act as
a signed-in user.

``restore`` checks every part's sha256 before touching anything, decrypts (which authenticates every
chunk), replaces the database and the files, then recomputes the table checksums and compares them with
the manifest. Backups of format 1 (before encryption) can still be restored.
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
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections
from django.dispatch import Signal
from django.utils import timezone

from hromada.core.caching import forget_every_versioned
from hromada.core.error_codes import ErrorCode
from hromada.core.errors import HromadaError

from . import encryption

# Sent when a restore has replaced the database's rows, before the restore is verified. A row a dump of an earlier
# release lacks a column of (``loaddata`` gives it the field's default) is derived again by its app's receiver: the
# children's services flag the children of their cases (``children.apps``).
database_restored = Signal()

FORMAT = "hromada-backup/2"
PLAIN_FORMAT = "hromada-backup/1"  # before encryption: restored as it is
# Left out of every backup: live session keys are credentials, not records.
EXCLUDED_TABLES = frozenset({Session._meta.db_table})


class BackupError(HromadaError):
    """A backup or restore could not be made; the message says why (Ukrainian)."""
    code = ErrorCode.BACKUP_FAILED
    status = 500


@dataclass
class RestoreReport:
    tables: int
    files: int
    mismatched_tables: list[str]


def backup_key() -> bytes:
    try:
        return encryption.parse_key(settings.HROMADA_BACKUP_KEY)
    except encryption.EncryptionError as exc:
        raise BackupError(str(exc)) from exc


def _private_file(path: Path):
    """A new file only its owner may read (the backup's parts and manifest)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


@contextmanager
def _encrypted(path: Path, key: bytes):
    """Write the part ``path`` through the encryption; yields a binary file-like object."""
    with _private_file(path) as sink:
        writer = encryption.EncryptingWriter(sink, key=key, part=path.name)
        yield writer
        writer.close()


@contextmanager
def _plain_reader(path: Path, key: bytes | None):
    """Read a part's plaintext: decrypted when the backup is encrypted (``key``), as stored otherwise."""
    with open(path, "rb") as source:
        if key is None:
            yield source
            return
        try:
            yield io.BufferedReader(encryption.DecryptingReader(source, key=key, part=path.name),
                                    buffer_size=encryption.CHUNK)
        except encryption.EncryptionError as exc:
            raise BackupError(str(exc)) from exc


def _decrypt_to(path: Path, key: bytes | None, target: Path) -> Path:
    with _plain_reader(path, key) as source, _private_file(target) as sink:
        try:
            shutil.copyfileobj(source, sink, encryption.CHUNK)
        except encryption.EncryptionError as exc:
            raise BackupError(str(exc)) from exc
    return target


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- table checksums ----------------------------------------------------------------------------
def _user_tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names()
                  if not t.startswith("sqlite_") and t not in EXCLUDED_TABLES)


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


def _write_files_tar(path: Path, key: bytes) -> int:
    names = _storage_files()
    with _encrypted(path, key) as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
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
    db = connection.settings_dict  # the owner's connection during a restore (hromada.audit.roles)
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres")]
    return args, env


def _copy_sqlite(target: Path, key: bytes) -> None:
    """SQLite's online backup into a private temporary file, sessions deleted and the file vacuumed (no
    deleted session left in free pages), then encrypted into the backup."""
    connection.ensure_connection()
    with tempfile.TemporaryDirectory(prefix="hromada-backup-") as tmp:
        copy_path = Path(tmp) / "db.sqlite3"
        destination = sqlite3.connect(copy_path)
        try:
            connection.connection.backup(destination)
            for table in EXCLUDED_TABLES:
                destination.execute(f'DELETE FROM "{table}"')  # noqa: S608 — our own table names
            destination.commit()
            destination.execute("VACUUM")
        finally:
            destination.close()
        with open(copy_path, "rb") as source, _private_file(target) as sink:
            encryption.encrypt_file(source, sink, key=key, part=target.name)


def _pg_dump(target: Path, key: bytes) -> None:
    """``pg_dump`` to a pipe, encrypted as it streams: no plaintext dump on disk."""
    args, env = _pg_env()
    excluded = [f"--exclude-table-data={table}" for table in sorted(EXCLUDED_TABLES)]
    with tempfile.TemporaryFile() as errors, _encrypted(target, key) as sink:
        proc = subprocess.Popen(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", *excluded,
                                 connection.settings_dict["NAME"]], env=env, stdout=subprocess.PIPE,
                                stderr=errors)
        shutil.copyfileobj(proc.stdout, sink, encryption.CHUNK)
        proc.stdout.close()
        if proc.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump завершився з помилкою: {errors.read().decode(errors='replace').strip()}")


def _dump_database(target: Path, *, json_dump: bool, key: bytes) -> list[str]:
    parts = []
    vendor = connection.vendor
    if vendor == "sqlite":
        _copy_sqlite(target / "db.sqlite3", key)
        parts.append("db.sqlite3")
    elif vendor == "postgresql" and shutil.which("pg_dump"):
        _pg_dump(target / "db.dump", key)
        parts.append("db.dump")
    else:
        json_dump = True
    if json_dump:
        with _encrypted(target / "db.json", key) as sink:
            out = io.TextIOWrapper(sink, encoding="utf-8", write_through=True)
            call_command("dumpdata", "--natural-foreign", "--exclude", "contenttypes", "--exclude", "auth.permission",
                         "--exclude", "sessions", stdout=out)
            out.flush()
            out.detach()
        parts.append("db.json")
    return parts


def create_backup(output_dir: str | Path, *, json_dump: bool = False) -> Path:
    """Write a new backup directory under ``output_dir`` and return its path."""
    key = backup_key()
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    Path(output_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    target = Path(output_dir) / f"hromada-backup-{stamp}"
    target.mkdir(mode=0o700, exist_ok=False)
    target.chmod(0o700)
    parts = _dump_database(target, json_dump=json_dump, key=key)
    file_count = _write_files_tar(target / "files.tar", key)
    parts.append("files.tar")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "encryption": {"scheme": encryption.SCHEME, "key_id": encryption.key_id(key)},
        "excluded_tables": sorted(EXCLUDED_TABLES),
        "parts": {name: {"sha256": sha256_file(target / name), "size": (target / name).stat().st_size}
                  for name in parts},
        "tables": table_checksums(),
        "files": files_checksums(),
        "file_count": file_count,
    }
    with _private_file(target / "manifest.json") as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return target


def read_manifest(backup: str | Path) -> dict:
    backup = Path(backup)
    try:
        manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Не вдалося прочитати manifest.json у {backup}: {exc}") from exc
    if manifest.get("format") not in (FORMAT, PLAIN_FORMAT):
        raise BackupError("Невідомий формат резервної копії.")
    for name, meta in manifest["parts"].items():
        path = backup / name
        if not path.exists():
            raise BackupError(f"Відсутня частина резервної копії: {name}")
        if sha256_file(path) != meta["sha256"]:
            raise BackupError(f"Контрольна сума частини {name} не збігається: копію пошкоджено.")
    return manifest


def _pg_restore(path: Path, key: bytes | None) -> None:
    """``pg_restore`` fed the decrypted dump through a pipe (no plaintext dump on disk)."""
    connections.close_all()
    args, env = _pg_env()
    with tempfile.TemporaryFile() as errors, _plain_reader(path, key) as source:
        proc = subprocess.Popen(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", "--dbname", connection.settings_dict["NAME"]],
                                env=env, stdin=subprocess.PIPE, stderr=errors)
        try:
            shutil.copyfileobj(source, proc.stdin, encryption.CHUNK)
        except encryption.EncryptionError as exc:
            proc.kill()  # the single transaction is rolled back: nothing half-restored
            proc.wait()
            raise BackupError(str(exc)) from exc
        except BrokenPipeError:
            pass  # pg_restore stopped early; its exit code and message say why
        finally:
            if not proc.stdin.closed:
                with suppress(BrokenPipeError):
                    proc.stdin.close()
        if proc.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore завершився з помилкою: {errors.read().decode(errors='replace').strip()}")


def _restore_database(backup: Path, manifest: dict, key: bytes | None, tmp: Path) -> None:
    vendor = connection.vendor
    parts = manifest["parts"]
    if vendor == "sqlite" and "db.sqlite3" in parts:
        connection.ensure_connection()
        source = sqlite3.connect(_decrypt_to(backup / "db.sqlite3", key, tmp / "db.sqlite3"))
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    if vendor == "postgresql" and "db.dump" in parts and shutil.which("pg_restore"):
        _pg_restore(backup / "db.dump", key)
        return
    if "db.json" in parts:
        # Another engine (or no pg tools): schema from migrations, rows from the Django-level dump.
        dump = _decrypt_to(backup / "db.json", key, tmp / "db.json")
        call_command("migrate", "--no-input", verbosity=0)
        call_command("flush", "--no-input", verbosity=0)
        call_command("loaddata", str(dump), verbosity=0)
        from .services import store_words_of_entries

        store_words_of_entries()   # loaddata coded the entries' words; a dump from SQLite brings no term rows
        return
    raise BackupError(f"Ця копія ({manifest['engine']}) не містить частини, придатної для бази {vendor}.")


def _restore_key(manifest: dict) -> bytes | None:
    if manifest["format"] == PLAIN_FORMAT:
        return None
    key = backup_key()
    if manifest.get("encryption", {}).get("key_id") != encryption.key_id(key):
        raise BackupError("Копію зашифровано іншим ключем, ніж HROMADA_BACKUP_KEY: задайте ключ, яким її "
                          "створено.")
    return key


def restore_backup(backup: str | Path) -> RestoreReport:
    """Replace the database and the files with the backup's; verify the result against the manifest."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    key = _restore_key(manifest)
    with tempfile.TemporaryDirectory(prefix="hromada-restore-") as tmp:
        # The files first: a part that does not decrypt stops the restore before the database is touched.
        files_tar = _decrypt_to(backup / "files.tar", key, Path(tmp) / "files.tar")
        _restore_database(backup, manifest, key, Path(tmp))
        database_restored.send(sender=restore_backup)
        # Answers cached from the database just replaced (who serves which hromada, the days off, the queue's
        # lists) are void; the shared cache outlives a restore (pg_restore sends no signal).
        forget_every_versioned()
        file_count = _restore_files_tar(files_tar)
    mismatched = []
    if "db.json" not in manifest["parts"] or manifest["engine"] == connection.vendor:
        now = table_checksums()
        mismatched = sorted(t for t, meta in manifest["tables"].items() if now.get(t) != meta)
    if files_checksums() != manifest["files"]:
        raise BackupError("Відновлені файли не збігаються з маніфестом.")
    if mismatched:
        raise BackupError("Після відновлення таблиці не збігаються з маніфестом: " + ", ".join(mismatched))
    return RestoreReport(tables=len(manifest["tables"]), files=file_count, mismatched_tables=mismatched)
