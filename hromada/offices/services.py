"""Writes for offices: opening an office, choosing the back office that serves a hromada."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hromada.accounts.models import User
from hromada.audit.services import record
from hromada.core.errors import ValidationFailed
from hromada.territory.models import Category, Unit

from .models import AUTHORITY_KINDS, BACK_KINDS, FRONT_KINDS, Function, HromadaServing, Office, authority_of_kind


@transaction.atomic
def open_office(*, name: str, kind: str, territory: Unit, settlement: Unit | None = None,
                address: str = "", phone: str = "", email: str = "", opened_on: date | None = None) -> Office:
    if kind in FRONT_KINDS:
        if territory.category != Category.HROMADA:
            raise ValidationFailed(_("Фронт-офіс відкривається в територіальній громаді."), code="invalid_territory")
        if territory.in_crimea:
            raise ValidationFailed(_("На тимчасово окупованій території фронт-офіс не відкривається."),
                                   code="occupied_territory")
        function, hromada = Function.FRONT, territory
    elif kind in BACK_KINDS:
        if territory.category not in (Category.RAION, Category.HROMADA, Category.SPECIAL_CITY, Category.OBLAST,
                                      Category.CITY):
            raise ValidationFailed(_("Бек-офіс належить району, місту, громаді або області."), code="invalid_territory")
        function, hromada = Function.BACK, None
    else:
        raise ValidationFailed(_("Невідомий вид офісу."), code="invalid_office_kind")
    office, _created = Office.objects.get_or_create(
        name=name, territory=territory, function=function,
        defaults=dict(kind=kind, hromada=hromada, settlement=settlement, address=address, phone=phone,
                      email=email, opened_on=opened_on))
    return office


@transaction.atomic
def assign_back_office(*, hromada: Unit, back_office: Office, since: date | None = None, note: str = "",
                       actor: User | None = None, request: HttpRequest | None = None) -> HromadaServing:
    """Route the hromada's cases of the office's authority (``authority_of_kind``) to ``back_office``.

    Replaces the hromada's earlier row for that authority (one per authority) and writes an audit entry with the
    old and the new office. ``actor`` is None only for seeding and migrations.
    """
    if hromada.category != Category.HROMADA:
        raise ValidationFailed(_("Бек-офіс призначається громаді."), code="invalid_territory")
    authority = authority_of_kind(back_office.kind)
    if back_office.function != Function.BACK or authority is None:
        raise ValidationFailed(_("Обраний офіс не є бек-офісом."), code="not_a_back_office")
    if not back_office.is_active:
        raise ValidationFailed(_("Обраний офіс не діє."), code="inactive_office")
    rows = list(HromadaServing.objects.select_for_update()
                .filter(hromada=hromada, back_office__kind__in=AUTHORITY_KINDS[authority]).order_by("id"))
    old = rows[0].back_office_id if rows else None
    HromadaServing.objects.filter(pk__in=[r.pk for r in rows[1:]]).delete()
    if rows:
        serving = rows[0]
        serving.back_office, serving.since, serving.note = back_office, since, note
        serving.save(update_fields=["back_office", "since", "note"])
    else:
        serving = HromadaServing.objects.create(hromada=hromada, back_office=back_office, since=since, note=note)
    record(actor=actor, action="offices.route", obj=serving, hromada_id=hromada.pk, request=request,
           details={"authority": authority, "old_office": old, "new_office": back_office.pk,
                    "since": since.isoformat() if since else None})
    return serving


@transaction.atomic
def remove_routing(*, serving_id: int, actor: User, request: HttpRequest | None = None) -> None:
    """Drop an override: the hromada's cases of that authority go to the default office again (audited)."""
    serving = HromadaServing.objects.select_for_update().select_related("back_office").get(pk=serving_id)
    record(actor=actor, action="offices.route", obj=serving, hromada_id=serving.hromada_id, request=request,
           details={"authority": authority_of_kind(serving.back_office.kind), "old_office": serving.back_office_id,
                    "new_office": None})
    serving.delete()
