"""Read-only lookups in the codifier. Territory is public reference data: no scoping."""
from __future__ import annotations

from collections.abc import Collection

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, QuerySet, Value, When

from hromada.core.errors import NotFound
from hromada.core.text import normalize_name

from .models import Category, Unit


def unit_by_code(code: str) -> Unit:
    try:
        return Unit.objects.select_related("oblast", "raion", "hromada", "parent").get(code=code.strip().upper())
    except Unit.DoesNotExist:
        raise NotFound(code="unit_not_found") from None


# A КАТОТТГ code names the same unit for good (an edition may change its category or name, never which unit the code
# is). Every person list by area looks its code up, so the answer is cached; an import forgets the codes it changed.
UNIT_CODE_CACHE_SECONDS = 600


def _unit_code_key(code: str) -> str:
    return f"territory:unit-code:{code}"


def unit_id_of_code(code: str, categories: Collection[str] | None = None) -> int | None:
    """The id of the unit ``code`` names if it is of one of ``categories`` (None: of any); None for anything else.
    Only codes that exist are cached (a mistyped code costs a query, and nothing is kept for it)."""
    code = code.strip().upper()
    found = cache.get(_unit_code_key(code))
    if found is None:
        found = Unit.objects.filter(code=code).values_list("pk", "category").first()
        if found is None:
            return None
        cache.set(_unit_code_key(code), tuple(found), UNIT_CODE_CACHE_SECONDS)
    pk, category = found
    return pk if categories is None or category in categories else None


def forget_unit_codes(codes: Collection[str]) -> None:
    """After the transaction that changed these units commits (a reader in between would cache the old values)."""
    keys = [_unit_code_key(code) for code in codes]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_changed_unit(sender: type[Unit], instance: Unit, **kwargs: object) -> None:
    """Receiver of a unit saved or deleted one by one (the admin); the import forgets the codes it changed."""
    forget_unit_codes([instance.code])


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
