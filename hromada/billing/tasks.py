"""Celery tasks of billing: they only call the run (runner.execute_billing_run)."""
from datetime import datetime, timedelta

from celery import shared_task

from .runner import execute_billing_run, stranded_runs


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=30)
def run_billing_period_task(self, period: str, run_id: str) -> dict:
    """Compute ``period`` for the queued run ``run_id``. Safe to retry: a finished run is not redone and a
    re-run replaces the period's lines with the same figures."""
    run = execute_billing_run(run_id=run_id)
    return {"period": period, "run_id": run_id, "status": run.status, "progress": run.progress}


# A run waits in the billing queue behind others; only one never started long after it was asked is stranded.
STRANDED_RUN_AGE = timedelta(minutes=15)


def queue_stranded(older_than: datetime) -> int:
    """Queue every run the broker never got (asked while it was down): without it the period would stay
    "у черзі" and no new run could be asked."""
    runs = stranded_runs(older_than=min(older_than, datetime.now(older_than.tzinfo) - STRANDED_RUN_AGE))
    for key, run_id in runs:
        run_billing_period_task.delay(key, run_id)
    return len(runs)
