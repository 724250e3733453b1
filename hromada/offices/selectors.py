from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.utils.translation import gettext as _

from hromada.core.caching import Versioned
from hromada.core.errors import ValidationFailed
from hromada.territory.models import Category, Unit

from .models import AUTHORITY_KINDS, RAION_LEVEL_AUTHORITIES, Authority, Function, HromadaServing, Office, authority_of_kind


def live_overrides(kinds: frozenset[str]) -> QuerySet[HromadaServing]:
    """The overrides that count, for an authority's office kinds: rows to an active back office. A row to a closed
    office counts as no override — for routing (``deciding_office_for``) and for who serves the hromada
    (``hromada_ids_served_by``, hence the access layer's scope) alike; both read the rule here."""
    return HromadaServing.objects.filter(back_office__kind__in=kinds, back_office__is_active=True,
                                         back_office__function=Function.BACK)


def deciding_office_for(hromada: Unit, authority: str) -> Office:
    """The office of ``authority`` that decides this hromada's cases.

    One rule, shared with ``hromada_ids_served_by``: the hromada's override for that authority if its office is
    active; else the authority's first active office (by id) of the hromada's raion (social protection, Pension
    Fund) or of the hromada itself (children's service, the hromada's own unit). An override to a closed office
    counts as no override. No such office: ``no_deciding_office`` (the submission is refused, nothing is sent).

    Every submission asks it (an ORM UNION: ~1.5 ms; the office read by its key: ~0.3 ms), so the answer is cached
    like ``served_hromada_ids`` — the same rule over the same rows, under the same serving version, which every
    change of an office, an override or a hromada replaces at once (``forget_served_hromadas``). The office itself
    is always read from the database.
    """
    fresh: Office | None = None

    def route() -> int | None:
        nonlocal fresh
        fresh = _deciding_office(hromada, authority)
        return fresh.pk if fresh else None

    # The raion is part of the key: an answer derived from an outdated hromada object is never given for another.
    office_id = _ROUTES.get(_route_key(hromada.pk, hromada.raion_id, authority), route)
    # Computed just now, it is at hand; cached, the office is read by its key.
    office = fresh or (Office.objects.filter(pk=office_id).first() if office_id else None)
    if office:
        return office
    raise ValidationFailed(
        _("Для громади «%(name)s» не визначено офіс органу, що приймає рішення з цієї послуги (%(authority)s). "
          "Заяву не можна надіслати — зверніться до адміністратора.")
        % {"name": hromada.name, "authority": Authority(authority).label},
        code="no_deciding_office", details={"authority": authority})


def _deciding_office(hromada: Unit, authority: str) -> Office | None:
    """``deciding_office_for``'s rule, read from the database."""
    kinds = AUTHORITY_KINDS[authority]
    # One query: the override (rank 0, by the serving row's id) before the default (rank 1, by the office's id).
    override = (Office.objects.filter(served_hromadas__in=live_overrides(kinds).filter(hromada=hromada))
                .annotate(rank=Value(0), sort=F("served_hromadas__id")).order_by())
    territory_id = hromada.raion_id if authority in RAION_LEVEL_AUTHORITIES else hromada.pk
    if territory_id:
        default = (Office.objects.filter(function=Function.BACK, is_active=True, kind__in=kinds,
                                         territory_id=territory_id)
                   .annotate(rank=Value(1), sort=F("id")).order_by())
        override = override.union(default, all=True)
    return override.order_by("rank", "sort").first()


def back_office_for(hromada: Unit) -> Office:
    """The social-protection office that processes this hromada's cases (see ``deciding_office_for``)."""
    return deciding_office_for(hromada, Authority.SOCIAL_PROTECTION)


def hromada_ids_served_by(office: Office) -> list[int]:
    """Hromadas whose new cases ``deciding_office_for`` sends to this office: its active-office overrides plus, for
    the authority's first active office of a raion (or hromada), the active hromadas there that no active override
    sends elsewhere. A closed office serves none. One query (every page of the back office computes its scope
    from it)."""
    authority = authority_of_kind(office.kind)
    if office.function != Function.BACK or not office.is_active or authority is None:
        return []
    kinds = AUTHORITY_KINDS[authority]
    explicit = (Unit.objects.filter(serving__in=live_overrides(kinds).filter(back_office_id=office.pk))
                .order_by().values_list("id", flat=True))
    earlier = Office.objects.filter(function=Function.BACK, is_active=True, kind__in=kinds,
                                    territory_id=office.territory_id, id__lt=office.pk)
    overridden = live_overrides(kinds).filter(hromada_id=OuterRef("pk"))
    where = ({"raion_id": office.territory_id} if authority in RAION_LEVEL_AUTHORITIES
             else {"pk": office.territory_id})
    default = (Unit.objects.filter(category=Category.HROMADA, is_active=True, **where)
               .filter(~Exists(overridden), ~Exists(earlier)).order_by().values_list("id", flat=True))
    # A UNION, not an OR over the join: each half reads its own index (9 ms → 0.1 ms at the national codifier).
    return sorted(explicit.union(default))


# Every page and API call of a back office computes its scope from ``hromada_ids_served_by`` (an ORM UNION: ~3 ms of a
# queue page's 25). The answer is cached under the current "serving version", which every change of an office, an
# override or the codifier replaces (``forget_served_hromadas``): an answer cached under another version is never used.
# Which office decides a hromada's cases (``deciding_office_for``) is the same rule: cached under the same version.
SERVING_VERSION_KEY = "offices:serving-version"
SERVED_SECONDS = 3600
_SERVED: Versioned[list[int]] = Versioned(SERVING_VERSION_KEY, SERVED_SECONDS)
_ROUTES: Versioned[int | None] = Versioned(SERVING_VERSION_KEY, SERVED_SECONDS)


def _route_key(hromada_id: int, raion_id: int | None, authority: str) -> str:
    return f"offices:route:{hromada_id}:{raion_id}:{authority}"


def _served_key(office_id: int) -> str:
    return f"offices:served:{office_id}"


def served_hromada_ids(office: Office) -> list[int]:
    """``hromada_ids_served_by``, cached (see above) where the cache is shared by every worker process (a scope must
    change in all of them at once); the access layer's scope of a back office."""
    return list(_SERVED.get(_served_key(office.pk), lambda: hromada_ids_served_by(office)))


def forget_served_hromadas(**_signal_args: object) -> None:
    """Offices, overrides or hromadas changed: every cached answer of ``served_hromada_ids`` and of
    ``deciding_office_for`` is void (they share the version) — at once (this transaction's own reads) and again once
    it commits (a reader in between may have cached the old answer)."""
    _SERVED.forget()


def front_offices(*, hromada: Unit | None = None) -> QuerySet[Office]:
    qs = Office.objects.filter(function=Function.FRONT, is_active=True).select_related("hromada")
    if hromada is not None:
        qs = qs.filter(hromada=hromada)
    return qs
