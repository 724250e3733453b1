"""Reads for operations: overdue applications, reminders due, failed tasks.

These run from Celery beat and the metrics scrape (no requesting user): they are system-wide by design.
The ops page that lists them checks ``ops.view`` (sysadmins) first.
"""
from __future__ import annotations

from django.db.models import QuerySet

# The system-wide reads of cases live with the cases (applications.selectors); ops and notifications both use them.
from hromada.applications.selectors import (  # noqa: F401
    AWAITING_DOCUMENTS,
    OPEN_FOR_DECISION,
    REMINDER_DAYS_AHEAD,
    MissingDocuments,
    applications_missing_documents,
    overdue_applications,
)

from .models import FailedTask


def failed_tasks(*, include_resolved: bool = False) -> QuerySet[FailedTask]:
    qs = FailedTask.objects.all()
    return qs if include_resolved else qs.filter(resolved_at__isnull=True)
