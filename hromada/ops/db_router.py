"""Send reads that tolerate replica lag (monitoring dashboards, reports) to a PostgreSQL replica.

Installed only when DATABASE_REPLICA_URL is set (settings then adds the "replica" alias and this router).
Reads go to the replica for models of HROMADA_REPLICA_APPS (default: monitoring) and for any model inside
``with replica_reads():`` (a monitoring selector wraps its queries over applications in it). Every write,
and every read inside a transaction, stays on "default": case work must read its own writes.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("hromada_replica_reads", default=False)


@contextmanager
def replica_reads():
    """Reads in this block may come from the replica (no effect without a replica)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or connections["default"].in_atomic_block:
            return None
        if _replica_reads.get() or model._meta.app_label in settings.HROMADA_REPLICA_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (streaming replication).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
