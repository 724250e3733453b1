from __future__ import annotations

from django.db.models import Q

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
    """Hromadas whose cases this back office processes (explicit overrides plus raion default)."""
    if office.function != Function.BACK:
        return []
    explicit = set(HromadaServing.objects.filter(back_office=office).values_list("hromada_id", flat=True))
    default: set[int] = set()
    if office.territory.category == Category.RAION:
        overridden = HromadaServing.objects.exclude(back_office=office).values("hromada_id")
        # A raion's department is the default only if it is the raion's first back office.
        first = (Office.objects.filter(function=Function.BACK, is_active=True, territory_id=office.territory_id)
                 .order_by("id").values_list("id", flat=True).first())
        if first == office.id:
            default = set(Unit.objects.filter(category=Category.HROMADA, raion_id=office.territory_id,
                                              is_active=True)
                          .exclude(id__in=overridden).values_list("id", flat=True))
    return sorted(explicit | default)


def front_offices(*, hromada: Unit | None = None):
    qs = Office.objects.filter(function=Function.FRONT, is_active=True).select_related("hromada")
    if hromada is not None:
        qs = qs.filter(hromada=hromada)
    return qs


def offices_q_for_hromadas(ids) -> Q:
    return Q(hromada_id__in=ids)
