"""Gunicorn settings for Hromada (`gunicorn -c deploy/gunicorn.conf.py hromada.wsgi`).

Sized from the CPU count; every value can be overridden from the environment (docs/operations.md).
"""
import multiprocessing
import os

from prometheus_client import multiprocess

_cpu = multiprocessing.cpu_count()

bind = os.environ.get("HROMADA_BIND", "127.0.0.1:8000")
# 2×CPU+1 sync-style workers is gunicorn's rule of thumb; capped so a big host does not exhaust
# PostgreSQL connections (workers × threads connections per host).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * _cpu + 1, int(os.environ.get("GUNICORN_MAX_WORKERS", "9")))))
# Threads cover requests waiting on PostgreSQL or S3; a few per CPU.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", min(max(2, _cpu), 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), at different moments.
max_requests = 2000
max_requests_jitter = 200
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# Trust X-Forwarded-* only from the load balancer(s).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# JSON access log; the path without the query string (a search query may hold a РНОКПП).
access_log_format = (
    '{"ts": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
proc_name = "hromada-web"
# Import Django once in the master and fork the workers: faster start, less memory (copy-on-write).
preload_app = True


def when_ready(server):
    """Warm the master before the workers are forked (preload_app): they inherit the URLconf (all views and
    the API), the storage backend and the migration check instead of each paying for them on the first
    request. A failure here only costs that speed-up."""
    try:
        from django.core.files.storage import default_storage
        from django.db import connections
        from django.urls import get_resolver

        from hromada.ops import health

        get_resolver().url_patterns  # noqa: B018 (imports every app's views and the API)
        default_storage._setup()
        health.check_migrations()
        connections.close_all()
    except Exception as exc:  # noqa: BLE001
        server.log.warning("warm-up skipped: %s", exc.__class__.__name__)


def post_fork(server, worker):
    # Never share a database connection opened in the master (preload) between workers.
    from django.db import connections

    connections.close_all()


def child_exit(server, worker):
    # prometheus_client multiprocess mode: drop the dead worker's live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
