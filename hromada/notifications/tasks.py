"""Celery tasks of the notifications domain: they only call services.

Delivery retries transient failures with exponential back-off (HROMADA_NOTIFY_RETRY_BASE_SECONDS × 2^n, at
most HROMADA_NOTIFY_MAX_RETRIES retries); the last try records the message as failed. Without a broker
(embedded mode) the retries run at once, one after another.
"""
from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.conf import settings

from . import services


def backoff(retries: int) -> int:
    return min(settings.HROMADA_NOTIFY_RETRY_BASE_SECONDS * 2 ** retries, settings.HROMADA_NOTIFY_RETRY_MAX_SECONDS)


@shared_task(bind=True, name="notifications.deliver", acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    limit = settings.HROMADA_NOTIFY_MAX_RETRIES
    retries = self.request.retries or 0
    while True:
        result = services.deliver_notification(notification_id=notification_id, last_try=retries >= limit)
        if not result.retry:
            return result.state
        if not self.request.is_eager:
            raise self.retry(countdown=backoff(retries), max_retries=limit)
        # Embedded mode (no broker, eager tasks): no worker comes back later, so the retries run here, at once.
        retries += 1


def queue_stranded(older_than: datetime) -> int:
    """Queue the delivery of every notification the broker never got (a delivery queued twice sends once: it
    locks its row and leaves a handled one alone)."""
    ids = services.stranded_notifications(older_than=older_than)
    for pk in ids:
        deliver_notification.delay(pk)
    return len(ids)


@shared_task(name="notifications.documents_due")
def notify_documents_due() -> int:
    return services.notify_documents_due()


@shared_task(name="notifications.deadline_passed")
def notify_deadline_passed() -> int:
    return services.notify_deadline_passed()


@shared_task(name="notifications.purge_status_looks")
def purge_status_looks() -> int:
    return services.purge_status_looks()


@shared_task(name="notifications.purge_early_reports")
def purge_early_reports() -> int:
    return services.purge_early_reports()
