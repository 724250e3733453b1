"""Operations services: failed-task records, reminders, overdue counts, worker probes, backups, partitions.

Celery tasks in tasks.py only call these.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command, get_commands
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts.models import Role, User
from hromada.audit import roles
from hromada.catalog.models import DocumentRequirement
from hromada.core import partitions
from hromada.core.errors import Conflict, NotFound
from hromada.offices.models import Office

from .logging import mask_personal_data
from .models import FailedTask, WorkerProbe
from .selectors import REMINDER_DAYS_AHEAD, applications_missing_documents, overdue_applications

log = logging.getLogger(__name__)

MAX_TEXT = 4000


@transaction.atomic
def record_failed_task(*, task_id: str, task_name: str, args: Sequence[object] | None,
                       kwargs: Mapping[str, object] | None, exception: BaseException | str,
                       traceback: str = "", retries: int = 0, request_id: str = "") -> FailedTask:
    """Keep a task that failed for good where a sysadmin sees it. Idempotent per task id (a redelivered
    message that fails again updates the same row)."""
    failed, _created = FailedTask.objects.update_or_create(
        task_id=task_id,
        defaults={
            "task_name": task_name[:200],
            "args": mask_personal_data(repr(args))[:MAX_TEXT],
            "kwargs": mask_personal_data(repr(kwargs))[:MAX_TEXT],
            "exception": mask_personal_data(f"{exception.__class__.__name__}: {exception}"
                                            if isinstance(exception, BaseException) else str(exception))[:MAX_TEXT],
            "traceback": mask_personal_data(traceback or "")[-MAX_TEXT * 4:],
            "retries": retries,
            "request_id": request_id[:64],
            "resolved_at": None,
            "resolved_by": None,
        },
    )
    log.error("task failed for good", extra={"task": task_name, "task_id": task_id, "retries": retries})
    return failed


@transaction.atomic
def resolve_failed_task(*, failed_task_id: int, actor: User) -> FailedTask:
    """A sysadmin marks a failed task as dealt with (it stays in the table for the record)."""
    failed = FailedTask.objects.select_for_update().filter(pk=failed_task_id).first()
    if failed is None:
        raise NotFound(_("Невдалу задачу не знайдено."), code="failed_task_not_found")
    if failed.resolved_at is not None:
        raise Conflict(_("Цю задачу вже позначено як розглянуту."), code="failed_task_already_resolved")
    failed.resolved_at = timezone.now()
    failed.resolved_by = actor
    failed.save(update_fields=["resolved_at", "resolved_by"])
    return failed


def flag_overdue_applications() -> int:
    """Count open applications past their decision date and log it (the gauge is also on /metrics)."""
    count = overdue_applications().count()
    log.info("overdue applications: %s", count, extra={"overdue": count})
    return count


def _front_office_recipients(office: Office) -> list[str]:
    emails = set(
        User.objects.filter(office=office, role=Role.FRONT_SPECIALIST, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
    if office.email:
        emails.add(office.email)
    return sorted(emails)


def send_missing_document_reminders(*, days_ahead: int = REMINDER_DAYS_AHEAD) -> int:
    """Tell each front office which of its applications still lack documents that may follow, ``days_ahead``
    days before the deadline. Returns the number of applications reminded about.

    No transaction: it only reads and sends mail; a failure half-way is retried by the task, and a
    reminder sent twice is harmless.
    """
    missing = applications_missing_documents(days_ahead=days_ahead)
    by_office: dict[int, list] = {}
    for item in missing:
        by_office.setdefault(item.front_office_id, []).append(item)
    titles = dict(DocumentRequirement.objects.filter(code__in={c for m in missing for c in m.missing_codes})
                  .values_list("code", "title_uk"))
    for office in Office.objects.filter(pk__in=by_office):
        items = by_office[office.pk]
        lines = [
            _("Заява %(number)s: до %(deadline)s не вистачає: %(docs)s.") % {
                "number": item.number, "deadline": item.documents_deadline.strftime("%d.%m.%Y"),
                "docs": "; ".join(titles.get(code, code) for code in item.missing_codes),
            }
            for item in items
        ]
        recipients = _front_office_recipients(office)
        log.info("missing documents reminder", extra={"office_id": office.pk, "applications": len(items),
                                                       "recipients": len(recipients)})
        if recipients:
            send_mail(
                subject=_("Громада: нагадування про документи, що мають бути донесені"),
                message=_("Через %(days)s дні спливає строк донесення документів:") % {"days": days_ahead}
                + "\n\n" + "\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
    return len(missing)


def run_nightly_backup() -> list[str]:
    """The nightly backup: `manage.py backup HROMADA_BACKUP_DIR` (the audit app's command), then only the
    newest HROMADA_BACKUP_KEEP backups are kept. Returns the names of the backups removed."""
    if "backup" not in get_commands():
        raise RuntimeError("the backup management command is not installed")
    target = Path(settings.HROMADA_BACKUP_DIR)
    target.mkdir(parents=True, exist_ok=True)
    call_command("backup", str(target))
    # The command names each backup hromada-backup-<UTC timestamp>: sorting by name sorts by age.
    backups = sorted(p for p in target.glob("hromada-backup-*") if p.is_dir())
    removed = backups[:-settings.HROMADA_BACKUP_KEEP] if settings.HROMADA_BACKUP_KEEP > 0 else []
    for old_backup in removed:
        shutil.rmtree(old_backup)
    log.info("nightly backup finished", extra={"kept": len(backups) - len(removed), "removed": len(removed)})
    return [p.name for p in removed]


@transaction.atomic
def request_worker_probe(*, token: str, seconds: float) -> WorkerProbe:
    probe, _created = WorkerProbe.objects.get_or_create(token=token, defaults={"seconds": seconds})
    return probe


@transaction.atomic
def start_worker_probe(*, token: str, seconds: float = 0) -> WorkerProbe:
    """Count one attempt (the row is created by the first one if nobody requested it); a probe already
    completed is left as it is (a redelivery after completion)."""
    WorkerProbe.objects.get_or_create(token=token, defaults={"seconds": seconds})
    WorkerProbe.objects.filter(token=token).update(attempts=F("attempts") + 1)
    return WorkerProbe.objects.get(token=token)


@transaction.atomic
def complete_worker_probe(*, token: str) -> WorkerProbe:
    probe = WorkerProbe.objects.select_for_update().get(token=token)
    if probe.completed_at is None:
        probe.completed_at = timezone.now()
        probe.completed_by = f"{socket.gethostname()}:{os.getpid()}"
        probe.save(update_fields=["completed_at", "completed_by"])
    return probe


PARTITION_MONTHS_AHEAD = 3
# Creating a partition locks the parent table: a long transaction holding it must not make every writer queue
# behind this job. It gives up instead (the task retries; the months ahead leave weeks of slack).
PARTITION_LOCK_TIMEOUT = "10s"


@dataclass(frozen=True)
class PartitionsEnsured:
    tables: list[str]               # every partitioned table
    created: dict[str, list[str]]   # the partitions created, per table handled
    missing: dict[str, list[str]]   # months still without a partition: their rows wait in the DEFAULT for the owner


def ensure_partitions(*, months_ahead: int = PARTITION_MONTHS_AHEAD) -> PartitionsEnsured:
    """The monthly partitions of every partitioned table (the audit entries)
    from this month to ``months_ahead`` months ahead. As the schema owner (DATABASE_MIGRATE_URL: the release job,
    ``prepare_stack``; or a single role) everything; as the application's role (the daily job of a two-role
    installation, which holds no owner's credentials) the empty months, through the owner's SECURITY DEFINER
    function — a month whose rows already wait in the DEFAULT is then reported missing until the owner runs it.
    Idempotent."""
    with roles.as_owner() as connection, transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{PARTITION_LOCK_TIMEOUT}'")
        tables = [found.table for found in partitions.partitioned_tables(connection)]
        created = partitions.ensure_partitions_ahead(connection, months_ahead=months_ahead)
        missing = {table: names for table in tables
                   if (names := partitions.missing_partitions_ahead(connection, table, months_ahead=months_ahead))}
    return PartitionsEnsured(tables=tables, created=created, missing=missing)
