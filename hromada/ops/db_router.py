"""Send reads that tolerate replica lag (monitoring dashboards, their exports, reports) to a PostgreSQL replica.

Installed only when DATABASE_REPLICA_URL is set (settings then adds the "replica" alias, this router and
``ReplicaFallbackMiddleware``). Reads go to the replica for models of HROMADA_REPLICA_APPS (default: monitoring —
the dashboards, the national one included, and their CSV/XLSX exports read only its aggregate tables) and for any
model inside ``with replica_reads():``. Every write, and every read inside a transaction, stays on "default": case
work must read its own writes.

Bounded lag: the replica is used only while it answers and is at most HROMADA_REPLICA_MAX_LAG_SECONDS behind the
primary (asked at most every HROMADA_REPLICA_CHECK_SECONDS per process); otherwise reads go to the primary until
it has caught up. A read that fails on the replica between two checks is read again from the primary (the
middleware below). Each response that made such a read says where it came from in ``X-Hromada-Read-From``
(``replica`` or ``primary``), so operators and the cluster test can see which server answered.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.utils.connection import ConnectionDoesNotExist

REPLICA = "replica"
HEADER = "X-Hromada-Read-From"
log = logging.getLogger(__name__)
_replica_reads: ContextVar[bool] = ContextVar("hromada_replica_reads", default=False)
# Which server this request's replica-eligible reads went to: None (none made), "replica" or "primary".
_read_from: ContextVar[str | None] = ContextVar("hromada_read_from", default=None)

# Receive and replay positions equal while streaming: nothing to replay, whatever the last commit's age (an idle
# primary makes no commits). Otherwise: how old the last replayed commit is. NULL: not a replica at all.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN NULL
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@contextmanager
def replica_reads():
    """Reads in this block may come from the replica (no effect without a replica)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class _Health:
    """The replica's last known state in this process (shared by its threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.usable = False
        self.lag: float | None = None

    def reset(self) -> None:
        with self.lock:
            self.checked_at, self.usable, self.lag = float("-inf"), False, None


health = _Health()


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary; None when it does not answer (or is not a replica)."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return 0.0  # a test double of the replica (SQLite): no replication to lag behind
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        connection.close()
        return None
    return None if row is None or row[0] is None else float(row[0])


def replica_usable(*, force: bool = False) -> bool:
    now = time.monotonic()
    if not force and now - health.checked_at < settings.HROMADA_REPLICA_CHECK_SECONDS:
        return health.usable
    with health.lock:
        if not force and now - health.checked_at < settings.HROMADA_REPLICA_CHECK_SECONDS:
            return health.usable
        lag = replica_lag()
        usable = lag is not None and lag <= settings.HROMADA_REPLICA_MAX_LAG_SECONDS
        if usable != health.usable:
            log.warning("replica %s (lag %s s, limit %s s)", "in use" if usable else "not used: reads go to the primary",
                        "down" if lag is None else f"{lag:.1f}", settings.HROMADA_REPLICA_MAX_LAG_SECONDS)
        health.checked_at, health.usable, health.lag = time.monotonic(), usable, lag
        return usable


def mark_replica_down() -> None:
    """A read failed on the replica: the primary serves until the next check finds it well again."""
    with health.lock:
        health.checked_at, health.usable, health.lag = time.monotonic(), False, None
    # Already broken (Django opens a new one next time), or no such alias: nothing to close.
    with suppress(DatabaseError, ConnectionDoesNotExist):
        connections[REPLICA].close()


def read_from() -> str | None:
    return _read_from.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or connections["default"].in_atomic_block:
            return None
        if _replica_reads.get() or model._meta.app_label in settings.HROMADA_REPLICA_APPS:
            if replica_usable():
                _read_from.set("replica")
                return REPLICA
            if _read_from.get() is None:
                _read_from.set("primary")
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (streaming replication).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaFallbackMiddleware:
    """When a GET or HEAD failed because the replica went away since the last check, marks it down and runs the
    view again: its reads then come from the primary (the last middleware, so it sees the view's exception
    first). Says which server answered in ``X-Hromada-Read-From``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _read_from.set(None)
        try:
            response = self.get_response(request)
            source = _read_from.get()
        finally:
            _read_from.reset(token)
        if source is not None:
            response[HEADER] = source
        return response

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        if (not isinstance(exception, OperationalError) or _read_from.get() != "replica"
                or request.method not in ("GET", "HEAD") or match is None):
            return None
        log.warning("a read failed on the replica: read again from the primary")
        mark_replica_down()
        _read_from.set(None)
        return match.func(request, *match.args, **match.kwargs)
