"""Prometheus metrics: request latency by view, Celery task durations/failures, queue lengths,
applications by status.

Under gunicorn and Celery prefork several processes write metrics; with PROMETHEUS_MULTIPROC_DIR set
(`make prod-up` sets it) prometheus_client keeps them in files there and the scrape merges them.
Queue lengths and applications by status are computed on each scrape (one LLEN per queue, one GROUP BY).
"""
from __future__ import annotations

import ipaddress
import logging
import os
from functools import lru_cache

import redis
from django.conf import settings
from django.db.models import Count
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from hromada.applications.models import Application, Status

from .selectors import overdue_applications

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)

REQUEST_LATENCY = Histogram(
    "hromada_http_request_duration_seconds", "HTTP request latency by view", ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
TASK_DURATION = Histogram(
    "hromada_celery_task_duration_seconds", "Celery task run time by task and final state", ["task", "state"],
    buckets=TASK_BUCKETS,
)
TASK_FAILURES = Counter("hromada_celery_task_failures_total", "Celery tasks that failed for good", ["task"])
TASK_RETRIES = Counter("hromada_celery_task_retries_total", "Celery task retries", ["task"])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


@lru_cache(maxsize=8)
def _networks(raw: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in raw)


def scrape_allowed(remote_addr: str | None) -> bool:
    """True when the address belongs to the monitoring network (settings.HROMADA_METRICS_ALLOW)."""
    if not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.HROMADA_METRICS_ALLOW)))


class QueueLengthCollector:
    """Messages waiting in each Celery queue (Redis broker: a queue is a list; LLEN is O(1))."""

    def collect(self):
        family = GaugeMetricFamily("hromada_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        broker = settings.CELERY_BROKER_URL
        if broker.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(broker, socket_timeout=2, socket_connect_timeout=2)
            try:
                for queue in settings.HROMADA_CELERY_QUEUES:
                    family.add_metric([queue], client.llen(queue))
            except redis.RedisError as exc:
                log.warning("queue length unavailable: %s", exc.__class__.__name__)
            finally:
                client.close()
        yield family


class ApplicationsCollector:
    """Applications by status and open applications past their decision date."""

    def collect(self):
        by_status = GaugeMetricFamily("hromada_applications", "Applications by status", labels=["status"])
        counts = dict.fromkeys(Status.values, 0)
        for row in Application.objects.values("status").annotate(n=Count("id")).order_by():
            counts[row["status"]] = row["n"]
        for status, n in counts.items():
            by_status.add_metric([status], n)
        yield by_status
        yield GaugeMetricFamily("hromada_applications_overdue", "Open applications past their decision date",
                                value=overdue_applications().count())


def render_latest() -> bytes:
    """The exposition text: this process's (or every process's) metrics plus the scrape-time gauges."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(QueueLengthCollector())
    scrape.register(ApplicationsCollector())
    if multiprocess_dir():
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        own = generate_latest(merged)
    else:
        own = generate_latest(REGISTRY)
    return own + generate_latest(scrape)
