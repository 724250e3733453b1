#!/usr/bin/env python3
"""Start and stop Hromada's production topology on one machine: `make prod-up` / `make prod-down`.

    python deploy/prodctl.py up       # prepare (database, migrations, codifier, static) and start
    python deploy/prodctl.py down     # stop everything cleanly
    python deploy/prodctl.py status   # supervisor status and the readiness checks
    python deploy/prodctl.py manage check_stack --worker   # any manage.py command with the stack's environment

supervisord (from PyPI) supervises gunicorn, the Celery worker, Celery beat and, for the local stack,
moto's S3 server; it restarts any of them that dies. Config, PIDs, logs and metrics files live under
HROMADA_PROD_VAR (var/prod/). Every setting comes from the environment; the defaults below are the
local stack (docs/operations.md lists every variable).
"""
from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def config() -> dict[str, str]:
    """The environment of every process of the stack: local defaults, overridden by the caller's env."""
    var = Path(os.environ.get("HROMADA_PROD_VAR", BASE / "var" / "prod")).resolve()
    port = os.environ.get("HROMADA_PROD_PORT", "8000")
    s3_port = os.environ.get("HROMADA_PROD_S3_PORT", "9000")
    env = {
        "DJANGO_SETTINGS_MODULE": "hromada.settings",
        "DEBUG": "0",
        # Plain http on localhost only; behind a TLS-terminating proxy leave HROMADA_HTTPS on (the default).
        "HROMADA_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The web server and the workers connect as a role that may only append to the audit log; migrations
        # (and restore) as the schema's owner (hromada.audit.roles; prepare_stack creates the role).
        "DATABASE_URL": "postgres://hromada_app:hromada-app-local@127.0.0.1:5432/hromada_prod",
        "DATABASE_MIGRATE_URL": "postgres://postgres@127.0.0.1:5432/hromada_prod",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "HROMADA_S3_BUCKET": "hromada-media",
        "HROMADA_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "HROMADA_S3_ACCESS_KEY_ID": "hromada-local",
        "HROMADA_S3_SECRET_ACCESS_KEY": "hromada-local-secret",
        "HROMADA_LOG_FORMAT": "json",
        "HROMADA_STATIC_MANIFEST": "1",
        # The local stack carries the demo accounts, which have no TOTP devices.
        "HROMADA_REQUIRE_2FA": "0",
        "HROMADA_VAR_DIR": str(var),
        "STATIC_ROOT": str(var / "static"),
        "HROMADA_BIND": f"127.0.0.1:{port}",
        "GUNICORN_PIDFILE": str(var / "run" / "gunicorn.pid"),
        "PROMETHEUS_MULTIPROC_DIR": str(var / "prom"),
        "PYTHONUNBUFFERED": "1",
    }
    for key in list(env):
        if os.environ.get(key):
            env[key] = os.environ[key]
    for key, value in os.environ.items():
        if key.startswith(("HROMADA_", "CELERY_", "GUNICORN_", "DJANGO_", "DB_", "EMAIL_")) and key not in env:
            env[key] = value
    if not env.get("HROMADA_BACKUP_KEY"):
        env["HROMADA_BACKUP_KEY"] = local_backup_key(var)
    env["HROMADA_PROD_VAR"] = str(var)
    env["HROMADA_PROD_PORT"] = port
    env["HROMADA_PROD_S3_PORT"] = s3_port
    if not env.get("HROMADA_FIELD_KEY"):
        # The local stack keeps its own key for the encrypted TOTP secrets beside its data, like SECRET_KEY;
        # a real deployment sets HROMADA_FIELD_KEY from its secrets store.
        key_file = var / "field_key"
        if not key_file.exists():
            var.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        env["HROMADA_FIELD_KEY"] = key_file.read_text().strip()
    return env


def local_backup_key(var: Path) -> str:
    """The local stack's backup key, made once and kept (0600) beside the stack's files. In production it comes
    from a secrets store, never from a file next to the backups."""
    path = var / "backup.key"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return path.read_text().strip()


def paths(env) -> dict[str, Path]:
    var = Path(env["HROMADA_PROD_VAR"])
    return {"var": var, "log": var / "log", "run": var / "run", "prom": var / "prom",
            "conf": var / "supervisord.conf", "sock": var / "run" / "supervisor.sock",
            "pid": var / "run" / "supervisord.pid"}


def local_s3(env) -> bool:
    return os.environ.get("HROMADA_PROD_LOCAL_S3", "1") == "1"


def supervisor_conf(env, *, storage_only: bool = False) -> str:
    """The supervisord config; ``storage_only``: just the local S3, which must answer before the demo's scans
    are stored by ``prepare_stack`` (moto keeps objects in memory, so it has to be the stack's own process)."""
    p = paths(env)
    common = ("autostart=true\nautorestart=true\nstartsecs=2\nstartretries=20\n"
              "stopasgroup=true\nkillasgroup=true\nredirect_stderr=true\n"
              "stdout_logfile_maxbytes=20MB\nstdout_logfile_backups=5\n")
    programs = []
    if local_s3(env):
        s3_port = env["HROMADA_PROD_S3_PORT"]
        programs.append(
            f"[program:s3]\npriority=10\n"
            f"command=/bin/sh -c 'echo $$ > {p['run']}/s3.pid; exec {BIN}/moto_server -H 127.0.0.1 -p {s3_port}'\n"
            f"stdout_logfile={p['log']}/s3.log\nstopsignal=TERM\nstopwaitsecs=10\n{common}"
        )
    if storage_only:
        programs = programs[:1]
    else:
        programs += _app_programs(env, p, common)
    return (
        f"; generated by deploy/prodctl.py — do not edit, edit the generator\n"
        f"[unix_http_server]\nfile={p['sock']}\nchmod=0700\n\n"
        f"[supervisord]\nlogfile={p['log']}/supervisord.log\npidfile={p['pid']}\nchildlogdir={p['log']}\n"
        f"directory={BASE}\nloglevel=info\nminfds=4096\n\n"
        f"[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        f"[supervisorctl]\nserverurl=unix://{p['sock']}\n\n" + "\n".join(programs)
    )


def _app_programs(env, p, common) -> list[str]:
    python = BIN / "python"
    cpu = os.cpu_count() or 1
    concurrency = env.get("HROMADA_WORKER_CONCURRENCY") or str(min(cpu, 8))
    programs = []
    programs.append(
        f"[program:web]\npriority=20\ncommand={BIN}/gunicorn -c {BASE}/deploy/gunicorn.conf.py hromada.wsgi\n"
        f"stdout_logfile={p['log']}/web.log\nstopsignal=TERM\nstopwaitsecs=35\n{common}"
    )
    # Warm shutdown on TERM: the worker finishes its running tasks (acks late) within stopwaitsecs.
    programs.append(
        f"[program:worker]\npriority=30\n"
        f"command={python} -m celery -A hromada worker -l INFO -n worker@%%h --concurrency {concurrency} "
        f"--pidfile {p['run']}/worker.pid\n"
        f"stdout_logfile={p['log']}/worker.log\nstopsignal=TERM\nstopwaitsecs=60\n{common}"
    )
    programs.append(
        f"[program:beat]\npriority=40\n"
        f"command={python} -m celery -A hromada beat -l INFO -s {p['var']}/celerybeat-schedule "
        f"--pidfile {p['run']}/beat.pid\n"
        f"stdout_logfile={p['log']}/beat.log\nstopsignal=TERM\nstopwaitsecs=10\n{common}"
    )
    return programs


def say(message: str) -> None:
    print(f"[prodctl] {message}", flush=True)


def manage(env, *args: str, check: bool = True, quiet: bool = False) -> int:
    clean = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    begun = time.monotonic()
    code = subprocess.run([str(BIN / "python"), str(BASE / "manage.py"), *args], env={**os.environ, **clean},
                          cwd=BASE, check=check).returncode
    if not quiet:
        say(f"manage.py {' '.join(args)}: {time.monotonic() - begun:.1f} s")
    return code


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            say(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def ensure_bucket(env) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=env["HROMADA_S3_ENDPOINT_URL"],
                          aws_access_key_id=env["HROMADA_S3_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["HROMADA_S3_SECRET_ACCESS_KEY"],
                          region_name=env.get("HROMADA_S3_REGION", "us-east-1"))
    names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if env["HROMADA_S3_BUCKET"] not in names:
        say(f"creating bucket {env['HROMADA_S3_BUCKET']}")
        client.create_bucket(Bucket=env["HROMADA_S3_BUCKET"])


def wait_ready(env, timeout: float) -> dict:
    url = f"http://{env['HROMADA_BIND']}/readyz"
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            # A generous timeout: abandoning slow first requests would only pile more onto the workers.
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our own local URL)
                return {"status": response.status, "body": response.read().decode()}
        except urllib.error.HTTPError as exc:
            last = f"{exc.code} {exc.read().decode()[:500]}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise SystemExit(f"{url} is not ready after {timeout:.0f} s: {last}")


def process_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def supervisord_pid(env) -> int | None:
    pidfile = paths(env)["pid"]
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if process_alive(pid) else None


def supervisorctl(env, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "supervisorctl"), "-c", str(paths(env)["conf"]), *args], env={**os.environ, **env},
                          capture_output=True, text=True, check=check)


def up(env, *, skip_prepare: bool = False, demo: bool = False) -> None:
    p = paths(env)
    if supervisord_pid(env):
        say(f"already running (supervisord pid {supervisord_pid(env)}); `make prod-down` first")
        return
    for key in ("var", "log", "run"):
        p[key].mkdir(parents=True, exist_ok=True)
    # Metrics files of a previous run describe dead processes.
    shutil.rmtree(p["prom"], ignore_errors=True)
    p["prom"].mkdir(parents=True)
    begun = time.monotonic()
    staged = local_s3(env) and not skip_prepare
    p["conf"].write_text(supervisor_conf(env, storage_only=staged))
    say(f"starting supervisord ({p['conf']})")
    subprocess.run([str(BIN / "supervisord"), "-c", str(p["conf"])], env={**os.environ, **env}, cwd=BASE, check=True)
    try:
        if local_s3(env):
            wait_port(int(env["HROMADA_PROD_S3_PORT"]), 30)
            ensure_bucket(env)
        if not skip_prepare:
            ensure_database(env.get("DATABASE_MIGRATE_URL") or env["DATABASE_URL"])
            manage(env, "prepare_stack", *(["--demo"] if demo else []))
        if staged:
            # Storage answered and the data are in: now the web server, the worker and beat.
            p["conf"].write_text(supervisor_conf(env))
            supervisorctl(env, "reread", check=True)
            supervisorctl(env, "update", check=True)
    except BaseException:
        down(env)
        raise
    result = wait_ready(env, 90)
    say(f"ready in {time.monotonic() - begun:.0f} s: http://{env['HROMADA_BIND']}/ — {result['body']}")
    say(f"logs: {p['log']}  pids: {p['run']}")


def down(env, *, timeout: float = 90) -> None:
    p = paths(env)
    pid = supervisord_pid(env)
    if pid is None:
        say("not running")
        return
    say(f"stopping supervisord {pid} and its programs")
    # SIGTERM to supervisord stops every program in reverse priority order (each waits its stopwaitsecs).
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    # Wait for the process itself: supervisord removes its pidfile a moment before it exits.
    while time.monotonic() < deadline and process_alive(pid):
        time.sleep(0.2)
    if process_alive(pid):
        say("supervisord did not stop in time: killing it")
        os.kill(pid, signal.SIGKILL)
    leftovers = []
    for pidfile in p["run"].glob("*.pid"):
        try:
            child = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            child = 0
        if child and process_alive(child):
            leftovers.append((pidfile.stem, child))
        else:
            pidfile.unlink(missing_ok=True)
    for name, child in leftovers:
        say(f"{name} ({child}) still alive: killing its process group")
        try:
            os.killpg(child, signal.SIGKILL)
        except OSError:
            os.kill(child, signal.SIGKILL)
    say("stopped")


def status(env) -> int:
    if not supervisord_pid(env):
        say("not running")
        return 3
    print(supervisorctl(env, "status").stdout, end="")
    return manage(env, "check_stack", check=False, quiet=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "config", "manage"])
    parser.add_argument("--skip-prepare", action="store_true", help="do not migrate/import/collectstatic")
    parser.add_argument("--demo", action="store_true", help="also load the demo accounts and data (seed_demo)")
    args, rest = parser.parse_known_args(argv)
    env = config()
    if args.command == "manage":
        return manage(env, *rest, check=False, quiet=True)
    if rest:
        parser.error(f"unexpected arguments: {' '.join(rest)}")
    if args.command == "up":
        up(env, skip_prepare=args.skip_prepare, demo=args.demo)
    elif args.command == "down":
        down(env)
    elif args.command == "status":
        return status(env)
    else:
        print(supervisor_conf(env))
    return 0


if __name__ == "__main__":
    sys.exit(main())
