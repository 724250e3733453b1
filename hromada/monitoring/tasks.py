"""Background jobs of monitoring (they only call services). The beat runs refresh_aggregates every 15 min."""
from __future__ import annotations

from celery import shared_task

from . import progress, services
from .periods import parse_period


@shared_task(name="hromada.monitoring.tasks.refresh_aggregates", acks_late=True)
def refresh_aggregates(period: str | None = None, job_id: str | None = None) -> list[str]:
    """Rebuild the aggregates of ``period`` (YYYY-MM, YYYY-Qn, YYYY); default: the running and previous month.
    ``job_id``: an on-demand rebuild whose progress the dashboard shows (monitoring.progress)."""
    progress.update(job_id, done=0, total=1, status="running")
    try:
        months = services.refresh_aggregates(
            period=parse_period(period) if period else None,
            on_month=lambda done, total: progress.update(job_id, done=done, total=total,
                                                         status="done" if done == total else "running"))
    except Exception:
        progress.update(job_id, done=0, total=1, status="failed")
        raise
    return [f"{m:%Y-%m}" for m in months]
