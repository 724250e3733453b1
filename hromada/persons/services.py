"""Writes to the person registry. One transaction each; every change is audited.

``data`` is the API shape of a person (see ``api.PersonIn``)::

    {last_name, first_name, patronymic, birth_date, sex, rnokpp, no_rnokpp_reason,
     id_document: {type, number}, phone, email, address: {settlement_code, street, house, flat}, is_idp}
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.audit.services import record
from hromada.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hromada.territory.models import Category, Unit

from .duplicates import exact_matches, find_duplicates, name_key
from .models import HouseholdMember, Person, PersonLink, Relation
from .validators import FieldError, combined_error, validate_person

# Where a person may live: settlements and the cities with special status (Kyiv, Sevastopol).
RESIDENCE_CATEGORIES = (Category.CITY, Category.URBAN_SETTLEMENT, Category.RURAL_SETTLEMENT, Category.VILLAGE,
                        Category.SPECIAL_CITY)
PERSON_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "sex", "rnokpp", "no_rnokpp_reason",
                 "id_document_type", "id_document_number", "street", "house", "flat", "phone", "email", "is_idp")


def actor_hromada(actor) -> Unit:
    """The hromada of the actor's front office: where a person registered by them belongs."""
    office = getattr(actor, "office", None)
    if office is None or office.hromada_id is None:
        raise Forbidden(_("Реєструвати осіб може лише фахівець фронт-офісу громади."), code="no_front_office")
    return office.hromada


def resolve_settlement(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code, category__in=RESIDENCE_CATEGORIES).first()
    if unit is None:
        raise combined_error([FieldError("address.settlement_code", "invalid_settlement",
                                         _("Населений пункт не знайдено в кодифікаторі КАТОТТГ."))])
    return unit


def person_as_data(person: Person) -> dict:
    """The API shape of a stored person: the base a partial update is applied to."""
    return {
        "last_name": person.last_name, "first_name": person.first_name, "patronymic": person.patronymic,
        "birth_date": person.birth_date, "sex": person.sex, "rnokpp": person.rnokpp or "",
        "no_rnokpp_reason": person.no_rnokpp_reason,
        "id_document": {"type": person.id_document_type, "number": person.id_document_number},
        "phone": person.phone, "email": person.email, "is_idp": person.is_idp,
        "address": {"settlement_code": person.settlement.code if person.settlement_id else "",
                    "street": person.street, "house": person.house, "flat": person.flat},
    }


def _duplicate_person(candidate) -> Conflict:
    what = _("РНОКПП") if candidate.match == "rnokpp" else _("документом")
    return Conflict(
        _("Особа з таким %(what)s вже є в реєстрі. Знайдіть її за цим номером замість повторної реєстрації.")
        % {"what": what},
        code="duplicate_person", details={"person_id": candidate.person.pk, "match": candidate.match})


def _apply(person: Person, clean: dict, settlement: Unit | None) -> list[str]:
    changed = []
    for field in PERSON_FIELDS:
        if getattr(person, field) != clean[field]:
            setattr(person, field, clean[field])
            changed.append(field)
    if person.settlement_id != (settlement.pk if settlement else None):
        person.settlement = settlement
        changed.append("settlement")
    person.name_key = name_key(person.last_name, person.first_name, person.patronymic)
    return changed


def _save(person: Person, **kwargs) -> None:
    """Save, turning a lost race on the unique РНОКПП/document into the same 409 as the pre-check."""
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError:
        clash = exact_matches(rnokpp=person.rnokpp, id_document_type=person.id_document_type,
                              id_document_number=person.id_document_number, exclude_pk=person.pk)
        if clash:
            raise _duplicate_person(clash[0]) from None
        raise


def register_person(*, actor, data: dict, confirm_not_duplicate: bool = False, request=None) -> Person:
    """Register a resident in the actor's hromada.

    Refuses (409 ``duplicate_person``) a РНОКПП or document already in the registry, and (409
    ``possible_duplicate``, candidates in ``details``) a similar name with the same birth date unless
    the specialist confirmed it is another person. Invalid data: 422 with the codes of ``validators``.
    """
    access.require(actor, "person.register")
    hromada = actor_hromada(actor)
    clean = validate_person(data)
    settlement = resolve_settlement(clean["settlement_code"])
    with transaction.atomic():
        candidates = find_duplicates(data=clean)
        exact = [c for c in candidates if c.match != "name"]
        if exact:
            raise _duplicate_person(exact[0])
        if candidates and not confirm_not_duplicate:
            raise Conflict(_("Можливо, цю особу вже зареєстровано. Перевірте схожі записи або підтвердьте, "
                             "що це інша особа."), code="possible_duplicate",
                           details={"candidates": [c.as_dict() for c in candidates]})
        person = Person(registered_hromada=hromada, registered_by=actor)
        _apply(person, clean, settlement)
        _save(person)
        record(actor=actor, action="person.register", obj=person, hromada_id=hromada.pk, request=request,
               details={"confirmed_not_duplicate": bool(candidates),
                        "similar": [c.person.pk for c in candidates]})
    return person


def update_person(*, actor, person_id, data: dict, expected_version: int, request=None) -> Person:
    """Change a person's record (only the keys present in ``data``; ``id_document`` and ``address``
    are replaced as a whole). ``expected_version`` is the version the specialist edited: if someone
    saved in between, 409 ``stale_version``."""
    access.require(actor, "person.change")
    with transaction.atomic():
        person = access.get_visible(actor, Person.objects.select_for_update(of=("self",)).select_related("settlement"),
                                    pk=person_id)
        if expected_version is None or int(expected_version) != person.version:
            raise Conflict(_("Дані особи вже змінив інший користувач. Оновіть сторінку й внесіть зміни ще раз."),
                           code="stale_version", details={"version": person.version})
        merged = person_as_data(person)
        merged.update({k: v for k, v in data.items() if k in merged})
        clean = validate_person(merged)
        settlement = resolve_settlement(clean["settlement_code"])
        clash = exact_matches(rnokpp=clean["rnokpp"], id_document_type=clean["id_document_type"],
                              id_document_number=clean["id_document_number"], exclude_pk=person.pk)
        if clash:
            raise _duplicate_person(clash[0])
        changed = _apply(person, clean, settlement)
        if changed:
            person.version += 1
            _save(person)
            record(actor=actor, action="person.change", obj=person, hromada_id=person.registered_hromada_id,
                   request=request, details={"fields": changed, "version": person.version})
    return person


def add_household_member(*, actor, person_id, member_id, relation: str, request=None) -> HouseholdMember:
    """Record ``member`` as a member of ``person``'s household. Both must be in the actor's scope."""
    access.require(actor, "person.change")
    if relation not in Relation.values:
        raise ValidationFailed(_("Оберіть ступінь зв’язку зі списку."), code="invalid_relation",
                               details={"allowed": list(Relation.values)})
    with transaction.atomic():
        person = access.get_visible(actor, Person, pk=person_id)
        member = access.get_visible(actor, Person, pk=member_id)
        if person.pk == member.pk:
            raise ValidationFailed(_("Особа не може бути членом власного домогосподарства."), code="member_is_self")
        if HouseholdMember.objects.filter(person=person, member=member).exists():
            raise Conflict(_("Цю особу вже додано до домогосподарства."), code="already_household_member")
        link = HouseholdMember.objects.create(person=person, member=member, relation=relation,
                                              since=timezone.localdate())
        record(actor=actor, action="person.household_add", obj=person, hromada_id=person.registered_hromada_id,
               request=request, details={"member_id": member.pk, "relation": relation})
    return link


def remove_household_member(*, actor, person_id, member_id, request=None) -> None:
    access.require(actor, "person.change")
    with transaction.atomic():
        person = access.get_visible(actor, Person, pk=person_id)
        deleted, _rows = HouseholdMember.objects.filter(person=person, member_id=member_id).delete()
        if not deleted:
            raise NotFound(_("Цієї особи немає в домогосподарстві."), code="household_member_not_found")
        record(actor=actor, action="person.household_remove", obj=person, hromada_id=person.registered_hromada_id,
               request=request, details={"member_id": int(member_id)})


def link_person_to_desk(*, actor, person: Person, reason: str, request=None) -> PersonLink | None:
    """Make a person of another hromada visible here after the resident showed their РНОКПП or
    document at this hromada's desk (``reason``: "rnokpp" | "document"). Audited; no-op if linked."""
    hromada = actor_hromada(actor)
    with transaction.atomic():
        link, created = PersonLink.objects.get_or_create(
            person=person, hromada=hromada, defaults={"linked_by": actor, "reason": reason})
        if created:
            record(actor=actor, action="person.link", obj=person, hromada_id=hromada.pk, request=request,
                   details={"reason": reason, "registered_hromada_id": person.registered_hromada_id})
    return link if created else None
