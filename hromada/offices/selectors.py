from __future__ import annotations

from django.db.models import Exists, Q

from hromada.core.errors import ValidationFailed
from hromada.territory.models import Category, Unit

from .models import Function, HromadaServing, Office


def back_office_for(hromada: Unit) -> Office:
    """The back office that processes this hromada's cases: the override, else its raion's."""
    serving = HromadaServing.objects.select_related("back_office").filter(hromada=hromada).first()
    if serving and serving.back_office.is_active:
        return serving.back_office
    if hromada.raion_id:
        office = (Office.objects.filter(function=Function.BACK, is_active=True, territory_id=hromada.raion_id)
                  .order_by("id").first())
        if office:
            return office
    raise ValidationFailed(
        "Для громади «%(name)s» не визначено бек-офіс. Зверніться до адміністратора." % {"name": hromada.name},
        code="no_back_office")


def hromada_ids_served_by(office: Office) -> list[int]:
    """Hromadas whose cases this back office processes: explicit overrides plus, for the first active back office
    of a raion, the raion's active hromadas that no override sends elsewhere. One query (every page of the back
    office computes its scope from it)."""
    if office.function != Function.BACK:
        return []
    explicit = Unit.objects.filter(serving__back_office_id=office.pk).order_by().values_list("id", flat=True)
    if not office.is_active:
        return sorted(explicit)
    earlier = Office.objects.filter(function=Function.BACK, is_active=True, territory_id=office.territory_id,
                                    id__lt=office.pk)
    default = (Unit.objects.filter(category=Category.HROMADA, raion_id=office.territory_id, is_active=True,
                                   serving__isnull=True)
               .filter(~Exists(earlier)).order_by().values_list("id", flat=True))
    # A UNION, not an OR over the join: each half reads its own index (9 ms → 0.1 ms at the national codifier).
    return sorted(explicit.union(default))


def front_offices(*, hromada: Unit | None = None):
    qs = Office.objects.filter(function=Function.FRONT, is_active=True).select_related("hromada")
    if hromada is not None:
        qs = qs.filter(hromada=hromada)
    return qs


def offices_q_for_hromadas(ids) -> Q:
    return Q(hromada_id__in=ids)
