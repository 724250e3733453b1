"""Writes to the person registry. One transaction each; every change is audited.

``data`` is the API shape of a person (see ``api.PersonIn``)::

    {last_name, first_name, patronymic, birth_date, sex, rnokpp, no_rnokpp_reason,
     id_document: {type, number}, phone, email, address: {settlement_code, street, house, flat}, is_idp}
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.audit.services import audited_read, enforce_limit, record
from hromada.core import db, throttle
from hromada.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hromada.core.text import normalize_name
from hromada.territory.models import Unit

from . import scoping
from .duplicates import Candidate, exact_matches, find_duplicates, name_key
from .models import RESIDENCE_CATEGORIES, HouseholdMember, Person, PersonAccess, PersonLink, Relation
from .validators import FieldError, combined_error, validate_person

PERSON_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "sex", "rnokpp", "no_rnokpp_reason",
                 "id_document_type", "id_document_number", "street", "house", "flat", "phone", "email", "is_idp")


def actor_hromada(actor: User) -> Unit:
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


def _duplicate_person(candidate: Candidate, *, actor: User | None = None) -> Conflict:
    what = _("РНОКПП") if candidate.match == "rnokpp" else _("документом")
    if actor is not None and not access.can_see(actor, candidate.person):
        # Another hromada's resident (or a child of a protection case): the answer names nobody and no record.
        return Conflict(
            _("Особа з таким %(what)s уже зареєстрована в іншій громаді. Якщо мешканець присутній, візьміть "
              "особу в роботу громади, підтвердивши її документом.") % {"what": what},
            code="duplicate_person", details={"match": candidate.match, "elsewhere": True})
    return Conflict(
        _("Особа з таким %(what)s вже є в реєстрі. Знайдіть її за цим номером замість повторної реєстрації.")
        % {"what": what},
        code="duplicate_person", details={"person_id": candidate.person.pk, "match": candidate.match})


def _apply(person: Person, clean: dict, settlement: Unit | None) -> dict[str, list]:
    """Apply the cleaned values; ``{field: [old, new]}`` of what changed (the audit keeps both: an old РНОКПП or
    document number stays findable; the audit log masks them for roles that may not see personal data)."""
    changed: dict[str, list] = {}
    for field in PERSON_FIELDS:
        if getattr(person, field) != clean[field]:
            changed[field] = [getattr(person, field), clean[field]]
            setattr(person, field, clean[field])
    if person.settlement_id != (settlement.pk if settlement else None):
        changed["settlement"] = [person.settlement.code if person.settlement_id else "",
                                 settlement.code if settlement else ""]
        person.settlement = settlement
    person.follow_settlement()  # the household's members are saved in bulk, past ``Person.save``
    person.name_key = name_key(person.last_name, person.first_name, person.patronymic)
    return changed


def _save(person: Person, *, actor: User, **kwargs: Any) -> None:
    """Save, turning a lost race on the unique РНОКПП/document into the same 409 as the pre-check — naming the other
    person only to an actor who may see her, as the pre-check does. Inside ``all_or_nothing`` the race's
    IntegrityError rolls the caller's transaction back (the caller runs again)."""
    if db.in_all_or_nothing():
        person.save(**kwargs)
        return
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError:
        clash = exact_matches(rnokpp=person.rnokpp, id_document_type=person.id_document_type,
                              id_document_number=person.id_document_number, exclude_pk=person.pk)
        if clash:
            raise _duplicate_person(clash[0], actor=actor) from None
        raise


def register_person(*, actor: User, data: dict, confirm_not_duplicate: bool = False,
                    request: HttpRequest | None = None) -> Person:
    """Register a resident in the actor's hromada.

    Refuses (409 ``duplicate_person``) a РНОКПП or document already in the registry, and (409
    ``possible_duplicate``, candidates in ``details``) a similar name with the same birth date unless
    the specialist confirmed it is another person. Invalid data: 422 with the codes of ``validators``.
    """
    access.require(actor, "person.register")
    hromada = actor_hromada(actor)
    clean = validate_person(data)
    settlement = resolve_settlement(clean["settlement_code"])
    # The check reads only (a race is caught by the unique constraints in ``_save``); its answer is audited.
    candidates = find_duplicates(data=clean)
    exact = [c for c in candidates if c.match != "name"]
    if exact or (candidates and not confirm_not_duplicate):
        _audit_duplicate_check(actor, candidates, request)
        raise _duplicate_person(exact[0], actor=actor) if exact else _possible_duplicate(actor, candidates)
    person = Person(registered_hromada=hromada, registered_by=actor)
    _apply(person, clean, settlement)
    try:
        # The service's transaction is the only one: a lost race on the unique РНОКПП/document rolls it back
        # whole and is answered after it (no savepoint around the INSERT). Inside ``all_or_nothing`` the caller's
        # transaction rolls back and the caller runs again.
        with db.atomic():
            person.save()
            record(actor=actor, action="person.register", obj=person, hromada_id=hromada.pk, request=request,
                   details={"confirmed_not_duplicate": bool(candidates),
                            "similar": [c.person.pk for c in candidates]})
    except IntegrityError:
        if db.in_all_or_nothing():
            raise
        clash = exact_matches(rnokpp=person.rnokpp, id_document_type=person.id_document_type,
                              id_document_number=person.id_document_number)
        if clash:
            # The race's winner may be another hromada's resident: answered as the pre-check answers the actor.
            raise _duplicate_person(clash[0], actor=actor) from None
        raise
    return person


# A household registered in one request: the head and the people living with them (a big family fits).
MAX_HOUSEHOLD = 20


def _member_error(index: int, exc: ValidationFailed) -> ValidationFailed:
    """The member's own error, its fields named ``members[i].field`` so a form can point at the row."""
    details = dict(exc.details or {})
    for error in details.get("errors", []):
        error["field"] = f"members[{index}].{error.get('field', '')}".rstrip(".")
    details["member_index"] = index
    return type(exc)(exc.message, code=exc.code, details=details)


def register_household(*, actor: User, members: list[dict], relations: list[dict],
                       request: HttpRequest | None = None) -> list[Person]:
    """Register a household of new residents in the actor's hromada in one transaction.

    ``members[0]`` is the head of the household; every other member has exactly one ``relations`` item
    ``{member_index, relation}`` saying who they are to the head. Each member is checked as ``register_person``
    checks one (422 codes of ``validators``, 409 ``duplicate_person`` / ``possible_duplicate`` unless the
    member's ``confirm_not_duplicate``), the answer naming the member (``details.member_index``). All or nothing.
    """
    access.require(actor, "person.register")
    hromada = actor_hromada(actor)
    if not members:
        raise ValidationFailed(_("Додайте до домогосподарства хоча б одну особу."), code="required_field",
                               details={"field": "members"})
    if len(members) > MAX_HOUSEHOLD:
        raise ValidationFailed(_("Забагато осіб в одному домогосподарстві (не більше %(max)s).")
                               % {"max": MAX_HOUSEHOLD}, code="household_too_large", details={"max": MAX_HOUSEHOLD})
    relation_of: dict[int, str] = {}
    for item in relations:
        index, relation = item.get("member_index"), item.get("relation")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 < index < len(members) \
                or index in relation_of:
            raise ValidationFailed(_("Ступінь зв’язку вказано для особи, якої немає серед членів домогосподарства "
                                     "(або двічі); голова домогосподарства — перша особа."),
                                   code="invalid_member_index", details={"member_index": index})
        if relation not in Relation.values:
            raise ValidationFailed(_("Оберіть ступінь зв’язку зі списку."), code="invalid_relation",
                                   details={"member_index": index, "allowed": list(Relation.values)})
        relation_of[index] = relation
    missing = [i for i in range(1, len(members)) if i not in relation_of]
    if missing:
        raise ValidationFailed(_("Вкажіть, ким кожен член домогосподарства доводиться голові домогосподарства."),
                               code="member_relation_required", details={"member_index": missing[0]})
    cleaned: list[tuple[dict, Unit | None]] = []
    seen: dict[tuple, int] = {}
    for index, data in enumerate(members):
        try:
            clean = validate_person(data)
            settlement = resolve_settlement(clean["settlement_code"])
        except ValidationFailed as exc:
            raise _member_error(index, exc) from None
        for key in (("rnokpp", clean["rnokpp"]), ("doc", clean["id_document_type"], clean["id_document_number"])):
            if key[-1] and key in seen:
                raise ValidationFailed(_("Двоє членів домогосподарства мають однаковий РНОКПП або документ."),
                                       code="duplicate_in_household",
                                       details={"member_index": index, "same_as": seen[key]})
            seen[key] = index
        candidates = find_duplicates(data=clean)
        exact = [c for c in candidates if c.match != "name"]
        if exact or (candidates and not data.get("confirm_not_duplicate")):
            _audit_duplicate_check(actor, candidates, request)
            refusal = _duplicate_person(exact[0], actor=actor) if exact else _possible_duplicate(actor, candidates)
            raise Conflict(refusal.message, code=refusal.code,
                           details={**(refusal.details or {}), "member_index": index})
        cleaned.append((clean, settlement))
    with transaction.atomic():
        persons = []
        for clean, settlement in cleaned:
            person = Person(registered_hromada=hromada, registered_by=actor)
            _apply(person, clean, settlement)
            persons.append(person)
        try:
            with transaction.atomic():
                Person.objects.bulk_create(persons)
        except IntegrityError:
            # Lost a race on a unique РНОКПП/document: answer as the pre-check would have.
            for index, person in enumerate(persons):
                clash = exact_matches(rnokpp=person.rnokpp, id_document_type=person.id_document_type,
                                      id_document_number=person.id_document_number)
                if clash:
                    refusal = _duplicate_person(clash[0], actor=actor)
                    raise Conflict(refusal.message, code=refusal.code,
                                   details={**(refusal.details or {}), "member_index": index}) from None
            raise
        head = persons[0]
        today = timezone.localdate()
        HouseholdMember.objects.bulk_create([
            HouseholdMember(person=head, member=persons[i], relation=relation_of[i], since=today)
            for i in range(1, len(persons))])
        for index, person in enumerate(persons):
            record(actor=actor, action="person.register", obj=person, hromada_id=hromada.pk, request=request,
                   details={"household_of": head.pk if index else None, "member_index": index})
        if len(persons) > 1:
            record(actor=actor, action="person.household_register", obj=head, hromada_id=hromada.pk,
                   request=request, details={"members": [{"member_id": persons[i].pk, "relation": relation_of[i]}
                                                         for i in range(1, len(persons))]})
    return persons


def _possible_duplicate(actor: User, candidates: Sequence[Candidate]) -> Conflict:
    """Similar records the specialist may see are listed; of anyone else only the fact that someone similar is
    registered elsewhere is told — no name, hromada, digits or id (that would open the national registry)."""
    visible = set(access.visible(actor, Person).filter(pk__in=[c.person.pk for c in candidates])
                  .values_list("pk", flat=True))
    shown = [c.as_dict() for c in candidates if c.person.pk in visible]
    elsewhere = len(shown) < len(candidates)
    if shown:
        message = _("Можливо, цю особу вже зареєстровано. Перевірте схожі записи або підтвердьте, що це інша особа.")
    else:
        message = _("Можливо, схожу особу зареєстровано в іншій громаді — підтвердьте особу документом "
                    "(РНОКПП і номер документа) або підтвердьте, що це інша особа.")
    return Conflict(message, code="possible_duplicate", details={"candidates": shown, "elsewhere": elsewhere})


def _audit_duplicate_check(actor: User, candidates: Sequence[Candidate], request: HttpRequest | None) -> None:
    """A duplicate-check answer is a read of the registry: one entry naming the records it matched. An answer
    about someone outside the desk's scope says a number exists: it counts as a national lookup (throttled)."""
    if any(not access.can_see(actor, c.person) for c in candidates):
        _national_lookup_allowed(actor, request)
    audited_read(actor=actor, action="person.duplicate_check", objects=[c.person for c in candidates],
                 request=request, details={"matches": [c.match for c in candidates]})


def update_person(*, actor: User, person_id: int, data: dict, expected_version: int,
                  request: HttpRequest | None = None) -> Person:
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
            raise _duplicate_person(clash[0], actor=actor)
        changed = _apply(person, clean, settlement)
        if changed:
            person.version += 1
            _save(person, actor=actor)
            record(actor=actor, action="person.change", obj=person, hromada_id=person.registered_hromada_id,
                   request=request, details={"fields": list(changed), "changes": changed, "version": person.version})
    return person


def add_household_member(*, actor: User, person_id: int, member_id: int, relation: str,
                         request: HttpRequest | None = None) -> HouseholdMember:
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


def remove_household_member(*, actor: User, person_id: int, member_id: int, request: HttpRequest | None = None) -> None:
    access.require(actor, "person.change")
    with transaction.atomic():
        person = access.get_visible(actor, Person, pk=person_id)
        deleted, _rows = HouseholdMember.objects.filter(person=person, member_id=member_id).delete()
        if not deleted:
            raise NotFound(_("Цієї особи немає в домогосподарстві."), code="household_member_not_found")
        record(actor=actor, action="person.household_remove", obj=person, hromada_id=person.registered_hromada_id,
               request=request, details={"member_id": int(member_id)})


def link_person_to_desk(*, actor: User, person: Person, reason: str,
                        request: HttpRequest | None = None) -> PersonLink | None:
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


# --- "Взяти особу в роботу громади": the national lookup ------------------------------------------------------
RNOKPP_RE = re.compile(r"^\d{10}$")
# (limit, window in seconds). Every national lookup counts; a miss counts again in its own, much smaller budget:
# a desk's day has a handful of residents from elsewhere and few typos, an enumeration is nearly all misses.
NATIONAL_LOOKUP_LIMITS = {"national_lookup": (60, 24 * 3600), "national_lookup_miss": (10, 3600),
                          "national_lookup_miss_day": (25, 24 * 3600)}


def _limits() -> dict:
    return {**NATIONAL_LOOKUP_LIMITS, **getattr(settings, "HROMADA_NATIONAL_LOOKUP_LIMITS", {})}


def _national_lookup_allowed(actor: User, request: HttpRequest | None) -> None:
    """Count one national lookup; refuse (429 ``rate_limited``, a security alert in the audit log) over a limit,
    or when the user's misses already used their budget."""
    limits = _limits()
    for kind in ("national_lookup_miss", "national_lookup_miss_day"):
        limit, window = limits[kind]
        enforce_limit(actor=actor, kind=kind, limit=limit, window=window, request=request, amount=0)
    limit, window = limits["national_lookup"]
    enforce_limit(actor=actor, kind="national_lookup", limit=limit, window=window, request=request)


def _count_miss(actor: User) -> None:
    limits = _limits()
    for kind in ("national_lookup_miss", "national_lookup_miss_day"):
        throttle.count(kind, actor.pk, window=limits[kind][1])


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def take_person_into_work(*, actor: User, rnokpp: str, reason: str, id_document_number: str = "", last_name: str = "",
                          first_name: str = "", patronymic: str = "", birth_date: date | None = None,
                          request: HttpRequest | None = None) -> Person:
    """Find a resident anywhere in the country and take her into this hromada's work ("взяти особу в роботу
    громади"): the resident is at the desk, so the specialist proves it with her РНОКПП *and* either her identity
    document's number or her full name and birth date, and states why (``reason``).

    A match links the person to the desk's hromada (``PersonLink``), a miss answers 404 ``person_not_found``
    exactly as for a number nobody holds; both are audited (``person.take_into_work`` / ``person.lookup_miss``).
    Children of protection cases are never found this way. Throttled per user (429 ``rate_limited``).
    """
    access.require(actor, "person.lookup_by_identifier")
    hromada = actor_hromada(actor)
    rnokpp, number, reason = _compact(rnokpp), _compact(id_document_number), " ".join((reason or "").split())
    errors = []
    if not RNOKPP_RE.match(rnokpp):
        errors.append(FieldError("rnokpp", "invalid_rnokpp", _("РНОКПП — це 10 цифр.")))
    by_name = bool(last_name and first_name and birth_date)
    if not number and not by_name:
        errors.append(FieldError("id_document_number", "presence_proof_required",
                                 _("Підтвердьте присутність особи: номер документа, що посвідчує особу, або прізвище, "
                                   "ім’я та дату народження.")))
    if len(reason) < 5:
        errors.append(FieldError("reason", "reason_required",
                                 _("Зазначте, навіщо громада бере особу в роботу (наприклад, «звернення за "
                                   "допомогою»).")))
    if errors:
        raise combined_error(errors)
    _national_lookup_allowed(actor, request)
    person, proof = _present_person(actor, rnokpp=rnokpp, number=number, last_name=last_name,
                                    first_name=first_name, patronymic=patronymic, birth_date=birth_date)
    if person is None:
        proof = "document" if number else "name_birth_date"
        _count_miss(actor)
        record(actor=actor, action="person.lookup_miss", object_type="persons.person", hromada_id=hromada.pk,
               request=request, details={"proof": proof})
        raise NotFound(_("Особу з такими даними не знайдено. Перевірте РНОКПП і номер документа (або прізвище, "
                         "ім’я та дату народження)."), code="person_not_found")
    with transaction.atomic():
        link, created = PersonLink.objects.get_or_create(
            person=person, hromada=hromada,
            defaults={"linked_by": actor, "reason": proof, "purpose": reason[:255]})
        record(actor=actor, action="person.take_into_work", obj=person, hromada_id=hromada.pk, request=request,
               details={"proof": proof, "reason": reason[:255], "linked": created,
                        "registered_hromada_id": person.registered_hromada_id})
    return person


def _present_person(actor: User, *, rnokpp: str, number: str, last_name: str, first_name: str, patronymic: str,
                    birth_date: date | None) -> tuple[Person | None, str]:
    """The person holding ``rnokpp`` and the proof that matched her record ("document" or "name_birth_date");
    ``(None, "")`` otherwise (no difference is told between a missing number and a wrong proof)."""
    qs = Person.objects.filter(rnokpp=rnokpp)
    if not access.may(actor, "childcase.view"):
        qs = qs.exclude(scoping.CHILDREN)
    person = qs.select_related("registered_hromada").first()
    if person is None:
        return None, ""
    if number and _compact(person.id_document_number) == number:
        return person, "document"
    if last_name and first_name and birth_date and person.birth_date == birth_date \
            and normalize_name(f"{last_name} {first_name}") == normalize_name(f"{person.last_name} {person.first_name}") \
            and not (patronymic and person.patronymic
                     and normalize_name(patronymic) != normalize_name(person.patronymic)):
        return person, "name_birth_date"
    return None, ""


def mark_child_of_case(person: Person) -> None:
    """The person is the child of a child-protection case: from now on only the children's service (and the staff of a
    case she takes part in) find her (``Person.in_child_case``). Never cleared. The case's own audit entry records it;
    on PostgreSQL a trigger on the cases sets it too, for a case written by any other path."""
    Person.objects.filter(pk=person.pk, in_child_case=False).update(in_child_case=True)
    person.in_child_case = True


# ---- "persons in a case I can see": who takes part in a case of which hromada (persons.PersonAccess) -----------
# The applications app (a floor above) calls these inside its own service's transaction whenever it adds or removes
# participants; they write no audit entry of their own (the case's entry records the change) and open no savepoint.


def grant_case_access(*, person_ids: Iterable[int], hromada_id: int,
                      along: tuple[str, Sequence[Any]] | None = None) -> list[tuple[Any, ...]]:
    """The persons take part in a case of ``hromada_id``: its staff may see them (``scoping.person_scope_q``).
    One statement; a pair already there stays as it is. A row is written only for a person registered in another
    hromada (``PersonAccess``), read from the person in the same statement: its own residents the staff see anyway.

    ``along``: the caller's own statement with RETURNING (the case's participants' INSERT), sent in the same round
    trip on PostgreSQL — the grant as a data-modifying CTE in front of it — and run right after the grant
    elsewhere; its rows are returned."""
    pairs = sorted(set(person_ids))
    connection = transaction.get_connection()
    meta, qn = PersonAccess._meta, connection.ops.quote_name
    person_meta = Person._meta
    columns = ", ".join(qn(meta.get_field(name).column) for name in ("person", "hromada"))
    home_of = qn(person_meta.get_field("registered_hromada").column)
    postgres = connection.vendor == "postgresql"
    # Identifiers from the models, quoted by the backend; every value is a parameter. "WHERE" before ON CONFLICT
    # keeps SQLite's parser from reading the conflict clause as a join's.
    pk = qn(person_meta.pk.column)
    among = (f"= ANY(%s::{person_meta.pk.db_type(connection)}[])" if postgres
             else f"IN ({', '.join(['%s'] * len(pairs))})")
    grant = (f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
             f"SELECT {pk}, %s FROM {qn(person_meta.db_table)} "
             f"WHERE {home_of} <> %s AND {pk} {among} ON CONFLICT DO NOTHING")
    params: list[Any] = [hromada_id, hromada_id, *([pairs] if postgres else pairs)]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if along is not None and pairs and postgres:
            cursor.execute(f"WITH granted AS ({grant}) {along[0]}", [*params, *along[1]])
            return cursor.fetchall()
        if pairs:
            cursor.execute(grant, params)
        if along is None:
            return []
        cursor.execute(*along)
        return cursor.fetchall()


def revoke_case_access(*, person_ids: Iterable[int], hromada_id: int) -> None:
    """The persons take part in no case of ``hromada_id`` any more (the caller checked): the pairs go."""
    ids = sorted(set(person_ids))
    if ids:
        with transaction.atomic(savepoint=False):
            PersonAccess.objects.filter(hromada_id=hromada_id, person_id__in=ids).delete()


def follow_settlement_raions(settlement_ids: Iterable[int] | None = None) -> int:
    """Residents of settlements moved to another raion take the new one (``Person.raion`` is the settlement's);
    ``None``: of every settlement (the nightly repair). How many persons moved.

    Derived data, not a change of anyone's record: nothing is audited (the unit's own change is what happened)."""
    from django.db.models import F, OuterRef, Subquery

    residents = Person.objects.filter(settlement__isnull=False)
    if settlement_ids is not None:
        residents = residents.filter(settlement_id__in=list(settlement_ids))
    # ``raion IS DISTINCT FROM settlement.raion``: either side may be NULL (Kyiv has no raion).
    stale = (residents.exclude(raion_id=F("settlement__raion_id"))
             .exclude(raion__isnull=True, settlement__raion__isnull=True))
    with transaction.atomic():
        return stale.order_by().update(
            raion=Subquery(Unit.objects.filter(pk=OuterRef("settlement_id")).values("raion_id")[:1]))
