"""Background jobs of the applications app (they only call services)."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .services.receipts import store_receipt


@shared_task(name="applications.render_receipt", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_receipt(application_id: int) -> str:
    """Render and store the receipt PDF of the case's current version; returns its SHA-256."""
    return store_receipt(application_id=application_id).sha256


def schedule_receipt(application_id: int) -> None:
    """Queue the receipt after the caller's transaction commits (eager without a broker: runs at commit)."""
    transaction.on_commit(lambda: render_receipt.delay(application_id))
