"""Periodic operations tasks and ``ReliableTask``, the base class for tasks that must survive faults.

Use it: ``@shared_task(base=ReliableTask)``. Tasks take ids (never personal data) and must be idempotent:
with acks late a task interrupted by a dying worker runs again from the start.
"""
from __future__ import annotations

import time

from celery import Task, shared_task

from hromada.applications.services import sweep as sweep_services
from hromada.audit.checkpoints import write_checkpoint
from hromada.core.errors import HromadaError

from . import services


class ReliableTask(Task):
    """Retries with exponential backoff on unexpected errors; acks late so a killed worker loses nothing.

    HromadaError (a business rule said no) is not retried: running it again gives the same answer.
    After ``max_retries`` the task_failure signal records it in FailedTask (see celery_hooks).
    """

    abstract = True
    autoretry_for = (Exception,)
    dont_autoretry_for = (HromadaError,)
    retry_backoff = 5          # 5, 10, 20, 40, 80 s …
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    acks_late = True
    reject_on_worker_lost = True

    def retry(self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None, max_retries=None,
              **options):
        # Embedded mode (no broker, eager tasks that propagate errors): no retry loop inside the web
        # request — the caller gets the real error instead of celery's Retry.
        if self.request.is_eager and exc is not None and self.app.conf.task_eager_propagates:
            raise exc
        return super().retry(args=args, kwargs=kwargs, exc=exc, throw=throw, eta=eta, countdown=countdown,
                             max_retries=max_retries, **options)


@shared_task(base=ReliableTask, name="hromada.ops.tasks.flag_overdue")
def flag_overdue() -> int:
    return services.flag_overdue_applications()


@shared_task(base=ReliableTask, name="hromada.ops.tasks.remind_missing_documents")
def remind_missing_documents() -> int:
    return services.send_missing_document_reminders()


@shared_task(base=ReliableTask, name="hromada.ops.tasks.queue_stranded_work")
def queue_stranded_work() -> dict[str, int]:
    """Queue again the work a committed request could not queue because the broker was down (the request
    succeeded all the same: its ``on_commit`` is robust): receipts, residents' notifications, register checks,
    billing runs — each older than HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS, so work still in the queue is left
    alone. Every one of these tasks is idempotent: queued twice, done once."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from hromada.core.registry import stranded_work

    older_than = timezone.now() - timedelta(seconds=settings.HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS)
    return {kind: queue(older_than) for kind, queue in stranded_work.items()}


@shared_task(base=ReliableTask, name="hromada.ops.tasks.ensure_partitions")
def ensure_partitions() -> dict[str, list[str]]:
    """Monthly partitions kept ahead (PostgreSQL; nothing elsewhere). Tables skipped for want of the owner's
    rights are logged by the service, not retried: running again gives the same answer."""
    return services.ensure_partitions().created


@shared_task(base=ReliableTask, name="hromada.ops.tasks.sweep_orphan_files")
def sweep_orphan_files() -> int:
    """Scans and receipts left without a row by killed transactions (older than six hours)."""
    return len(sweep_services.sweep_orphan_files(older_than_hours=6))


@shared_task(base=ReliableTask, name="hromada.ops.tasks.nightly_backup", max_retries=2, retry_backoff=300)
def nightly_backup() -> None:
    services.run_nightly_backup()


@shared_task(base=ReliableTask, name="hromada.ops.tasks.audit_checkpoint")
def audit_checkpoint() -> str:
    """Sign the audit chain's head into the write-once checkpoint store (hromada.audit.checkpoints)."""
    checkpoint = write_checkpoint()
    return checkpoint.name if checkpoint else ""


@shared_task(base=ReliableTask, name="hromada.ops.tasks.worker_probe")
def worker_probe(token: str, seconds: float = 0) -> str:
    """Check that a worker runs tasks end to end; slow on purpose (``seconds``) so the production stack
    test can kill the worker in the middle and see the probe complete after restart."""
    probe = services.start_worker_probe(token=token, seconds=seconds)
    if probe.completed_at is None:
        time.sleep(probe.seconds)
        probe = services.complete_worker_probe(token=token)
    return probe.completed_at.isoformat()


@shared_task(base=ReliableTask, name="hromada.ops.tasks.always_fails", max_retries=1, retry_backoff=1,
             retry_jitter=False)
def always_fails(reason: str = "probe") -> None:
    """An operator's check that failures reach the FailedTask table (check_stack --fail-probe)."""
    raise RuntimeError(f"deliberate failure: {reason}")
