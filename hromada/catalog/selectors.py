from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hromada.core.errors import NotFound

from .models import DocumentRequirement, ServiceType


def active_services(on: date | None = None) -> QuerySet[ServiceType]:
    from django.db.models import Q

    on = on or timezone.localdate()
    return (ServiceType.objects
            .filter(Q(active_from__isnull=True) | Q(active_from__lte=on))
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=on))
            .prefetch_related(Prefetch("documents", queryset=DocumentRequirement.objects.order_by("ordering"))))


def service_by_code(code: str, *, active_only: bool = True) -> ServiceType:
    qs = active_services() if active_only else ServiceType.objects.prefetch_related("documents")
    try:
        return qs.get(code=code)
    except ServiceType.DoesNotExist:
        raise NotFound(gettext("Послугу з кодом «%(code)s» не знайдено.") % {"code": code}, code="unknown_service") from None


def requirement_titles(service_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """(service id, checklist code) → the document's title, for pages that list checklist codes (one query)."""
    reqs = DocumentRequirement.objects.filter(service_id__in=sorted(set(service_ids)))
    return {(r.service_id, r.code): r.title for r in reqs}


def titled_items(titles: dict[tuple[int, str], str], service_id: int, items: Iterable[str] | None) -> list[str]:
    """Checklist codes as their titles; free-text items (typed by the back office) as they are."""
    return [titles.get((service_id, item), item) for item in items or []]
