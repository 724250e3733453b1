"""Read-only lookups in the codifier. Territory is public reference data: no scoping."""
from __future__ import annotations

from django.db.models import QuerySet

from hromada.core.errors import NotFound
from hromada.core.text import normalize_name

from .models import Category, Unit


def unit_by_code(code: str) -> Unit:
    try:
        return Unit.objects.select_related("oblast", "raion", "hromada", "parent").get(code=code.strip().upper())
    except Unit.DoesNotExist:
        raise NotFound(code="unit_not_found") from None


def search_units(prefix: str, *, categories: list[str] | None = None, within: Unit | None = None,
                 active_only: bool = True, limit: int = 20) -> QuerySet[Unit]:
    """Units whose name starts with ``prefix`` (case-insensitive, any apostrophe form)."""
    qs = Unit.objects.select_related("oblast", "raion", "hromada")
    key = normalize_name(prefix)
    if key:
        qs = qs.filter(name_key__startswith=key)
    if categories:
        qs = qs.filter(category__in=categories)
    if within is not None:
        field = {Category.OBLAST: "oblast", Category.SPECIAL_CITY: "oblast", Category.RAION: "raion",
                 Category.HROMADA: "hromada"}.get(within.category, "parent")
        qs = qs.filter(**{field: within})
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("name_key", "code")[:limit]


def children_of(unit: Unit, *, active_only: bool = True) -> QuerySet[Unit]:
    qs = unit.children.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("name_key")


def hromadas(*, oblast: Unit | None = None, include_crimea: bool = False) -> QuerySet[Unit]:
    qs = Unit.objects.filter(category=Category.HROMADA, is_active=True)
    if oblast is not None:
        qs = qs.filter(oblast=oblast)
    if not include_crimea:
        qs = qs.filter(in_crimea=False)
    return qs
