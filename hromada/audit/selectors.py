"""Reads of the audit log for auditors (the access layer decides who may look)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from hromada.accounts.access import require, visible
from hromada.core.errors import ValidationFailed

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""           # username (exact) — the actor
    action: str = ""         # exact action or a prefix ending with "." (e.g. "person.")
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    hromada: str = ""        # КАТОТТГ code of the hromada


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(user, filters: AuditFilters) -> QuerySet:
    """The entries the user may read, filtered; newest first. Raises Forbidden for other roles."""
    from hromada.territory.models import Unit

    require(user, "audit.view")
    qs = visible(user, AuditEntry).order_by("-id")
    if filters.user:
        qs = qs.filter(actor_username=filters.user.strip())
    if filters.action:
        action = filters.action.strip()
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed("Дата «з» пізніша за дату «по».", code="invalid_date_range")
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.hromada:
        unit = Unit.objects.filter(code=filters.hromada.strip().upper()).first()
        qs = qs.filter(Q(hromada_id=unit.pk)) if unit else qs.none()
    return qs


def known_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()[:500])
