"""Celery tasks of billing: they only call the run (runner.execute_billing_run)."""
from celery import shared_task

from .runner import execute_billing_run


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=30)
def run_billing_period_task(self, period: str, run_id: str) -> dict:
    """Compute ``period`` for the queued run ``run_id``. Safe to retry: a finished run is not redone and a
    re-run replaces the period's lines with the same figures."""
    run = execute_billing_run(run_id=run_id)
    return {"period": period, "run_id": run_id, "status": run.status, "progress": run.progress}
