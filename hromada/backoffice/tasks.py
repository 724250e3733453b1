"""Celery tasks: they only call services (eager without a broker)."""
from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def deliver_notification(notification_id: int) -> str:
    return services.deliver_notification(notification_id=notification_id).status
