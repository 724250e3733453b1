"""Background jobs of the audit log (they only call the module that does the work)."""
from __future__ import annotations

from celery import shared_task

from .verification import run_verification


@shared_task(name="hromada.audit.tasks.verify_chain", acks_late=True)
def verify_chain() -> dict:
    """Walk the chain and its checkpoints; the audit log page shows the result (hourly, or on request)."""
    result = run_verification()
    return {"ok": result["ok"], "checked": result["checked"], "problems": result["problem_count"]}
