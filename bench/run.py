#!/usr/bin/env python
"""Hromada benchmarks: `make bench [BENCH_ARGS="--size small|medium|large ..."]`.

Measures the platform against what the database itself can do, in one run, on one machine:
intake over real HTTP (gunicorn, concurrent clients) vs the raw-SQL insert rate of the same rows; the back-office
queue page vs the same raw SQL; person lookups; the monthly billing run vs one raw GROUP BY; dashboards; peak
memory of the server processes. Every measured answer is checked (counts, sums, rows), so a fast wrong answer
fails the run (exit code 1). Prints one table and writes bench/results/<date>-<size>-<engine>[-N].json.

Database: PostgreSQL when DATABASE_URL is set (a separate database <name>_bench_<size> on that server is
created and reused), SQLite otherwise (var/bench/<size>.sqlite3). The dataset is generated once per size and
seed (generate_dataset) and reused by later runs.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = {"small": 20_000, "medium": 1_000_000, "national": 5_000_000, "large": 20_000_000}
SEED = 2026
AS_OF = date(2026, 11, 20)
# The log as the monthly ``pack_audit`` leaves it at AS_OF: the two latest months as rows, the older ones in blocks
# (docs/operations.md, 6b).
PACK_BEFORE = date(AS_OF.year - (AS_OF.month == 1), (AS_OF.month - 2) % 12 + 1, 1)
# Untimed requests per read measurement: each of the server's processes has served it once.
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "20"))

# openIMIS 1.11 on the same kind of machine (gunicorn, one sync worker, 200 k individuals, single client), p95 ms
# (issue #24): what the five peer operations are compared with. Target: each ≥ 10× faster.
PEER_P95_MS = {"create_person": 185, "create_household_of_3": 485, "list_district_20_total": 373,
               "list_village_20_total": 108, "district_surname_prefix": 393}
PEER_MIN_PERSONS = 200_000

TARGETS = {  # issue #9, PostgreSQL, 2 cores, large size; the queue page's tightened by issue #24 (was 30 ms)
    "intake_p95_ms": 50, "intake_per_s": 150, "queue_p95_ms": 15, "rnokpp_p95_ms": 5, "billing_ratio": 1.5,
    "dashboard_p95_ms": 300,
}


def cpu_seconds() -> dict[str, float]:
    """The machine's CPU time so far by kind (Linux /proc/stat), to tell a slow run from a busy or waiting machine:
    iowait is time the cores idled waiting for the disk (commit flushes), steal is time the hypervisor gave away."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    except OSError:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return {n: int(v) / tick for n, v in zip(names, fields, strict=True)}


def cpu_share(before: dict, after: dict) -> dict[str, float]:
    """Share of the machine's CPU time per kind between two readings (busy, iowait, steal, idle)."""
    if not before or not after:
        return {}
    d = {k: after[k] - before[k] for k in before}
    total = sum(d.values()) or 1.0
    busy = d["user"] + d["nice"] + d["system"] + d["irq"] + d["softirq"]
    return {"busy": round(busy / total, 3), "iowait": round(d["iowait"] / total, 3),
            "steal": round(d["steal"] / total, 3), "idle": round(d["idle"] / total, 3)}


def machine_speed(connection) -> dict[str, float]:
    """What this machine does in a fixed time, measured before the server starts, so that runs on different machines
    are compared fairly: the targets are absolute milliseconds, and most of a read's time is Python on one core.
    * python_reference_ms: a fixed pure-Python loop (dicts, strings, integers: the kind of work an ORM and a template
      do), median of 15;
    * sql_round_trip_ms: ``SELECT 1`` on the benchmark's connection, median of 300;
    * commit_ms (PostgreSQL): a transaction that writes its commit record and waits for the disk's flush, median of
      100 — what every audited request pays once."""
    def reference():
        rows = [{"id": i, "name": f"row {i}", "status": "submitted" if i % 3 else "draft"} for i in range(20_000)]
        return sum(len(r["name"]) + r["id"] for r in rows if r["status"] == "submitted")

    def median_ms(fn, n):
        return round(statistics.median(timed(fn, n)), 3)

    speed = {"python_reference_ms": median_ms(reference, 15)}
    with connection.cursor() as cur:
        speed["sql_round_trip_ms"] = median_ms(lambda: cur.execute("SELECT 1"), 300)
        if connection.vendor == "postgresql":
            # A row in a logged table of the probe's own (a commit that wrote nothing to the log is not flushed).
            cur.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (n integer)")
            speed["commit_ms"] = median_ms(lambda: cur.execute("INSERT INTO bench_commit_probe VALUES (1)"), 100)
            cur.execute("DROP TABLE bench_commit_probe")
    return speed


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# --- database and dataset ------------------------------------------------------------------------------------
def database_url(size: str) -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        path = ROOT / "var" / "bench" / f"{size}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    parts = urllib.parse.urlsplit(base)
    name = parts.path.lstrip("/") or "hromada"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_bench_{size}"))


def ensure_pg_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts.path.lstrip("/"),)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')


def server_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DATABASE_URL=url, DEBUG="0", HROMADA_HTTPS="0",
               ALLOWED_HOSTS="127.0.0.1,localhost", WHITENOISE_USE_FINDERS="1", HROMADA_REQUIRE_2FA="0",
               HROMADA_VAR_DIR=str(ROOT / "var" / "bench"), LOG_LEVEL="WARNING", AXES_FAILURE_LIMIT="1000",
               API_TOKEN_TTL_HOURS="24")  # noqa: S106 (a number of hours, not a password)
    if redis_answers():
        # As in production: receipts and notifications go to a Celery worker, not into the request, and the cache is
        # shared by the server's processes (Redis), so a token is checked by the cache, not the database; the read
        # limits count across the processes. A database of its own, emptied first: no state of an earlier run.
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/7"
        env["REDIS_URL"] = "redis://127.0.0.1:6379/8"
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    return env


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def manage(env, *args, quiet=True):
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
                          capture_output=quiet, timeout=6 * 3600)
    if proc.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def applications_held(url: str) -> int:
    """How many applications the benchmark's database holds (its tables exist: ``migrate`` ran first)."""
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM applications_application").fetchone()[0]
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return conn.execute("SELECT count(*) FROM applications_application").fetchone()[0]
    finally:
        conn.close()


def prepare(size: str, env: dict) -> dict:
    marker = ROOT / "var" / "bench" / f"{size}-{'pg' if env['DATABASE_URL'].startswith('postgres') else 'sqlite'}.json"
    wanted = {"size": size, "applications": SIZES[size], "seed": SEED, "as_of": AS_OF.isoformat()}
    manage(env, "migrate", "--no-input", "-v", "0")  # a dataset from an earlier run gets newer migrations
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return {**wanted, "audit_packed": pack(env)}
    # The marker lives in this checkout, the dataset in the database: another checkout (a worktree, a fresh clone)
    # finds the database already filled and must not generate a second dataset on top of it.
    held = applications_held(env["DATABASE_URL"])
    if SIZES[size] <= held <= SIZES[size] * 1.1:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(wanted))
        return {**wanted, "audit_packed": pack(env)}
    if held:
        raise SystemExit(f"the database already holds {held:,} applications, not a {size} dataset of "
                         f"{SIZES[size]:,} (with the runs' intakes): drop it, and the next run generates it anew")
    t0 = time.monotonic()
    manage(env, "import_katottg", "--no-progress", "-v", "0")
    manage(env, "seed_demo", "-v", "0")
    print(f"generating {SIZES[size]:,} applications…", flush=True)
    manage(env, "generate_dataset", "--applications", str(SIZES[size]), "--seed", str(SEED), "--as-of",
           AS_OF.isoformat(), quiet=False)
    wanted["generate_seconds"] = round(time.monotonic() - t0, 1)
    marker.write_text(json.dumps({k: v for k, v in wanted.items() if k != "generate_seconds"}))
    return {**wanted, "audit_packed": pack(env)}


def pack(env: dict) -> dict:
    """The older months of the generated log packed, as the monthly job would have (a reused dataset packed before
    finds nothing new)."""
    t0 = time.monotonic()
    said = manage(env, "pack_audit", "--before", f"{PACK_BEFORE:%Y-%m}").strip()
    print(said, flush=True)
    return {"before": PACK_BEFORE.isoformat(), "seconds": round(time.monotonic() - t0, 1), "said": said}


# --- the server ------------------------------------------------------------------------------------------------
class Server:
    def __init__(self, env, workers: int | None = None, threads: int = 2, celery: bool = True):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = env
        self.workers = workers or 2 * (os.cpu_count() or 2) + 1
        # threads=1: gunicorn's sync worker (one request at a time per process), as the peer was measured.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "hromada.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers),
             "--threads", str(threads), "--timeout", "600", "--keep-alive", "30", "--log-level", "warning"], cwd=ROOT,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.worker = None
        if celery and env.get("CELERY_BROKER_URL"):
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "hromada", "worker", "-c", "1", "--loglevel", "warning",
                 "-n", f"bench-{self.port}@%h"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.peak_rss_mb = 0.0
        self._stop = threading.Event()
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        threading.Thread(target=self._watch_memory, daemon=True).start()

    def _pids(self):
        pids = [self.proc.pid]
        try:
            out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
            pids += [int(p) for p in out.split()]
        except OSError:
            pass
        return pids

    def _watch_memory(self):
        while not self._stop.is_set():
            total = 0
            for pid in self._pids():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) / 1024
                except OSError:
                    pass
            self.peak_rss_mb = max(self.peak_rss_mb, total)
            time.sleep(0.5)

    def drain(self, timeout: float = 600) -> float:
        """Wait until the Celery worker has done the receipts the intakes queued, so that it does not compete
        with the read measurements for the same cores; returns the seconds waited."""
        if self.worker is None:
            return 0.0
        import redis

        queue = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if not queue.llen("celery") and not queue.hlen("unacked"):
                break
            time.sleep(0.5)
        time.sleep(1)  # the last task finishing
        return time.monotonic() - t0

    def stop(self):
        self._stop.set()
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(20)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class Client:
    """A keep-alive HTTP client with a bearer token or a session cookie."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {}
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        h = {**self.headers, **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection before reading this request: open a new one.
            self.conn.close()
            t0 = time.perf_counter()
            self.conn.request(method, path, body=body, headers=h)
        res = self.conn.getresponse()
        data = res.read()
        ms = (time.perf_counter() - t0) * 1000
        self.last_headers = {key.lower(): value for key, value in res.getheaders()}
        for key, value in res.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return res.status, data, ms

    def json(self, method, path, payload=None, headers=None):
        body = json.dumps(payload).encode() if payload is not None else None
        status, data, ms = self.request(method, path, body, {"Content-Type": "application/json", **(headers or {})})
        try:
            return status, json.loads(data or b"null"), ms
        except ValueError:
            return status, data, ms

    def json_with_headers(self, method, path, payload=None, headers=None):
        status, body, ms = self.json(method, path, payload, headers)
        return status, body, ms, self.last_headers

    def token(self, username, password):
        status, body, _ = self.json("POST", "/api/v1/auth/token", {"username": username, "password": password})
        if status != 200:
            raise SystemExit(f"no token for {username}: {status} {body}")
        self.headers["Authorization"] = f"Bearer {body['token']}"
        return self

    def login(self, username, password):
        status, data, _ = self.request("GET", "/accounts/login/")
        self.request("POST", "/accounts/login/", urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/accounts/login/"})
        if "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for {username}")
        return self


def png_bytes(seed: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (seed % 255, (seed // 255) % 255, 77)).save(buf, "PNG")
    return buf.getvalue()


def multipart(fields: dict, file_field: str | None = None, filename: str = "", content: bytes = b"",
              ctype: str = "", files: list[tuple[str, str, bytes, str]] | None = None):
    """A multipart/form-data body: fields, then one file (file_field…) and/or several (files)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode())
        out.write(str(v).encode() + b"\r\n")
    for field, name, data, kind in ([(file_field, filename, content, ctype)] if file_field else []) + (files or []):
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                  f"Content-Type: {kind}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- measurements ------------------------------------------------------------------------------------------------
class Intake:
    """register person + create application + attach 3 documents + submit, as a front office does."""
    DOCS = ("application_form", "identity_document", "child_birth_certificate")

    def __init__(self, port, username, password, serial_base):
        from hromada.accounts.models import User

        self.client = Client(port).token(username, password)
        self.serial = serial_base
        # The one-request flow names the case's author and desk (offline intake refuses a case without them).
        self.author_id, self.desk_id = User.objects.values_list("id", "office_id").get(username=username)

    def identity(self) -> tuple[date, str, str]:
        """A distinct resident per serial: 25,000 birth dates × 5,000 РНОКПП serials, so clients (whose serials
        are a million apart) and repeated runs do not collide."""
        from hromada.demo.dataset import make_rnokpp

        birth = date(1940, 1, 1) + timedelta(days=self.serial % 25000)
        sex = "F" if self.serial % 2 else "M"
        return birth, sex, make_rnokpp(birth, sex, (self.serial // 25000) * 5 + self.serial % 5)

    def one(self):
        for _attempt in range(5):
            self.serial += 1
            birth, sex, rnokpp = self.identity()
            t0 = time.perf_counter()
            status, person, _ = self.client.json("POST", "/api/v1/persons", {
                "last_name": "Бенчмарк", "first_name": "Олена" if sex == "F" else "Олег", "patronymic": "Тестівна",
                "birth_date": birth.isoformat(), "sex": sex, "rnokpp": rnokpp, "confirm_not_duplicate": True,
                "id_document": {"type": "id_card", "number": f"{self.serial:09d}"[-9:]}, "is_idp": False})
            if status != 409:  # 409: this number is held by a resident from an earlier run; take the next one
                break
        if status != 201:
            raise RuntimeError(f"person: {status} {person}")
        status, app, _ = self.client.json("POST", "/api/v1/applications", {
            "service_code": "birth_assistance", "applicant_id": person["id"], "member_ids": [], "channel": "in_person"})
        if status != 201:
            raise RuntimeError(f"application: {status} {app}")
        for i, code in enumerate(self.DOCS):
            body, ctype = multipart({"document_code": code}, "file", f"{code}.png", png_bytes(self.serial * 3 + i),
                                    "image/png")
            status, data, _ = self.client.request("POST", f"/api/v1/applications/{app['id']}/documents", body,
                                                  {"Content-Type": ctype})
            if status != 201:
                raise RuntimeError(f"document: {status} {data[:300]}")
        status, sub, _ = self.client.json("POST", f"/api/v1/applications/{app['id']}/submit", {},
                                          {"Idempotency-Key": f"bench-{app['id']}"})
        if status != 200 or sub.get("status") != "submitted":
            raise RuntimeError(f"submit: {status} {sub}")
        return (time.perf_counter() - t0) * 1000, app["id"]

    def one_request(self):
        """The same intake as ONE request: the offline-sync endpoint (person, application, 3 scans, submit in one
        transaction, exactly once per client_key) that desks working without a connection and integrated
        systems use."""
        for _attempt in range(5):
            self.serial += 1
            birth, sex, rnokpp = self.identity()
            payload = {"service_code": "birth_assistance", "channel": "in_person", "person": {
                "last_name": "Бенчмарк", "first_name": "Олена" if sex == "F" else "Олег", "patronymic": "Тестівна",
                "birth_date": birth.isoformat(), "sex": sex, "rnokpp": rnokpp,
                "id_document": {"type": "id_card", "number": f"{self.serial:09d}"[-9:]}, "is_idp": False}}
            files = [(f"file:{code}", f"{code}.png", png_bytes(self.serial * 3 + i), "image/png")
                     for i, code in enumerate(self.DOCS)]
            # Bench residents share a name and birth dates repeat: the specialist has compared and confirms.
            body, ctype = multipart({"client_key": f"bench-{uuid.uuid4().hex}", "payload": json.dumps(payload),
                                     "confirm_not_duplicate": "1", "author_id": str(self.author_id),
                                     "desk_id": str(self.desk_id)}, files=files)
            t0 = time.perf_counter()
            status, data, _ = self.client.request("POST", "/api/v1/offline/intake", body, {"Content-Type": ctype})
            ms = (time.perf_counter() - t0) * 1000
            if status != 409:  # a number held by a resident from an earlier run: take the next one
                break
        result = json.loads(data) if status == 200 else None
        if not result or result.get("status") != "submitted":
            raise RuntimeError(f"one-request intake: {status} {data[:600].decode(errors='replace')}")
        return ms, result["id"]


def raw_insert_rate(n: int) -> float:
    """The same rows an intake writes (person, application with its history and its applicant, her person access, 3
    documents), by raw SQL in one transaction each, on one connection: what the database itself can do."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hromada.applications.checkcode import new_check_code
    from hromada.applications.models import HISTORY, Application, Document
    from hromada.audit.models import AuditEntry
    from hromada.catalog.models import ServiceType
    from hromada.offices.models import Office
    from hromada.persons.models import Person, PersonAccess

    office = Office.objects.filter(function="front").order_by("id").first()
    service = ServiceType.objects.get(code="birth_assistance")
    user_id = office.staff.values_list("id", flat=True).first()
    q = connection.ops.quote_name
    t = {m: q(m._meta.db_table) for m in (Person, Application, PersonAccess, Document, AuditEntry)}

    png_code = Document._meta.get_field("content_type").get_prep_value("image/png")   # a word code (0021)
    raw_name_key = Person._meta.get_field("name_key").get_prep_value("сировий рядок")   # packed (persons 0011)
    # The numbers start with a letter: no generated person's (digits only) nor an earlier run's (another offset).
    offset = uuid.uuid4().int % 10**8
    started = time.perf_counter()
    now = timezone.now()
    # The case's history as the engine writes it into the row (create, then submit; docs/decisions/0004).
    history = HISTORY.append(HISTORY.append(b"", action="create", from_status="draft", to_status="draft",
                                            actor_id=user_id, at=now),
                             action="submit", from_status="draft", to_status="submitted", actor_id=user_id, at=now)
    with connection.cursor() as cur:
        for i in range(n):
            with transaction.atomic():
                cur.execute(f"INSERT INTO {t[Person]} (last_name, first_name, patronymic, birth_date, sex, rnokpp, "
                            "no_rnokpp_reason, id_document_type, id_document_number, name_key, street, house, flat, phone, "
                            "email, is_idp, registered_hromada_id, registered_by_id, created_at, updated_at, version) "
                            "VALUES (%s,%s,%s,%s,%s,%s,'','id_card',%s,%s,'','','','','',%s,%s,%s,%s,%s,1)",
                            ["Сировий", "Рядок", "", date(1970, 1, 1), "F", f"x{(offset + i) % 10**9:09d}",
                             f"X{(offset + i) % 10**8:08d}", raw_name_key, False, office.hromada_id, user_id, now, now])
                person_id = cur.lastrowid if connection.vendor == "sqlite" else None
                if person_id is None:
                    cur.execute("SELECT lastval()")
                    person_id = cur.fetchone()[0]
                cur.execute(f"INSERT INTO {t[Application]} (number, service_id, status, channel, front_office_id, "
                            "hromada_id, registered_by_id, registered_at, application_date, handover_late, returned_days, "
                            "return_count, "
                            "draft_data, version, updated_at, first_submitted_at, submitted_at, due_date, back_office_id, "
                            "issue_method, contact_phone, contact_email, note, check_code, status_checks, history, "
                            "applicant_person_id) "
                            "VALUES (%s,%s,'submitted','in_person',%s,%s,%s,%s,%s,false,0,0,'{}',2,%s,%s,%s,%s,NULL,"
                            "'','','','',%s,0,%s,%s)",
                            [f"RAW-{offset}-{i}", service.id, office.id, office.hromada_id, user_id, now, now.date(), now,
                             now, now, now.date(), new_check_code(), history, person_id])
                app_id = cur.lastrowid if connection.vendor == "sqlite" else None
                if app_id is None:
                    cur.execute("SELECT lastval()")
                    app_id = cur.fetchone()[0]
                cur.execute(f"INSERT INTO {t[PersonAccess]} (person_id, hromada_id) VALUES (%s,%s)",
                            [person_id, office.hromada_id])
                for d in range(3):
                    cur.execute(f"INSERT INTO {t[Document]} (application_id, requirement_code, file, original_name, "
                                "content_type, size, pages, sha256, uploaded_by_id, uploaded_at, late) "
                                "VALUES (%s,%s,%s,'x.png',%s,1000,1,%s,%s,%s,false)",
                                [app_id, f"doc{d}", f"raw/{offset}/{i}/{d}", png_code,
                                 hashlib.sha256(f"{offset}:{i}:{d}".encode()).digest(), user_id, now])
    elapsed = time.perf_counter() - started
    # Leave no trace: the benchmark must not change the dataset it measures (the ORM knows every relation).
    with transaction.atomic():
        Application.objects.filter(number__startswith="RAW-").delete()  # this run's and any crashed run's
        Person.objects.filter(last_name="Сировий", first_name="Рядок", participations__isnull=True).delete()
    return n / elapsed


# --- #24: the peer's five operations, round trips per intake, bytes per application ------------------------
def peer_operations(env, n: int, checks: list) -> dict:
    """The five operations openIMIS was measured on, over HTTP against gunicorn with ONE sync worker, single
    client, p95 — as the peer ran. A front desk of the hromada with the most residents acts; its raion and its
    most populated settlement are the "district" and the "village"."""
    from django.db.models import Count, Q

    from hromada.accounts.models import User
    from hromada.audit.services import READ_LIMIT
    from hromada.persons.models import RESIDENCE_CATEGORIES, Person
    from hromada.territory.models import Unit

    persons = Person.objects.count()
    top = (Person.objects.exclude(settlement=None).values("registered_hromada_id").order_by()
           .annotate(n=Count("id")).order_by("-n").first())
    if top is None:
        return {"skipped": "no residents with an address"}
    hromada = Unit.objects.select_related("raion").get(pk=top["registered_hromada_id"])
    village = (Person.objects.filter(registered_hromada=hromada).exclude(settlement=None).values("settlement_id")
               .order_by().annotate(n=Count("id")).order_by("-n").first())
    village_code = Unit.objects.get(pk=village["settlement_id"]).code
    # The residents the bench registers live outside the raion it lists: otherwise every run would grow the very
    # district and village it measures (by ~480 residents a run), and runs on one database would not compare.
    elsewhere_code = (Unit.objects.filter(category__in=RESIDENCE_CATEGORIES).exclude(raion_id=hromada.raion_id)
                      .exclude(raion=None).order_by("code").values_list("code", flat=True).first())
    desk = list(User.objects.filter(role="front_specialist", office__hromada=hromada, is_active=True).order_by("id"))
    if not desk:
        return {"skipped": "no front desk in the busiest hromada"}
    surnames = list(Person.objects.filter(registered_hromada=hromada).exclude(last_name="Бенчмарк")
                    .values_list("last_name", flat=True).distinct()[:50])
    server = Server(env, workers=1, threads=1, celery=False)
    try:
        per_user = READ_LIMIT[0] * 4 // 5
        apis = [Client(server.port).token(u.username, "dataset12345") for u in desk[:max(1, -(-3 * n // per_user))]]
        serial = 40_000_000 + random.randint(0, 10**5) * 10
        timings: dict[str, list[float]] = {k: [] for k in PEER_P95_MS}
        totals: dict[str, set] = {"list_district_20_total": set(), "list_village_20_total": set()}
        ok = {k: 0 for k in PEER_P95_MS}
        refused: dict[str, list] = {k: [] for k in PEER_P95_MS}   # the first few answers that were not right

        def note(name, status, body):
            if len(refused[name]) < 5:
                refused[name].append([status, body.get("code") if isinstance(body, dict) else None,
                                      str(body.get("message", ""))[:120] if isinstance(body, dict) else ""])

        def resident(i):
            # Named as residents are (the dataset's names), not all alike: a single name would put every run's
            # registrations side by side in the name order the lists walk (~480 a run ahead of a district's first
            # page, 5 December).
            from hromada.demo.dataset import FIRST_F, FIRST_M, LAST_M, make_rnokpp, patronymic
            birth = date(1950, 1, 1) + timedelta(days=(serial + i) % 20000)
            sex = "F" if i % 2 else "M"
            # A number nobody holds yet (the dataset's residents and earlier runs' take numbers from the same space):
            # a refused duplicate would be measured as a failure of the product.
            for shift in range(1000):
                rnokpp = make_rnokpp(birth, sex, ((serial + i) // 20000 + shift) % 1000 * 5 + i % 5)
                document = f"{(serial + i + shift * 7_919_000) % 10**9:09d}"
                if not Person.objects.filter(Q(rnokpp=rnokpp) | Q(id_document_number=document)).exists():
                    break
            firsts = FIRST_F if sex == "F" else FIRST_M
            return {"last_name": LAST_M[(serial + i) * 7 % len(LAST_M)],
                    "first_name": firsts[(serial + i) // 2 % len(firsts)],
                    "patronymic": patronymic(FIRST_M[(serial + i) * 3 % len(FIRST_M)], sex),
                    "birth_date": birth.isoformat(), "sex": sex, "confirm_not_duplicate": True, "rnokpp": rnokpp,
                    "id_document": {"type": "id_card", "number": document}, "address": {"settlement_code": elsewhere_code}}

        for i in range(WARM_UP + n):
            api = apis[i % len(apis)]
            measured = i >= WARM_UP
            status, body, ms = api.json("POST", "/api/v1/persons", resident(3 * i))
            ok["create_person"] += measured and status == 201
            if measured and status != 201:
                note("create_person", status, body)
            status, body, ms2 = api.json("POST", "/api/v1/households", {
                "members": [resident(3 * i + 1), resident(3 * i + 2), resident(3 * i + 3 * n + 3 * WARM_UP)],
                "relations": [{"member_index": 1, "relation": "spouse"}, {"member_index": 2, "relation": "child"}]})
            ok["create_household_of_3"] += measured and status == 201 and len(body.get("ids", [])) == 3
            if measured and status != 201:
                note("create_household_of_3", status, body)
            reads = {
                "list_district_20_total": {"raion": hromada.raion.code, "with_total": 1},
                "list_village_20_total": {"settlement": village_code, "with_total": 1},
                "district_surname_prefix": {"raion": hromada.raion.code, "q": surnames[i % len(surnames)][:3],
                                            "with_total": 1},
            }
            got = {}
            for name, params in reads.items():
                status, body, ms3, headers = api.json_with_headers(
                    "GET", "/api/v1/persons?" + urllib.parse.urlencode(params))
                got[name] = ms3
                good = status == 200 and isinstance(body, list) and len(body) <= 20 and "x-total-count" in headers
                ok[name] += measured and good
                if measured and not good:
                    note(name, status, body)
                if name in totals and good:
                    totals[name].add(headers["x-total-count"])
            if measured:
                timings["create_person"].append(ms)
                timings["create_household_of_3"].append(ms2)
                for name, value in got.items():
                    timings[name].append(value)
    finally:
        server.stop()
    result = {"persons_in_db": persons, "comparable": persons >= PEER_MIN_PERSONS, "server": "gunicorn, 1 sync worker",
              "hromada": hromada.code, "raion": hromada.raion.code, "village": village_code,
              "registered_residents_live_in": elsewhere_code,
              "district_total": sorted(totals["list_district_20_total"]),
              "village_total": sorted(totals["list_village_20_total"]), "operations": {},
              "refused": {k: v for k, v in refused.items() if v}}
    for name, peer in PEER_P95_MS.items():
        p95 = pct(timings[name], 95)
        result["operations"][name] = {"p50_ms": pct(timings[name], 50), "p95_ms": p95, "peer_p95_ms": peer,
                                      "times_faster_than_peer": peer / max(p95, 1e-6), "ok": ok[name], "n": n}
    checks.append(("peer operations: every answer is what the contract says (201 / a page of ≤ 20 and "
                   "X-Total-Count)", all(v == n for v in ok.values()),
                   json.dumps({"ok": ok, "refused": result["refused"]}, ensure_ascii=False)))
    return result


def intake_round_trips(front_username: str) -> dict:
    """Statements one intake sends (in-process, the same code as the server; +1 for the API token's check that the
    HTTP request adds): the one-request flow, counted on a fresh case of the bench database."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hromada.accounts.models import User
    from hromada.core.context import new_request_id, request_id_var
    from hromada.demo.dataset import make_rnokpp
    from hromada.offline.services import sync_offline_case

    # As the server has it: the token check brings the office's hromada (accounts.services.user_for_token) and the
    # request has an id (per-request caches such as the days off are keyed by it).
    actor = User.objects.select_related("office__hromada", "territory").get(username=front_username)
    request_id = request_id_var.set(new_request_id())
    serial = random.randint(0, 4999)
    birth = date(1930, 1, 1) + timedelta(days=random.randint(0, 3000))
    person = {"last_name": "Бенчмарк", "first_name": "Олена", "patronymic": "Тестівна", "birth_date": birth.isoformat(),
              "sex": "F", "rnokpp": make_rnokpp(birth, "F", serial),
              "id_document": {"type": "id_card", "number": f"{random.randint(0, 10**9 - 1):09d}"}}
    files = {code: [SimpleUploadedFile(f"{code}.png", png_bytes(random.randint(0, 10**6)), "image/png")]
             for code in Intake.DOCS}
    with CaptureQueriesContext(connection) as ctx:
        result = sync_offline_case(actor=actor, client_key=f"rt-{uuid.uuid4().hex}", files=files,
                                   payload={"service_code": "birth_assistance", "channel": "in_person",
                                            "person": person}, confirm_not_duplicate=True,
                                   author_id=actor.pk, desk_id=actor.office_id)
    request_id_var.reset(request_id)
    # The intake's own transaction (the receipt is rendered after its COMMIT — by the worker in production, here
    # too when Celery runs eager: not counted). BEGIN/COMMIT are captured by psycopg 3's Django backend.
    sql = [q["sql"] for q in ctx.captured_queries]
    if "COMMIT" in sql:
        sql = sql[:sql.index("COMMIT") + 1]
    transaction_ends = 0 if sql and sql[0].startswith("BEGIN") else 2   # SQLite's is "BEGIN IMMEDIATE"
    # The server's token check: a database statement only with a process-local cache (a shared one — Redis, as the
    # bench's server runs when Redis answers — answers it), as tests/perf/test_write_path.py counts.
    from hromada.accounts.services import _users_cache
    token_check = 1 if _users_cache() is None else 0
    return {"one_request": len(sql) + token_check + transaction_ends,  # (+ BEGIN/COMMIT if not captured)
            "statements_captured": len(sql), "status": result.response.get("status"),
            # PostgreSQL writes them in a WITH … INSERT statement that also moves the chain's head.
            "audit_inserts": sum('INSERT INTO "audit_auditentry"' in s for s in sql),
            "statements": [" ".join(s.split())[:100] for s in sql],
            "savepoints": sum(s.startswith("SAVEPOINT") for s in sql)}


BYTES_TABLES = ("applications_application", "applications_participant", "applications_document",
                "applications_idempotencyrecord", "applications_receipt", "audit_auditentry",
                "audit_auditterm", "audit_auditblock",
                "persons_person", "persons_householdmember", "persons_personlink", "persons_personaccess",
                "backoffice_decision", "backoffice_returnrequest", "notifications_notification")


def bytes_per_application() -> dict:
    """Heap and index bytes of each table per application (PostgreSQL; with TOAST in the heap)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"skipped": "PostgreSQL only (SQLite has no per-table size without the dbstat module)"}
    from hromada.applications.models import Application

    apps = max(Application.objects.count(), 1)
    tables: dict = {}
    with connection.cursor() as cur:
        for table in BYTES_TABLES:
            # Summed over the partitions of a partitioned table (its parent holds no rows); a plain table is its own tree.
            # (pg_partition_tree has no row for a plain table.)
            cur.execute("SELECT coalesce(sum(pg_table_size(r)), 0), coalesce(sum(pg_indexes_size(r)), 0) FROM ("
                        "SELECT relid AS r FROM pg_partition_tree(%s::regclass) WHERE isleaf UNION ALL "
                        "SELECT %s::regclass WHERE NOT EXISTS (SELECT FROM pg_partition_tree(%s::regclass))) leaves",
                        [table, table, table])
            heap, index = (int(v) for v in cur.fetchone())
            tables[table] = {"heap_per_app": heap / apps, "indexes_per_app": index / apps}
        cur.execute("SELECT indexrelname, idx_scan, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                    "WHERE idx_scan = 0 AND schemaname = 'public' ORDER BY pg_relation_size(indexrelid) DESC LIMIT 15")
        unused = [{"index": r[0], "scans": r[1], "bytes": r[2]} for r in cur.fetchall()]
    total = sum(t["heap_per_app"] + t["indexes_per_app"] for t in tables.values())
    return {"applications": apps, "tables": tables, "total_per_app": total, "target_per_app": 2500,
            "never_scanned_indexes": unused}


def timed(fn, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def code_measured() -> dict:
    """Which code the run measures: the commit checked out and the files changed beside it (results not counted);
    read before anything starts, so a figure can be traced to the code that made it."""
    def git(*cmd):
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    try:
        changed = [line[3:] for line in git("status", "--porcelain").splitlines()
                   if not line[3:].startswith("bench/results/")]
        return {"commit": git("rev-parse", "HEAD").strip(), "changed_files": changed}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown (not a git checkout)", "changed_files": []}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--intakes", type=int, default=60, help="single-client intakes")
    parser.add_argument("--seconds", type=float, default=20, help="duration of the concurrent intake run")
    parser.add_argument("--requests", type=int, default=200, help="requests per read measurement")
    parser.add_argument("--peer-requests", type=int, default=100, help="measured requests per peer operation")
    args = parser.parse_args()
    code = code_measured()

    url = database_url(args.size)
    ensure_pg_database(url)
    env = server_env(url)
    os.environ.update(env)
    dataset = prepare(args.size, env)

    import django

    django.setup()
    from django.db import connection

    from hromada.accounts.models import User
    from hromada.applications.models import Application, Document, Status

    engine = connection.vendor
    checks: list[tuple[str, bool, str]] = []
    results: dict = {"size": args.size, "engine": engine, "dataset": dataset,
                     "applications_in_db": Application.objects.count()}

    # Warm the service catalogue caches and find the users the measurements act as.
    generated = User.objects.filter(role="front_specialist", username__regex=r"^f[0-9]+_[0-9]+$")
    front_user = generated.order_by("id").first()
    busiest = (Application.objects.filter(status__in=["submitted", "resubmitted", "in_review"],
                                          back_office__isnull=False)
               .values("back_office_id").order_by().annotate(n=__import__("django.db.models", fromlist=["Count"])
                                                              .Count("id")).order_by("-n").first())
    back_user = User.objects.filter(office_id=busiest["back_office_id"], role="back_specialist",
                                    username__regex=r"^b[0-9]+_[0-9]+$").first()
    results["machine_speed"] = machine_speed(connection)
    print(f"  machine speed: {results['machine_speed']}", flush=True)
    server = Server(env)
    try:
        # 1. intake, one client then many: the interactive flow (6 requests) and the one-request flow
        front_users = list(generated.order_by("id").values_list("username", flat=True)[: args.clients])
        created: list[int] = []
        flows = {}
        cpu_at = cpu_seconds()
        for n_flow, (flow, method) in enumerate((("six_requests", Intake.one), ("one_request", Intake.one_request))):
            base = (10 + 20 * n_flow) * 1_000_000 + random.randint(0, 10**5) * 10
            single = Intake(server.port, front_user.username, "dataset12345", base)
            method(single)  # warm-up
            lat = [method(single) for _ in range(args.intakes)]
            created += [aid for _, aid in lat]
            clients = [Intake(server.port, u, "dataset12345", base + (i + 1) * 1_000_000)
                       for i, u in enumerate(front_users)]
            stop_at = time.monotonic() + args.seconds

            def worker(c, method=method, stop_at=stop_at):
                mine = []
                while time.monotonic() < stop_at:
                    mine.append(method(c))
                return mine

            conc_ms: list[float] = []
            t0 = time.monotonic()
            with ThreadPoolExecutor(len(clients)) as pool:
                for part in pool.map(worker, clients):
                    conc_ms += [ms for ms, _ in part]
                    created += [aid for _, aid in part]
            wall = time.monotonic() - t0
            single_ms = [ms for ms, _ in lat]
            flows[flow] = {"single_p50_ms": pct(single_ms, 50), "single_p95_ms": pct(single_ms, 95),
                           "single_p99_ms": pct(single_ms, 99), "clients": len(clients),
                           "concurrent_p50_ms": pct(conc_ms, 50), "concurrent_p95_ms": pct(conc_ms, 95),
                           "concurrent_p99_ms": pct(conc_ms, 99), "per_second": len(conc_ms) / wall}
        # The worker's receipts of the intakes first: the raw rate is what the database does on a quiet machine. Taken
        # while the worker still rendered, it swung 150–452 a second between two runs on one database (7 December).
        intake_cpu = cpu_share(cpu_at, cpu_seconds())   # the intakes' own window, as before the wait below
        backlog = server.drain()
        raw_rate = raw_insert_rate(max(200, int(max(f["per_second"] for f in flows.values()) * args.seconds)))
        ok = (Application.objects.filter(pk__in=created, status=Status.SUBMITTED).count() == len(created)
              and Document.objects.filter(application_id__in=created).count() == 3 * len(created))
        checks.append(("intake: every measured intake is one submitted application with 3 documents", ok,
                       f"{len(created)} intakes"))
        for f in flows.values():
            f["ratio_to_raw"] = f["per_second"] / raw_rate
        results["intake"] = {**flows["six_requests"], "one_request": flows["one_request"],
                             "raw_sql_per_second": raw_rate, "machine_cpu": intake_cpu}
        print(f"  intake: {json.dumps(results['intake'], default=str)}", flush=True)
        results["intake"]["worker_backlog_seconds"] = backlog
        print(f"  receipts rendered by the worker {results['intake']['worker_backlog_seconds']:.0f} s after the "
              f"intakes ended", flush=True)

        # 2. back-office queue page (filters, due-date order, 50 rows) vs the same raw SQL
        # Steady state, as the targets mean it: the intakes' dirty pages are flushed now (not by a checkpoint in the
        # middle of the reads) and every server process has served each read once (WARM_UP requests, not timed).
        if engine == "postgresql":
            with connection.cursor() as cur:
                cur.execute("CHECKPOINT")
        cpu_at = cpu_seconds()
        back = Client(server.port).login(back_user.username, "dataset12345")
        for _ in range(WARM_UP):
            status, html, _ = back.request("GET", "/back/?status=submitted")
        page_ms = [back.request("GET", "/back/?status=submitted")[2] for _ in range(args.requests)]
        from hromada.backoffice.selectors import queue as queue_selector  # the page's own query

        expected = list(Application.objects.filter(back_office_id=busiest["back_office_id"], status="submitted")
                        .order_by("due_date", "id").values_list("number", flat=True)[:50])
        shown = [n for n in expected if n.encode() in html]
        checks.append(("queue page shows the 50 cases due first", status == 200 and len(shown) == len(expected),
                       f"{len(shown)}/{len(expected)}"))
        sql = ("SELECT a.id, a.number, a.due_date, a.status, a.hromada_id, a.service_id FROM applications_application a "
               "WHERE a.back_office_id = %s AND a.status = 'submitted' ORDER BY a.due_date, a.id LIMIT 50")
        with connection.cursor() as cur:
            def raw_queue():
                cur.execute(sql, [busiest["back_office_id"]])
                cur.fetchall()
            raw_ms = timed(raw_queue, args.requests)
        del queue_selector
        results["queue"] = {"p50_ms": pct(page_ms, 50), "p95_ms": pct(page_ms, 95), "raw_p50_ms": pct(raw_ms, 50),
                            "raw_p95_ms": pct(raw_ms, 95), "ratio_p50": pct(page_ms, 50) / max(pct(raw_ms, 50), 1e-6)}

        # 3. person lookups
        from hromada.audit.services import READ_LIMIT
        from hromada.persons.models import Person

        # Every search is a personal-data read, limited per user (READ_LIMIT, 429 above it): the lookups are
        # shared by the specialists of one front office that the intakes did not use, each below the limit.
        reads = 2 * (WARM_UP + args.requests)
        readers = list(generated.exclude(username__in=front_users).exclude(office_id=front_user.office_id)
                       .order_by("id")[:1].values_list("office_id", flat=True))
        desk = list(generated.filter(office_id=readers[0]).order_by("id").select_related("office"))
        per_user = READ_LIMIT[0] * 4 // 5
        if len(desk) * per_user < reads:
            raise SystemExit(f"person lookups: {reads} reads need more than the {len(desk)} specialists of one desk")
        apis = [Client(server.port).token(u.username, "dataset12345") for u in desk[:-(-reads // per_user)]]
        # Residents of the generated dataset (not the bench's own intakes of earlier runs, who share one name).
        people = list(Person.objects.filter(registered_hromada_id=desk[0].office.hromada_id)
                      .exclude(rnokpp=None).exclude(last_name="Бенчмарк").order_by("id")
                      .values_list("rnokpp", "last_name")[:50])
        rn_ms, fuzzy_ms, found = [], [], 0
        for i in range(WARM_UP):
            rnokpp, last = people[i % len(people)]
            api = apis[i % len(apis)]
            api.json("GET", f"/api/v1/persons?rnokpp={rnokpp}")
            api.json("GET", "/api/v1/persons?" + urllib.parse.urlencode({"q": last}))
        for i in range(args.requests):
            rnokpp, last = people[i % len(people)]
            api = apis[i % len(apis)]
            status, body, ms = api.json("GET", f"/api/v1/persons?rnokpp={rnokpp}")
            rn_ms.append(ms)
            found += int(status == 200 and len(body) == 1 and body[0].get("rnokpp", "").endswith(rnokpp[-4:]))
            typo = last[:-2] + last[-1] if len(last) > 4 else last
            status, body, ms = api.json("GET", "/api/v1/persons?" + urllib.parse.urlencode({"q": typo}))
            fuzzy_ms.append(ms)
        checks.append(("РНОКПП lookup finds exactly the person", found == args.requests, f"{found}/{args.requests}"))
        results["lookup"] = {"rnokpp_p95_ms": pct(rn_ms, 95), "fuzzy_p95_ms": pct(fuzzy_ms, 95),
                             "rnokpp_p50_ms": pct(rn_ms, 50), "fuzzy_p50_ms": pct(fuzzy_ms, 50)}
        results["reads_machine_cpu"] = cpu_share(cpu_at, cpu_seconds())
        print(f"  queue: {results['queue']}\n  lookup: {results['lookup']}", flush=True)

        # 4. monthly billing run over all hromadas vs one raw GROUP BY
        from hromada.billing import selectors as billing_selectors
        from hromada.billing import services as billing_services
        from hromada.billing.models import Tariff

        ministry = User.objects.get(username="ministry_demo")
        month = (AS_OF.replace(day=1) - timedelta(days=1))
        period = f"{month:%Y-%m}"
        if not Tariff.objects.exists():
            raise SystemExit("no tariff: seed_demo should have set the illustrative one")
        start = datetime(month.year, month.month, 1).astimezone()
        end = (start + timedelta(days=32)).replace(day=1)
        from hromada.billing.tests.test_sql_agreement import raw_sql_totals  # the rule in one independent SQL

        def bare_count():
            with connection.cursor() as cur:
                cur.execute("SELECT hromada_id, service_id, COUNT(*) FROM applications_application "
                            "WHERE first_submitted_at >= %s AND first_submitted_at < %s "
                            "GROUP BY hromada_id, service_id", [start, end])
                return cur.fetchall()

        # A run from nothing first: the month's items and lines emptied (the bench's own reset of an open month), so
        # every item is written — the month's first run. The rounds after it run over the same data again, which
        # writes only the difference (nothing): both are recorded.
        from hromada.billing.models import BillingItem, BillingLine

        # The rule's rows read once first (not timed), as each round after it finds them: the run from nothing is
        # compared with the raw rule's warm rounds, and the reads before this part touched other pages.
        raw_sql_totals(month.year, month.month)
        BillingLine.objects.filter(period__year=month.year, period__month=month.month).delete()
        BillingItem.objects.filter(period__year=month.year, period__month=month.month).delete()
        if connection.vendor == "postgresql":
            # A month's first run meets no dead versions of its own items' keys (its runs again write only the
            # difference): the reset's dead rows would have each insert check them.
            with connection.cursor() as cur:
                cur.execute("VACUUM (ANALYZE) billing_billingitem, billing_billingline")
        t0 = time.perf_counter()
        billing_services.run_billing_period(actor=ministry, period=period)
        first_run_s = time.perf_counter() - t0
        # Three rounds, alternating, medians compared: whichever ran first would otherwise warm the cache for the
        # other. The run is idempotent (it replaces the open period's lines).
        billing_times, raw_rule_times, raw_times = [], [], []
        for _ in range(3):
            t0 = time.perf_counter()
            billing_services.run_billing_period(actor=ministry, period=period)
            billing_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            expected_totals = raw_sql_totals(month.year, month.month)
            raw_rule_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            raw_rows = bare_count()
            raw_times.append(time.perf_counter() - t0)
        billing_s, raw_rule_s, raw_s = (statistics.median(x) for x in (billing_times, raw_rule_times, raw_times))
        billed = billing_selectors.amounts_by_hromada(month.year, month.month)
        agree = billed == {h: a for h, (_c, a) in expected_totals.items()}
        checks.append(("billing amounts agree to the kopiyka with the rule in raw SQL", agree,
                       f"{len(billed)} hromadas, {sum(billed.values())} UAH"))
        results["billing"] = {"period": period, "seconds": billing_s, "raw_group_by_seconds": raw_s,
                              "ratio": billing_s / max(raw_s, 1e-6), "raw_groups": len(raw_rows),
                              "raw_rule_seconds": raw_rule_s, "ratio_to_raw_rule": billing_s / max(raw_rule_s, 1e-6),
                              "first_run_seconds": first_run_s,
                              "first_run_ratio_to_raw_rule": first_run_s / max(raw_rule_s, 1e-6),
                              "rounds": {"run": billing_times, "raw_rule": raw_rule_times, "bare_count": raw_times}}
        print(f"  billing: {results['billing']}", flush=True)

        # 5. dashboards
        from hromada.monitoring import services as monitoring_services

        # After a bulk load the aggregates are built as `manage.py refresh_indicators --all` (or the nightly beat)
        # would; a dashboard view only rebuilds the running month when it is stale.
        t0 = time.perf_counter()
        monitoring_services.refresh_all()
        results["aggregates_refresh_all_seconds"] = time.perf_counter() - t0
        print(f"  aggregates rebuilt in {results['aggregates_refresh_all_seconds']:.1f} s", flush=True)
        ministry_c = Client(server.port).login("ministry_demo", "demo12345")
        oblast_c = Client(server.port).login("oblast_demo", "demo12345")
        # First views may build aggregates a page finds missing (e.g. older months of the time series): timed
        # separately, the steady state is what the target is about.
        t0 = time.perf_counter()
        ministry_c.request("GET", "/monitoring/")
        oblast_c.request("GET", "/monitoring/oblast/UA18000000000041385/")
        results["dashboard_first_view_seconds"] = time.perf_counter() - t0
        nat = [ministry_c.request("GET", "/monitoring/")[2] for _ in range(max(20, args.requests // 4))]
        obl_status, _, _ = oblast_c.request("GET", "/monitoring/oblast/UA18000000000041385/")
        obl = [oblast_c.request("GET", "/monitoring/oblast/UA18000000000041385/")[2]
               for _ in range(max(20, args.requests // 4))]
        checks.append(("oblast dashboard answers for the oblast monitor", obl_status == 200, str(obl_status)))
        results["dashboards"] = {"national_p95_ms": pct(nat, 95), "oblast_p95_ms": pct(obl, 95)}
        results["server_peak_rss_mb"] = server.peak_rss_mb
        results["server_workers"] = server.workers
        results["celery"] = "redis broker, 1 worker" if server.worker else "eager (no broker)"
    finally:
        server.stop()

    # 6. #24: the peer's five operations (one sync worker), round trips per intake, bytes per application
    results["peer"] = peer_operations(env, args.peer_requests, checks)
    print(f"  peer: {json.dumps(results['peer'], default=str)}", flush=True)
    intake_round_trips(front_user.username)   # warm-up: a process's first intake fills its caches
    results["round_trips"] = intake_round_trips(front_user.username)
    checks.append(("round trips: the measured intake was submitted", results["round_trips"]["status"] == "submitted",
                   str(results["round_trips"])))
    results["bytes"] = bytes_per_application()

    results["checks"] = [{"check": c, "ok": ok, "detail": d} for c, ok, d in checks]
    results["code"] = code
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                          "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    if engine == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            results["machine"]["postgresql"] = cur.fetchone()[0]
    print_table(results)
    stem = f"{date.today():%Y-%m-%d}-{args.size}-{engine}"
    out, n = ROOT / "bench" / "results" / f"{stem}.json", 2
    while out.exists():  # a later run the same day is kept beside the earlier one (before/after a change)
        out, n = ROOT / "bench" / "results" / f"{stem}-{n}.json", n + 1
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten: {out.relative_to(ROOT)}")
    if not all(c["ok"] for c in results["checks"]):
        print("CORRECTNESS CHECK FAILED — the figures above are not valid.")
        sys.exit(1)


def print_table(r):
    i, q, lk, b, d = r["intake"], r["queue"], r["lookup"], r["billing"], r["dashboards"]
    o = i["one_request"]
    rows = []
    for label, f in (("intake (6 requests)", i), ("intake (1 request)", o)):
        rows += [
            (f"{label}, 1 client p50/p95/p99",
             f"{f['single_p50_ms']:.0f} / {f['single_p95_ms']:.0f} / {f['single_p99_ms']:.0f} ms",
             f"p95 ≤ {TARGETS['intake_p95_ms']} ms"),
            (f"{label}, {f['clients']} clients p50/p95/p99",
             f"{f['concurrent_p50_ms']:.0f} / {f['concurrent_p95_ms']:.0f} / {f['concurrent_p99_ms']:.0f} ms", ""),
            (f"{label} throughput", f"{f['per_second']:.1f} submitted/s",
             f"≥ {TARGETS['intake_per_s']}/s; {f['ratio_to_raw']:.3f} of raw SQL"),
        ]
    rows += [
        ("raw SQL insert of the same rows", f"{i['raw_sql_per_second']:.1f} intakes/s", "one connection"),
        ("queue page p50/p95", f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} ms", f"p95 ≤ {TARGETS['queue_p95_ms']} ms"),
        ("same raw SQL p50/p95", f"{q['raw_p50_ms']:.2f} / {q['raw_p95_ms']:.2f} ms", f"ratio {q['ratio_p50']:.1f}×"),
        ("РНОКПП lookup p95", f"{lk['rnokpp_p95_ms']:.1f} ms", f"≤ {TARGETS['rnokpp_p95_ms']} ms"),
        ("fuzzy name lookup p95", f"{lk['fuzzy_p95_ms']:.1f} ms", ""),
        (f"billing run {b['period']} again (rounds' median)", f"{b['seconds']:.2f} s",
         f"the rule as one raw SQL GROUP BY {b['raw_rule_seconds']:.2f} s: ratio {b['ratio_to_raw_rule']:.2f}× "
         f"(≤ {TARGETS['billing_ratio']})"),
        *([("billing run from nothing (the month's first)", f"{b['first_run_seconds']:.2f} s",
            f"ratio {b['first_run_ratio_to_raw_rule']:.2f}× to the raw rule (≤ {TARGETS['billing_ratio']})")]
          if "first_run_seconds" in b else []),
        ("bare count GROUP BY of the month", f"{b['raw_group_by_seconds']:.3f} s",
         f"ratio {b['ratio']:.1f}× (no rule: duplicates, withdrawals, tariffs)"),
        ("national / oblast dashboard p95", f"{d['national_p95_ms']:.0f} / {d['oblast_p95_ms']:.0f} ms",
         f"≤ {TARGETS['dashboard_p95_ms']} ms"),
        ("server peak RSS", f"{r['server_peak_rss_mb']:.0f} MB ({r['server_workers']} workers)", ""),
    ]
    for label, share in (("machine during intakes", i.get("machine_cpu")), ("machine during reads",
                                                                              r.get("reads_machine_cpu"))):
        if share:
            rows.append((label, f"busy {share['busy']:.0%}, iowait {share['iowait']:.0%}",
                         f"steal {share['steal']:.0%}, idle {share['idle']:.0%} (noise: compare runs with care)"))
    speed = r.get("machine_speed")
    if speed:
        rows.append(("machine speed",
                     f"Python {speed['python_reference_ms']:.1f} ms; SQL {speed['sql_round_trip_ms']:.3f} ms",
                     (f"commit {speed['commit_ms']:.2f} ms; " if "commit_ms" in speed else "")
                     + "a fixed loop and round trips: compare runs at like figures only"))
    peer = r.get("peer") or {}
    for name, op in (peer.get("operations") or {}).items():
        rows.append((f"peer op: {name.replace('_', ' ')} p95", f"{op['p95_ms']:.1f} ms",
                     f"openIMIS {op['peer_p95_ms']} ms: {op['times_faster_than_peer']:.1f}× faster (target ≥ 10×)"
                     + ("" if peer.get("comparable") else f"; only {peer['persons_in_db']:,} persons (< 200 k)")))
    rt = r.get("round_trips") or {}
    if rt:
        rows.append(("round trips per intake (1 request)", f"{rt['one_request']}",
                     f"≤ 20 (audit INSERTs {rt['audit_inserts']}, savepoints {rt['savepoints']})"))
    by = r.get("bytes") or {}
    if "total_per_app" in by:
        rows.append(("bytes per application (with audit)", f"{by['total_per_app']:.0f} B", "≤ 2,500 B"))
        for table, t in sorted(by["tables"].items(), key=lambda kv: -(kv[1]["heap_per_app"] + kv[1]["indexes_per_app"])):
            rows.append((f"  {table}", f"{t['heap_per_app']:.0f} + {t['indexes_per_app']:.0f} B", "heap + indexes"))
    print(f"\nHromada bench — size {r['size']} ({r['applications_in_db']:,} applications), engine {r['engine']}")
    code = r.get("code", {})
    print(f"  code: {code.get('commit', '?')}"
          + (f" with {len(code['changed_files'])} changed file(s)" if code.get("changed_files") else ""))
    w1 = max(len(x[0]) for x in rows)
    w2 = max(len(x[1]) for x in rows)
    for name, value, target in rows:
        print(f"  {name.ljust(w1)}  {value.ljust(w2)}  {target}")
    print("\n  correctness:")
    for c in r["checks"]:
        print(f"   [{'ok' if c['ok'] else 'FAIL'}] {c['check']} ({c['detail']})")


if __name__ == "__main__":
    main()
