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

from django.db import IntegrityError, transaction

from hromada.accounts import access
from hromada.applications.models import IdempotencyRecord
from hromada.applications.services import documents as document_services
from hromada.applications.services import intake
from hromada.core.errors import Conflict, ValidationFailed
from hromada.persons import selectors as person_selectors
from hromada.persons import services as person_services

SCOPE = "offline_intake"
MAX_KEY = 128


@dataclass
class SyncResult:
    response: dict
    replayed: bool = False


def _stored(actor, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=actor, scope=SCOPE, key=key).first()


def _existing_person(actor, person_id, person_data: dict):
    """The registry's person the specialist chose instead of the typed one. It must carry the same РНОКПП or
    document as typed: proof the resident stood at the desk with these papers (the lookup links the person to the
    desk's hromada and is audited by the persons app)."""
    rnokpp = (person_data.get("rnokpp") or "").strip()
    document = ((person_data.get("id_document") or {}).get("number") or "").strip()
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
    raise ValidationFailed("Обрана особа не має такого РНОКПП чи документа, як у заяві.", code="person_mismatch")


def sync_offline_case(*, actor, client_key: str, payload: dict, files: dict, use_existing_person_id=None,
                      confirm_not_duplicate: bool = False, request=None) -> SyncResult:
    """Register the person, create, fill and submit the application — all or nothing, exactly once per key.

    ``payload``: {"person": <persons API shape>, "service_code", "channel", "paper_received_on"?}.
    ``files``: {document_code: [UploadedFile, …]}.
    """
    key = (client_key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed("Потрібен ключ справи (client_key) до 128 символів.", code="invalid_client_key")
    access.require(actor, "application.intake")
    record = _stored(actor, key)
    if record is not None:
        return SyncResult(response=record.response, replayed=True)
    person_data = payload.get("person") or {}
    try:
        with transaction.atomic():
            if use_existing_person_id:
                person = _existing_person(actor, use_existing_person_id, person_data)
            else:
                try:
                    person = person_services.register_person(actor=actor, data=person_data,
                                                             confirm_not_duplicate=confirm_not_duplicate,
                                                             request=request)
                except Conflict as exc:
                    # Registered meanwhile elsewhere: show both sides, never merge on our own.
                    details = dict(exc.details or {})
                    if "person_id" in details:
                        details["candidates"] = [_summary(actor, details["person_id"], person_data)]
                    raise Conflict(
                        "Цю особу вже зареєстровано, поки не було зв’язку. Порівняйте дані та оберіть, як діяти.",
                        code="person_conflict", details={"reason": exc.code, **details}) from exc
            app = intake.create_application(
                actor=actor, service_code=payload.get("service_code") or "", applicant_id=person.pk,
                channel=payload.get("channel") or "in_person", paper_received_on=payload.get("paper_received_on"))
            document_services.attach_documents(
                actor=actor, application_id=app.pk, request=request,
                uploads=[(code, upload) for code, uploads in files.items() for upload in uploads])
            submitted = intake.submit_application(actor=actor, application_id=app.pk, idempotency_key=f"offline:{key}",
                                                  request=request)
            response = {**submitted.response, "person_id": person.pk, "client_key": key}
            IdempotencyRecord.objects.create(key=key, user=actor, scope=SCOPE, application=submitted.application,
                                             status_code=200, response=response)
    except IntegrityError:
        # Two sends of the same case raced: the other one committed first; answer with its result.
        record = _stored(actor, key)
        if record is None:
            raise
        return SyncResult(response=record.response, replayed=True)
    return SyncResult(response=response)


def _summary(actor, person_id, typed: dict) -> dict:
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
