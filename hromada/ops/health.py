"""Readiness: is this process able to serve? Database, migrations, broker, storage.

Used by /readyz (load balancers, orchestrators) and `manage.py check_stack` (operators).
Each check answers quickly (short timeouts) and never raises.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from kombu import Connection

TIMEOUT_SECONDS = 3


@dataclass
class Check:
    name: str
    ok: bool
    ms: float
    detail: str = ""


def _short(exc: BaseException) -> str:
    # The class and the first line only: enough for an operator, no connection strings or stack.
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connections[DEFAULT_DB_ALIAS].vendor


_migrations_applied = False


def check_migrations() -> str:
    """Unapplied migrations mean old code on a new schema or the reverse. Once all are applied in this
    process it stays so (new migrations come with new code, i.e. a new process), so the graph is loaded once."""
    global _migrations_applied
    if _migrations_applied:
        return "all applied"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        raise RuntimeError(f"{len(plan)} unapplied: {names}")
    _migrations_applied = True
    return "all applied"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured (tasks run in the web process)"
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return "redis"
    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"


def check_storage() -> str:
    """Write and delete a small probe object on the default (media) storage."""
    name = default_storage.save(f"readyz/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("probe object not found after writing")
    finally:
        default_storage.delete(name)
    return default_storage.__class__.__name__


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks() -> list[Check]:
    results = []
    for name, func in CHECKS.items():
        begun = time.perf_counter()
        try:
            detail, ok = func(), True
        except Exception as exc:  # a readiness check reports, never raises
            detail, ok = _short(exc), False
        results.append(Check(name, ok, round((time.perf_counter() - begun) * 1000, 1), detail))
    return results


def readiness() -> dict:
    checks = run_checks()
    return {"status": "ready" if all(c.ok for c in checks) else "not_ready",
            "checks": {c.name: {k: v for k, v in asdict(c).items() if k != "name"} for c in checks}}
