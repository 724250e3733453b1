"""Reads for operations: overdue applications, reminders due, failed tasks.

These run from Celery beat and the metrics scrape (no requesting user): they are system-wide by design.
The ops page that lists them checks ``ops.view`` (sysadmins) first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hromada.applications.models import Application, Status
from hromada.catalog.models import DocumentRequirement, Timing

from .models import FailedTask

# Decision clock running: the back office holds the case (a returned case waits for the front office).
OPEN_FOR_DECISION = (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED)
# Missing documents still matter until a decision is taken.
AWAITING_DOCUMENTS = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED, Status.RESUBMITTED)
REMINDER_DAYS_AHEAD = 3


def overdue_applications(*, today: date | None = None) -> QuerySet[Application]:
    today = today or timezone.localdate()
    return Application.objects.filter(status__in=OPEN_FOR_DECISION, due_date__lt=today)


@dataclass(frozen=True)
class MissingDocuments:
    application_id: int
    number: str
    front_office_id: int
    documents_deadline: date
    missing_codes: tuple[str, ...]


def applications_missing_documents(*, today: date | None = None,
                                   days_ahead: int = REMINDER_DAYS_AHEAD) -> list[MissingDocuments]:
    """Applications whose deadline for the documents that may follow is exactly ``days_ahead`` days away
    and that still lack at least one of them. One query for the cases, one for the requirements."""
    today = today or timezone.localdate()
    deadline = today + timedelta(days=days_ahead)
    cases = list(
        Application.objects.filter(status__in=AWAITING_DOCUMENTS, documents_deadline=deadline)
        .prefetch_related("documents").order_by("id")
    )
    required: dict[int, set[str]] = {}
    for service_id, code in DocumentRequirement.objects.filter(
        service_id__in={a.service_id for a in cases}, timing=Timing.MAY_FOLLOW,
    ).values_list("service_id", "code"):
        required.setdefault(service_id, set()).add(code)
    result = []
    for case in cases:
        have = {doc.requirement_code for doc in case.documents.all()}
        missing = sorted(required.get(case.service_id, set()) - have)
        if missing:
            result.append(MissingDocuments(case.id, case.number, case.front_office_id, case.documents_deadline,
                                           tuple(missing)))
    return result


def failed_tasks(*, include_resolved: bool = False) -> QuerySet[FailedTask]:
    qs = FailedTask.objects.all()
    return qs if include_resolved else qs.filter(resolved_at__isnull=True)
