"""Background jobs of the applications app (they only call services)."""
from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.db import transaction

from .services.receipts import store_receipt
from .services.sweep import cases_without_receipt


@shared_task(name="applications.render_receipt", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_receipt(application_id: int) -> str:
    """Render and store the receipt PDF of the case's current version; returns its SHA-256."""
    return store_receipt(application_id=application_id).sha256


def schedule_receipt(application_id: int) -> None:
    """Queue the receipt after the caller's transaction commits (eager without a broker: runs at commit).

    Robust: the case is committed whatever the broker says — a broker that is down is logged, not answered with an
    error, and ``hromada.ops.tasks.queue_stranded_work`` queues the receipt once the broker is back."""
    transaction.on_commit(lambda: render_receipt.delay(application_id), robust=True)


def queue_missing_receipts(older_than: datetime) -> int:
    """Queue the receipt of every case that has none (see ``cases_without_receipt``). Rendering is idempotent (one
    receipt per content), so a receipt queued twice is stored once."""
    ids = cases_without_receipt(older_than=older_than)
    for application_id in ids:
        render_receipt.delay(application_id)
    return len(ids)
