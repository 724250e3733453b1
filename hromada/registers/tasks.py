"""Celery tasks of the registers: they only call services.

A check whose register is unavailable never blocks intake: it stays "не перевірено" and is tried again later —
queued with a countdown when a broker runs, and swept every minute by ``retry_unavailable`` (the only way in
embedded mode, where an eager retry would hammer a register that just failed).
"""
from __future__ import annotations

from datetime import datetime

from celery import shared_task

from . import services


@shared_task(bind=True, name="registers.run_verification", acks_late=True)
def run_verification(self, verification_id: int) -> str:
    outcome = services.run_verification(verification_id=verification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        run_verification.apply_async((verification_id,), countdown=outcome.retry_in)
    return outcome.result


@shared_task(name="registers.retry_unavailable")
def retry_unavailable() -> int:
    done = 0
    for pk in services.due_for_retry():
        services.run_verification(verification_id=pk)
        done += 1
    return done


def queue_stranded(older_than: datetime) -> int:
    """Queue every check whose task the broker never got."""
    ids = services.stranded_verifications(older_than=older_than)
    for pk in ids:
        run_verification.delay(pk)
    return len(ids)


@shared_task(name="registers.poll_births")
def poll_births() -> int:
    return services.poll_births()
