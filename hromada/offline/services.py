"""Cases taken while the front office had no connection, sent once the server answers again.

The browser keeps each case (person, application, scans) in IndexedDB under a client key made when the
specialist saved it. ``sync_offline_case`` turns it into a registered person and a submitted application in ONE
transaction, and stores its answer under that key: a retry (lost response, two tabs, a reload mid-send) replays
the same answer, so each case arrives exactly once.

Conflicts are never merged silently: when the person was registered meanwhile (same РНОКПП or document, or a
similar name with the same birth date), the specialist sees the registry's record next to what they typed and
chooses to use the existing person (``use_existing_person_id``) or to correct the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import IdempotencyRecord
from hromada.applications.services import documents as document_services
from hromada.applications.services import intake
from hromada.audit import services as audit
from hromada.core import db, statemachine
from hromada.core.db import write_transaction
from hromada.core.errors import Conflict, Forbidden, HromadaError, ValidationFailed
from hromada.persons import selectors as person_selectors
from hromada.persons import services as person_services
from hromada.persons.models import HouseholdMember, Person, Relation

SCOPE = "offline_intake"
MAX_KEY = 128


@dataclass
class SyncResult:
    response: dict
    replayed: bool = False


def _stored(actor: User, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=actor, scope=SCOPE, key=key).first()


REGISTRY = "registry"   # "the registry's person" of another hromada, whose id the desk is not told


def _date_or_none(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _claim(actor: User, key: str) -> None:
    """Queue concurrent sends of the same case (two tabs, a retry racing the first send) for the rest of the
    transaction, so the second one sees the first one's stored answer and replays it. Taken before any other
    lock."""
    db.serialize_on(SCOPE, actor.pk, key)


def _require_own_case(actor: User, author_id: int | None, desk_id: int | None) -> None:
    """A case saved in the browser names the specialist and the desk (front office) that took it; anyone else
    sending it (another user signed in on the same computer, another office) is refused."""
    if author_id in (None, "") or desk_id in (None, ""):
        raise ValidationFailed(_("Справа не містить автора та робочого місця, де її прийнято (author_id, desk_id). "
                               "Оновіть сторінку офлайн-прийому."), code="offline_author_required")
    if str(author_id) != str(actor.pk) or str(desk_id) != str(actor.office_id):
        raise Forbidden(_("Цю справу прийняв інший працівник або інший офіс: надіслати її може лише той, хто її "
                        "прийняв, зі свого робочого місця."), code="offline_author_mismatch")


def _existing_person(actor: User, person_id: int | str, person_data: dict) -> Person:
    """The registry's person the specialist chose instead of the typed one. It must carry the same РНОКПП or
    document as typed: proof the resident stood at the desk with these papers (the lookup links the person to the
    desk's hromada and is audited by the persons app)."""
    rnokpp = (person_data.get("rnokpp") or "").strip()
    document = ((person_data.get("id_document") or {}).get("number") or "").strip()
    if str(person_id) == REGISTRY:
        return person_services.take_person_into_work(
            actor=actor, rnokpp=rnokpp, id_document_number=document, last_name=person_data.get("last_name") or "",
            first_name=person_data.get("first_name") or "", patronymic=person_data.get("patronymic") or "",
            birth_date=_date_or_none(person_data.get("birth_date")),
            reason="Заява, прийнята без зв’язку (офлайн-прийом)")
    found = []
    if rnokpp:
        found = person_selectors.search_persons(actor, rnokpp=rnokpp)
    if not found and document:
        found = person_selectors.search_persons(actor, document=document)
    if not found:  # a similar-name candidate in the desk's own scope
        return access.get_visible(actor, person_selectors.Person, pk=person_id)
    for person in found:
        if str(person.pk) == str(person_id):
            return person
    raise ValidationFailed(_("Обрана особа не має такого РНОКПП чи документа, як у заяві."), code="person_mismatch")


@write_transaction
def sync_offline_case(*, actor: User, client_key: str, payload: dict, files: dict,
                      use_existing_person_id: int | str | None = None,
                      confirm_not_duplicate: bool = False, author_id: int | None=None, desk_id: int | None=None,
                      request: HttpRequest | None = None) -> SyncResult:
    """Register the person, create, fill and submit the application — all or nothing, exactly once per key.

    ``payload``: {"person": <persons API shape>, "service_code", "channel", "paper_received_on"?,
    "members"?: [{"relation": <persons.Relation>, "person": <persons API shape>}, …]} — see ``_family_members``.
    ``files``: {document_code: [UploadedFile, …]}. ``author_id`` / ``desk_id``: the user and the front office
    recorded in the browser when the case was saved; they must be the sender's own.
    A concurrent or later copy of the same key answers the first one's result (``replayed``).
    """
    key = (client_key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed(_("Потрібен ключ справи (client_key) до 128 символів."), code="invalid_client_key")
    access.require(actor, "application.intake")
    _require_own_case(actor, author_id, desk_id)
    for attempt in (1, 2):
        try:
            return _sync(actor=actor, key=key, payload=payload, files=files,
                         use_existing_person_id=use_existing_person_id, confirm_not_duplicate=confirm_not_duplicate,
                         request=request)
        except IntegrityError:
            # A race lost on a unique key rolled everything back: another send of the same case committed first
            # (answer with its result), or the same resident was registered meanwhile — running again, the
            # checks see it and answer as they would have (409 person_conflict).
            record = _stored(actor, key)
            if record is not None:
                return SyncResult(response=record.response, replayed=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _sync(*, actor: User, key: str, payload: dict, files: dict, use_existing_person_id: int | str | None,
          confirm_not_duplicate: bool, request: HttpRequest | None) -> SyncResult:
    """One attempt: ONE transaction without savepoints (``all_or_nothing``: any error rolls all of it back), the
    case created once and handed on (never read again), its audit entries written in one statement (``batch``);
    its history rides in the case's own INSERT and UPDATE (``batched_events`` batches the event rows of the
    workflows that keep them: children's and social cases)."""
    person_data = payload.get("person") or {}
    with transaction.atomic(), db.all_or_nothing(), audit.batch(), statemachine.batched_events():
        _claim(actor, key)
        record = _stored(actor, key)
        if record is not None:  # sent before (or a concurrent copy committed while we waited for the claim)
            return SyncResult(response=record.response, replayed=True)
        registered: list[Person] = []
        if use_existing_person_id:
            person = _existing_person(actor, use_existing_person_id, person_data)
        else:
            try:
                person = person_services.register_person(actor=actor, data=person_data,
                                                         confirm_not_duplicate=confirm_not_duplicate,
                                                         request=request)
                registered.append(person)
            except Conflict as exc:
                # Registered meanwhile elsewhere: show both sides, never merge on our own.
                details = dict(exc.details or {})
                if "person_id" in details:
                    details["candidates"] = [_summary(actor, details["person_id"], person_data)]
                elif details.get("elsewhere") and exc.code == "duplicate_person":
                    # Another hromada's resident: nothing about her; "use the registry's person" takes her
                    # into this hromada's work with the typed papers as proof (persons.take_person_into_work).
                    details["candidates"] = [{"id": REGISTRY, "match": details.get("match", ""), "elsewhere": True}]
                raise Conflict(
                    _("Цю особу вже зареєстровано, поки не було зв’язку. Порівняйте дані та оберіть, як діяти."),
                    code="person_conflict", details={"reason": exc.code, **details}) from exc
        members = _family_members(actor, person, payload.get("members"), request=request)
        app = intake.create_application(
            actor=actor, service_code=payload.get("service_code") or "", applicant_id=person.pk,
            member_ids=[m.pk for m in members], known_persons=registered,
            channel=payload.get("channel") or "in_person", paper_received_on=payload.get("paper_received_on"))
        document_services.attach_documents(
            actor=actor, application_id=app.pk, request=request, application=app,
            uploads=[(code, upload) for code, uploads in files.items() for upload in uploads])
        # No idempotency record of the submission's own: the case's record below replays the whole intake.
        submitted = intake.submit_application(actor=actor, application_id=app.pk, request=request, application=app)
        response = {**submitted.response, "person_id": person.pk, "client_key": key}
        IdempotencyRecord.objects.create(key=key, user=actor, scope=SCOPE, application=submitted.application,
                                         status_code=200, response=response)
    return SyncResult(response=response)


MAX_MEMBERS = 20


def _member_error(index: int, person_data: dict, exc: HromadaError) -> ValidationFailed:
    """A family member's problem, named so the specialist finds the row to correct (the case stays editable)."""
    name = " ".join(filter(None, (person_data.get("last_name"), person_data.get("first_name")))).strip()
    details = {"member": index, "reason": exc.code, **(exc.details or {})}
    return ValidationFailed(_("Член сім’ї №%(n)s (%(name)s): %(message)s") % {
        "n": index + 1, "name": name or "—", "message": exc.message}, code="invalid_family_member", details=details)


def _same_person(person: Person, person_data: dict) -> bool:
    """The registry's record is the typed member: same identifier (the caller found it by one), same birth date
    and surname — anything else is a clash the specialist must look at, never a silent merge."""
    return (str(person.birth_date) == str(person_data.get("birth_date") or "")
            and person.last_name.casefold() == str(person_data.get("last_name") or "").strip().casefold())


def _family_members(actor: User, applicant: Person, members: object, *, request: HttpRequest | None = None) -> list[Person]:
    """The family members typed in the offline form, as the online wizard keeps them: each one a person of the
    registry (registered now, or the desk's existing record with the same РНОКПП/document, birth date and
    surname) and a member of the applicant's household with the relation typed; the caller adds them to the
    case as family-member participants. Any problem is a 422 ``invalid_family_member`` naming the member."""
    if members in (None, ""):
        return []
    if not isinstance(members, list) or len(members) > MAX_MEMBERS:
        raise ValidationFailed(_("Список членів сім’ї має бути списком (до %(n)s осіб).") % {"n": MAX_MEMBERS},
                               code="invalid_family_member")
    result: list[Person] = []
    for index, member in enumerate(members):
        member = member if isinstance(member, dict) else {}
        data: dict = member["person"] if isinstance(member.get("person"), dict) else {}
        relation = member.get("relation") or ""
        if relation not in Relation.values:
            raise _member_error(index, data, ValidationFailed(_("Оберіть ступінь зв’язку зі списку."),
                                                              code="invalid_relation"))
        try:
            person = person_services.register_person(actor=actor, data=data, request=request)
        except Conflict as exc:
            clash_id = (exc.details or {}).get("person_id")
            found = Person.objects.filter(pk=clash_id).first() \
                if exc.code == "duplicate_person" and clash_id is not None else None
            if found is None or not _same_person(found, data):
                raise _member_error(index, data, exc) from None
            person = found
        except ValidationFailed as exc:
            raise _member_error(index, data, exc) from None
        if person.pk == applicant.pk or person in result:
            raise _member_error(index, data, ValidationFailed(
                _("Цю особу вже вказано в заяві."), code="duplicate_family_member"))
        if not HouseholdMember.objects.filter(person=applicant, member=person).exists():
            person_services.add_household_member(actor=actor, person_id=applicant.pk, member_id=person.pk,
                                                 relation=relation, request=request)
        result.append(person)
    return result


def _summary(actor: User, person_id: int, typed: dict) -> dict:
    """What the registry holds about the clashing person, as much as the desk may see (exact-id lookup)."""
    rnokpp = (typed.get("rnokpp") or "").strip()
    document = ((typed.get("id_document") or {}).get("number") or "").strip()
    people = []
    if rnokpp:
        people = person_selectors.search_persons(actor, rnokpp=rnokpp)
    if not people and document:
        people = person_selectors.search_persons(actor, document=document)
    for p in people:
        if p.pk == person_id:
            return {"id": p.pk, "name": p.full_name, "birth_date": p.birth_date.isoformat(), "rnokpp": p.masked_rnokpp,
                    "hromada": p.registered_hromada.name if p.registered_hromada_id else "", "match": "identifier"}
    return {"id": person_id, "match": "identifier"}
