"""Writes for offices: opening an office, choosing the back office that serves a hromada."""
from __future__ import annotations

from datetime import date

from django.db import transaction

from hromada.core.errors import ValidationFailed
from hromada.territory.models import Category, Unit

from .models import BACK_KINDS, FRONT_KINDS, Function, HromadaServing, Office


@transaction.atomic
def open_office(*, name: str, kind: str, territory: Unit, settlement: Unit | None = None,
                address: str = "", phone: str = "", email: str = "", opened_on: date | None = None) -> Office:
    if kind in FRONT_KINDS:
        if territory.category != Category.HROMADA:
            raise ValidationFailed("Фронт-офіс відкривається в територіальній громаді.", code="invalid_territory")
        if territory.in_crimea:
            raise ValidationFailed("На тимчасово окупованій території фронт-офіс не відкривається.",
                                   code="occupied_territory")
        function, hromada = Function.FRONT, territory
    elif kind in BACK_KINDS:
        if territory.category not in (Category.RAION, Category.HROMADA, Category.SPECIAL_CITY, Category.OBLAST,
                                      Category.CITY):
            raise ValidationFailed("Бек-офіс належить району, місту, громаді або області.", code="invalid_territory")
        function, hromada = Function.BACK, None
    else:
        raise ValidationFailed("Невідомий вид офісу.", code="invalid_office_kind")
    office, _ = Office.objects.get_or_create(
        name=name, territory=territory, function=function,
        defaults=dict(kind=kind, hromada=hromada, settlement=settlement, address=address, phone=phone,
                      email=email, opened_on=opened_on))
    return office


@transaction.atomic
def assign_back_office(*, hromada: Unit, back_office: Office, since: date | None = None,
                       note: str = "") -> HromadaServing:
    """Override the default (raion) back office of a hromada."""
    if hromada.category != Category.HROMADA:
        raise ValidationFailed("Бек-офіс призначається громаді.", code="invalid_territory")
    if back_office.function != Function.BACK:
        raise ValidationFailed("Обраний офіс не є бек-офісом.", code="not_a_back_office")
    serving, _ = HromadaServing.objects.update_or_create(
        hromada=hromada, defaults={"back_office": back_office, "since": since, "note": note})
    return serving
