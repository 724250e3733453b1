"""Background jobs of monitoring (they only call services). The beat runs refresh_aggregates every 15 min."""
from __future__ import annotations

from celery import shared_task

from . import services
from .periods import parse_period


@shared_task(name="hromada.monitoring.tasks.refresh_aggregates", acks_late=True)
def refresh_aggregates(period: str | None = None) -> list[str]:
    """Rebuild the aggregates of ``period`` (YYYY-MM, YYYY-Qn, YYYY); default: the running and previous month."""
    months = services.refresh_aggregates(period=parse_period(period) if period else None)
    return [f"{m:%Y-%m}" for m in months]
