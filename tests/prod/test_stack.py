"""The production stack for real on this machine (`make test-prod`, run by .ci/run).

Brings up gunicorn, a Celery worker and beat (Redis), PostgreSQL and an S3 endpoint (moto) under
supervisord on ports of its own, submits an application over HTTP, sees the receipt PDF appear in S3,
checks /readyz and /metrics, kills the worker in the middle of a task and sees supervisord restart it and
the work complete (the task in flight and a billing run queued behind it), sees a task that keeps failing
land in FailedTask, and brings everything down with no process left.

Skipped unless HROMADA_TEST_PROD=1 (the Makefile target sets it): `make test` stays fast.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("HROMADA_TEST_PROD") != "1",
                                reason="the production stack test runs with `make test-prod`")

BASE = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable).parent / "python")
PORT, S3_PORT = 8100, 9100
URL = f"http://127.0.0.1:{PORT}"
DB_NAME = "hromada_prodtest"
ENV = {
    "HROMADA_PROD_VAR": str(BASE / "var" / "prodtest"),
    "HROMADA_PROD_PORT": str(PORT),
    "HROMADA_PROD_S3_PORT": str(S3_PORT),
    # The web server and the workers as the role that may only append to the audit log; migrations as the owner.
    "DATABASE_URL": f"postgres://hromada_app:hromada-app-local@127.0.0.1:5432/{DB_NAME}",
    "DATABASE_MIGRATE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    # Redis databases of their own: a running `make prod-up` (db 0/1) is not disturbed.
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    "HROMADA_S3_BUCKET": "hromada-prodtest",
    "HROMADA_WORKER_CONCURRENCY": "1",
    # A killed worker's message comes back after the visibility timeout: short here, an hour in production.
    "HROMADA_CELERY_VISIBILITY_TIMEOUT": "15",
    "HROMADA_CELERY_RESTORE_INTERVAL": "2",
    "GUNICORN_WORKERS": "2",
    "DJANGO_SETTINGS_MODULE": "hromada.settings",
}
VAR = Path(ENV["HROMADA_PROD_VAR"])
# Checkpoints of this run only: the database outlives runs and may be recreated between them.
CHECKPOINTS = VAR / f"audit-checkpoints-{uuid.uuid4().hex[:8]}"
ENV["HROMADA_AUDIT_CHECKPOINT_DIR"] = str(CHECKPOINTS)
PROBE_SECONDS = 6


_T0 = time.monotonic()


def stage(name: str) -> None:
    print(f"[test-prod {time.monotonic() - _T0:6.1f} s] {name}", flush=True)


def run_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HROMADA_", "DATABASE_", "CELERY_", "DJANGO_"))}
    return {**env, **ENV}


def prodctl(*args: str, check: bool = True, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(BASE / "deploy" / "prodctl.py"), *args], env=run_env(), cwd=BASE,
                          capture_output=True, text=True, check=check, timeout=timeout)


def manage(*args: str) -> str:
    """manage.py with the stack's environment (prodctl computes it, as for operators)."""
    result = prodctl("manage", *args, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def send_task(name: str, *args) -> None:
    """Publish a task to the stack's broker by name, as any client of the queue would."""
    from celery import Celery

    client = Celery("prodtest", broker=ENV["CELERY_BROKER_URL"])
    client.send_task(name, args=list(args))
    client.close()


def sql(query: str, params=()):
    import psycopg

    with psycopg.connect(ENV["DATABASE_MIGRATE_URL"], autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def supervised_pid(program: str) -> int:
    result = subprocess.run([str(Path(PYTHON).parent / "supervisorctl"), "-c", str(VAR / "supervisord.conf"), "pid",
                             program], capture_output=True, text=True, env=run_env())
    text = result.stdout.strip()
    return int(text) if text.isdigit() else 0


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack():
    import redis

    prodctl("down", check=False)
    redis.Redis.from_url(ENV["CELERY_BROKER_URL"]).flushdb()
    up = prodctl("up", "--demo", check=False)
    print(up.stdout)
    assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-4000:]
    stage("stack up with the demo")
    pids = {}
    try:
        pids = {name: supervised_pid(name) for name in ("web", "worker", "beat", "s3")}
        yield pids
    finally:
        down = prodctl("down", check=False)
        print(down.stdout, down.stderr)
        stack_pids = [int(p.read_text()) for p in (VAR / "run").glob("*.pid") if p.read_text().strip().isdigit()]
        assert not any(alive(pid) for pid in stack_pids), "a process of the stack is still alive"


def http():
    import requests

    return requests.Session()


def token_for(session, username: str) -> str:
    response = session.post(f"{URL}/api/v1/auth/token", json={"username": username, "password": "demo12345"},
                            timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def pdf_bytes(seed: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=500 + seed, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def s3_client():
    import boto3

    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{S3_PORT}", aws_access_key_id="hromada-local",
                        aws_secret_access_key="hromada-local-secret", region_name="us-east-1")


def test_production_stack(stack):
    session = http()
    # The operators' check (readiness + a probe task through a worker), in the background: Django's start-up
    # is slow on a busy machine and overlaps with the HTTP checks.
    check_stack = subprocess.Popen([PYTHON, str(BASE / "deploy" / "prodctl.py"), "manage", "check_stack", "--worker"],
                                   env=run_env(), cwd=BASE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    # --- readiness: every check green, JSON details ---------------------------------------------------------
    ready = session.get(f"{URL}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert {"database", "migrations", "broker", "storage"} <= set(body["checks"])
    assert body["checks"]["storage"]["detail"] == "S3Storage" and body["checks"]["database"]["detail"] == "postgresql"
    assert session.get(f"{URL}/healthz", timeout=10).json() == {"status": "ok"}

    # DEBUG off, static files served by whitenoise under hashed names.
    assert session.get(f"{URL}/no-such-page", timeout=10).status_code == 404
    assert "Traceback" not in session.get(f"{URL}/no-such-page", timeout=10).text
    login_page = session.get(f"{URL}/accounts/login/", timeout=10)
    css = next(part.split('"')[0] for part in login_page.text.split('href="')[1:] if part.startswith("/static/core/"))
    assert css != "/static/core/hromada.css", "manifest storage gives hashed names"
    static = session.get(f"{URL}{css}", timeout=10, headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200 and "max-age" in static.headers.get("Cache-Control", "")

    stage("ready and static checked")
    # --- submit an application over HTTP --------------------------------------------------------------------
    auth = {"Authorization": f"Bearer {token_for(session, 'front_demo')}"}
    person = session.post(f"{URL}/api/v1/persons", headers=auth, timeout=30, json={
        "last_name": "Прод", "first_name": "Тест", "patronymic": "Стекович", "birth_date": "1991-02-03", "sex": "F",
        "no_rnokpp_reason": "Відмова від РНОКПП з релігійних переконань",
        "id_document": {"type": "passport", "number": "МК%06d" % (uuid.uuid4().int % 1000000)},
        "confirm_not_duplicate": True,
    })
    assert person.status_code == 201, person.text
    app = session.post(f"{URL}/api/v1/applications", headers=auth, timeout=30,
                       json={"service_code": "birth_assistance", "applicant_id": person.json()["id"]})
    assert app.status_code == 201, app.text
    app_id = app.json()["id"]
    required = [item["document_code"] for item in app.json()["checklist"]
                if item["timing"] == "before_submit"]
    for i, code in enumerate(required):
        upload = session.post(f"{URL}/api/v1/applications/{app_id}/documents", headers=auth, timeout=60,
                              data={"document_code": code},
                              files={"file": (f"{code}.pdf", pdf_bytes(app_id * 10 + i), "application/pdf")})
        assert upload.status_code == 201, upload.text
    request_id = f"prodtest-{uuid.uuid4().hex}"
    submitted = session.post(f"{URL}/api/v1/applications/{app_id}/submit", timeout=60,
                             headers={**auth, "Idempotency-Key": request_id, "X-Request-ID": request_id})
    assert submitted.status_code in (200, 201), submitted.text
    assert submitted.headers["X-Request-ID"] == request_id

    stage("application submitted")
    # The scans went to S3, and the worker renders the receipt PDF into S3 too.
    s3 = s3_client()
    bucket = ENV["HROMADA_S3_BUCKET"]

    def receipt_keys():
        listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"receipts/{app_id}/")
        return [o["Key"] for o in listing.get("Contents", [])]

    keys = wait_for(receipt_keys, 60, "the receipt PDF in S3")
    pdf = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert pdf.startswith(b"%PDF")
    assert sql("SELECT count(*) FROM applications_receipt WHERE application_id = %s", (app_id,))[0][0] >= 1

    # The request id followed the request into the Celery task's log lines (JSON logs).
    worker_log = VAR / "log" / "worker.log"
    wait_for(lambda: request_id in worker_log.read_text(), 20, "the request id in the worker log")
    task_lines = [line for line in worker_log.read_text().splitlines() if request_id in line]
    assert any("render_receipt" in line for line in task_lines)
    assert all(line.startswith("{") for line in task_lines)

    stage("receipt in S3, request id in worker log")
    # --- issue 16, point 12: the stack's processes use the application role, which cannot rewrite the log --------
    roles = {row[0] for row in sql("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = %s "
                                   "AND pid <> pg_backend_pid() AND backend_type = 'client backend'", (DB_NAME,))}
    assert roles == {"hromada_app"}, roles
    import psycopg

    with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as app_conn:
        for statement in ("TRUNCATE audit_auditentry", "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
                          "DELETE FROM audit_auditentry"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app_conn.execute(statement)
    # A signed checkpoint through the worker, then verify_audit compares the chain with it.
    send_task("hromada.ops.tasks.audit_checkpoint")
    wait_for(lambda: list(CHECKPOINTS.rglob("*.json")), 60, "an audit checkpoint file")
    verified = manage("verify_audit")
    head_hash = sql("SELECT hash FROM audit_auditentry ORDER BY id DESC LIMIT 1")[0][0]
    assert "Журнал аудиту цілий" in verified and "контрольних точок" in verified, verified
    assert f"хеш {head_hash}" in verified or "Голова ланцюжка" in verified, verified
    # The backup as the application role (as the nightly task runs it): encrypted parts, owner-only files.
    backup_dir = Path(manage("backup", str(VAR / "backups")).strip().splitlines()[-1])
    assert {oct(p.stat().st_mode & 0o777) for p in backup_dir.iterdir()} == {"0o600"}
    assert (backup_dir / "db.dump").read_bytes().startswith(b"HRMDENC1")
    stage("database role, audit checkpoint and encrypted backup checked")
    output, _ = check_stack.communicate(timeout=120)
    assert check_stack.returncode == 0 and "status: ready" in output and "OK   worker" in output, output
    stage("check_stack --worker passed")

    # --- kill the worker mid-task; supervisord restarts it; nothing is lost ---------------------------------
    token = f"prodtest-{uuid.uuid4().hex}"
    send_task("hromada.ops.tasks.worker_probe", token, PROBE_SECONDS)

    def probe():
        rows = sql("SELECT attempts, completed_at FROM ops_workerprobe WHERE token = %s", (token,))
        return rows[0] if rows else None

    wait_for(lambda: probe() and probe()[0] >= 1, 60, "the worker to start the probe task")
    # A billing run queued while the worker is busy, then lost with it if anything were lost.
    ministry = {"Authorization": f"Bearer {token_for(session, 'ministry_demo')}"}
    period = date.today().strftime("%Y-%m")
    run = session.post(f"{URL}/api/v1/billing/periods/{period}/run", headers=ministry, timeout=30)
    assert run.status_code == 202, run.text
    run_id = run.json()["run_id"]
    assert probe()[1] is None, "the probe must still be running when the worker is killed"

    old_pid = supervised_pid("worker")
    assert old_pid
    os.killpg(old_pid, signal.SIGKILL)  # the worker and its pool children, as if the host lost them
    new_pid = wait_for(lambda: (pid := supervised_pid("worker")) and pid != old_pid and pid, 60,
                       "supervisord to restart the worker")
    assert not alive(old_pid)

    stage("worker killed and restarted")
    def run_status():
        response = session.get(f"{URL}/api/v1/billing/runs/{run_id}", headers=ministry, timeout=30)
        return response.json() if response.status_code == 200 and response.json()["status"] in ("done", "failed") \
            else None

    finished = wait_for(run_status, 90, "the billing run to finish after the restart")
    assert finished["status"] == "done", finished
    attempts, completed_at = wait_for(lambda: probe() if probe()[1] else None, 90,
                                      "the interrupted task to complete after the restart")
    assert completed_at is not None and attempts >= 2, "the task in flight ran again after the restart"
    assert supervised_pid("worker") == new_pid

    stage("billing run and interrupted task completed")
    # The run's figures are right: a second run of the same period gives the same totals.
    first_totals = session.get(f"{URL}/api/v1/billing/periods/{period}", headers=ministry, timeout=30).json()
    assert first_totals["count"] >= 1, first_totals
    again = session.post(f"{URL}/api/v1/billing/periods/{period}/run", headers=ministry, timeout=30)
    assert again.status_code == 202, again.text
    run_id = again.json()["run_id"]
    assert wait_for(run_status, 60, "the second billing run")["status"] == "done"
    second_totals = session.get(f"{URL}/api/v1/billing/periods/{period}", headers=ministry, timeout=30).json()
    assert (second_totals["count"], second_totals["total"]) == (first_totals["count"], first_totals["total"])

    stage("second billing run checked")
    # --- a task that keeps failing lands in FailedTask ------------------------------------------------------
    reason = uuid.uuid4().hex
    send_task("hromada.ops.tasks.always_fails", reason)
    rows = wait_for(lambda: sql("SELECT task_name, exception, retries FROM ops_failedtask WHERE exception LIKE %s",
                                (f"%{reason}%",)), 60, "the failed task record")
    assert rows[0][0] == "hromada.ops.tasks.always_fails" and rows[0][2] == 1

    stage("failed task recorded")
    # --- metrics: latency by view, queue length, tasks, applications by status ------------------------------
    metrics = session.get(f"{URL}/metrics", timeout=30)
    assert metrics.status_code == 200
    text = metrics.text
    assert 'view="ops:readyz"' in text and 'hromada_http_request_duration_seconds_bucket' in text
    assert any('view="api:' in line and 'status="201"' in line for line in text.splitlines())
    assert 'hromada_celery_queue_length{queue="celery"}' in text
    assert 'hromada_celery_task_duration_seconds_count{state="SUCCESS",task="applications.render_receipt"}' in text
    assert 'hromada_celery_task_failures_total{task="hromada.ops.tasks.always_fails"}' in text
    submitted_line = next(line for line in text.splitlines() if line.startswith('hromada_applications{status="submitted"}'))
    assert float(submitted_line.split()[-1]) >= 1

    # No personal data in the logs: the applicant's name went over the wire, never into a log.
    for log in (VAR / "log").glob("*.log"):
        assert "Стекович" not in log.read_text(errors="replace"), log.name

    stage("metrics and logs checked")
    # --- down: cleanly, nothing left ----------------------------------------------------------------------
    session.close()  # no idle keep-alive connections for gunicorn's graceful stop to wait for
    stack_pids = [int(p.read_text()) for p in (VAR / "run").glob("*.pid") if p.read_text().strip().isdigit()]
    down = prodctl("down")
    assert "stopped" in down.stdout and "killing" not in down.stdout, down.stdout
    assert not port_open(PORT) and not port_open(S3_PORT)
    assert not [pid for pid in [*stack_pids, *stack.values()] if alive(pid)]
    assert "not running" in prodctl("status", check=False).stdout
    stage("stack down")

