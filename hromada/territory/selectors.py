"""Read-only lookups in the codifier. Territory is public reference data: no scoping."""
from __future__ import annotations

from django.db.models import Case, QuerySet, Value, When

from hromada.core.errors import NotFound
from hromada.core.text import normalize_name

from .models import Category, Unit


def unit_by_code(code: str) -> Unit:
    try:
        return Unit.objects.select_related("oblast", "raion", "hromada", "parent").get(code=code.strip().upper())
    except Unit.DoesNotExist:
        raise NotFound(code="unit_not_found") from None


def search_units(prefix: str, *, categories: list[str] | None = None, within: Unit | None = None,
                 active_only: bool = True, limit: int = 20, near: Unit | None = None) -> QuerySet[Unit]:
    """Units whose name starts with ``prefix`` (case-insensitive, any apostrophe form).

    ``near`` (a hromada, e.g. the desk's): its own settlements first, then its raion's, then its oblast's —
    "Баранівка" typed in Баранівська громада must not list a namesake of another oblast first."""
    qs = Unit.objects.select_related("oblast", "raion", "hromada")
    key = normalize_name(prefix)
    if key:
        qs = qs.filter(name_key__startswith=key)
    if categories:
        qs = qs.filter(category__in=categories)
    if within is not None:
        fields: dict[str, str] = {Category.OBLAST: "oblast", Category.SPECIAL_CITY: "oblast", Category.RAION: "raion",
                                  Category.HROMADA: "hromada"}
        field = fields.get(within.category, "parent")
        qs = qs.filter(**{field: within})
    if active_only:
        qs = qs.filter(is_active=True)
    if near is not None:
        qs = qs.annotate(_distance=Case(When(hromada_id=near.pk, then=Value(0)),
                                        When(raion_id=near.raion_id, then=Value(1)),
                                        When(oblast_id=near.oblast_id, then=Value(2)), default=Value(3)))
        return qs.order_by("_distance", "name_key", "code")[:limit]
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
