"""Intake: create the draft case, autosave it, set its participants, submit and resubmit it.

Every function is one transaction, goes through ``workflow`` for status changes and writes an audit entry.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import EllipsisType
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.audit import services as audit
from hromada.catalog import slots as catalog_slots
from hromada.catalog.models import DocumentRequirement, ServiceCategory, ServiceType, Timing
from hromada.core import db
from hromada.core.db import write_transaction
from hromada.core.errors import Conflict, NotFound, ValidationFailed
from hromada.offices.selectors import deciding_office_for
from hromada.persons import services as person_services
from hromada.persons.models import Person
from hromada.persons.validators import FieldError, clean_email, clean_phone
from hromada.territory.models import Unit

from .. import deadlines, selectors, workflow
from ..models import Application, Channel, IdempotencyRecord, Participant, ParticipantRole, Status
from ..slots import case_submitted
from ..tasks import schedule_receipt
from .common import bump, clean_text, front_office_of, lock_application, require_editable
from .numbering import allocate_number

MAX_DRAFT_BYTES = 64 * 1024
SOCIAL_DEFAULT_URGENCY = "normal"
SUBMIT_SCOPE = "application.submit"


def _service(code: str) -> ServiceType:
    today = timezone.localdate()
    # One query for the service and its checklist (the case's card and scans need it): each requirement with its
    # service; only a service without requirements is read on its own.
    requirements = list(DocumentRequirement.objects.select_related("service").filter(service__code=code or "")
                        .order_by("ordering", "code"))
    service: ServiceType | None
    if requirements:
        service = requirements[0].service
        for req in requirements:
            req.service = service
        selectors.fill_prefetched(service, "documents", requirements)
    else:
        service = ServiceType.objects.filter(code=code or "").first()
    if service is None or not service.is_active_on(today):
        raise ValidationFailed(_("Послугу з кодом «%(code)s» не знайдено або вона зараз не надається.") % {"code": code},
                               code="unknown_service", details={"service_code": code})
    return service


def _channel(value: str) -> str:
    if value not in Channel.values:
        raise ValidationFailed(_("Невідомий канал подання «%(c)s». Допустимі: %(all)s.") % {
            "c": value, "all": ", ".join(Channel.values)}, code="invalid_channel")
    return value


def _paper_date(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise ValidationFailed(_("Дата отримання паперової заяви не може бути в майбутньому."),
                               code="invalid_paper_date")
    return value


def _person(actor: User, person_id: int) -> Person:
    try:
        return access.get_visible(actor, Person, pk=person_id)
    except NotFound:
        raise NotFound(_("Особу з ідентифікатором %(id)s не знайдено у вашій громаді.") % {"id": person_id},
                       details={"person_id": person_id}) from None


# The contacts for the decision's notification and the specialist's note: structured fields of the case.
CONTACT_FIELDS = ("contact_phone", "contact_email", "note")
MAX_NOTE_LENGTH = 2000


def clean_contacts(*, contact_phone: str | None = None, contact_email: str | None = None,
                   note: str | None = None) -> dict:
    """The given contact fields (None: not given, left as they are), validated and normalised.
    Errors: invalid_phone, invalid_email, too_long."""
    values = {}
    try:
        if contact_phone is not None:
            values["contact_phone"] = clean_phone(contact_phone)
        if contact_email is not None:
            values["contact_email"] = clean_email(contact_email)
    except FieldError as exc:
        raise ValidationFailed(exc.message, code=exc.code, details={"field": f"contact_{exc.field}"}) from None
    if note is not None:
        values["note"] = clean_text(note, field=_("Примітка фахівця"), max_length=MAX_NOTE_LENGTH)
    return values


def _participants(actor: User, applicant_id: int, member_ids: Iterable[int] | None,
                  participants: Iterable[tuple[int, str]] | None,
                  known: Iterable[Person] = ()) -> list[tuple[Person, str]]:
    """(person, role) pairs, the applicant first; duplicates of the same person and role dropped. ``known``:
    persons the caller's transaction just registered (in scope by construction: not read again)."""
    known_by_id = {p.pk: p for p in known}
    pairs: list[tuple[int, str]] = [(applicant_id, ParticipantRole.APPLICANT)]
    pairs += [(pid, ParticipantRole.FAMILY_MEMBER) for pid in (member_ids or [])]
    for pid, role in participants or []:
        if role not in ParticipantRole.values or role == ParticipantRole.APPLICANT:
            raise ValidationFailed(_("Невідома роль учасника «%(r)s».") % {"r": role}, code="invalid_participant_role")
        pairs.append((pid, role))
    seen: set[tuple[int, str]] = set()
    result: list[tuple[Person, str]] = []
    for pid, role in pairs:
        person = known_by_id.get(pid) or _person(actor, pid)
        if (person.pk, role) in seen:
            continue
        if role != ParticipantRole.APPLICANT and (person.pk, ParticipantRole.APPLICANT) in seen \
                and role == ParticipantRole.FAMILY_MEMBER:
            raise ValidationFailed(_("Заявник уже є учасником заяви; не додавайте його як члена сім’ї."),
                                   code="applicant_as_member")
        seen.add((person.pk, role))
        result.append((person, role))
    return result


@write_transaction
def create_application(*, actor: User, service_code: str, applicant_id: int,
                       member_ids: Iterable[int] = (),
                       channel: str = Channel.IN_PERSON,
                       paper_received_on: date | None = None,
                       participants: Iterable[tuple[int, str]] = (), contact_phone: str | None = None,
                       contact_email: str | None = None, note: str | None = None,
                       known_persons: Iterable[Person] = ()) -> Application:
    """A new draft case of the actor's front office with a country-unique number.

    ``participants`` adds other roles: [(person_id, "representative"|"dependant"|"recipient"|...)].
    ``contact_phone``/``contact_email`` (for the decision's notification) and ``note`` are optional.
    ``known_persons``: participants the caller registered in this transaction (not read again).
    """
    office = front_office_of(actor)
    service = _service(service_code)
    channel = _channel(channel)
    paper_received_on = _paper_date(paper_received_on)
    contacts = clean_contacts(contact_phone=contact_phone, contact_email=contact_email, note=note)
    if applicant_id in (None, ""):
        raise ValidationFailed(_("Оберіть заявника."), code="applicant_required")
    hromada = cast(Unit, office.hromada)   # front_office_of refuses an office of no hromada
    with db.atomic():
        people = _participants(actor, applicant_id, member_ids, participants, known_persons)
        today = timezone.localdate()
        registered = deadlines.registration_date(registered_on=today, paper_received_on=paper_received_on)
        app = Application(
            number=allocate_number(hromada=hromada, year=today.year), service=service, status=Status.DRAFT,
            channel=channel, front_office=office, hromada=hromada, registered_by=actor, applicant_person=people[0][0],
            application_date=deadlines.application_date_for(registered), paper_received_on=paper_received_on,
            **contacts)
        # The first event rides in the case's INSERT. The service is the case's own for good, and the usual channel
        # goes without saying: the history tells them (``selectors.told_data``).
        workflow.record_event(app, "create", actor=actor,
                              data={"channel": channel} if channel != Channel.IN_PERSON else None)
        app.save(force_insert=True)
        # The other participants' INSERT (the applicant is the case's column) rides with everyone's access grant (one
        # round trip on PostgreSQL; the grant alone when there is no one else).
        parts = [Participant(application=app, person=p, role=r) for p, r in people[1:]]
        granted = person_services.grant_case_access(
            person_ids=[p.pk for p, _r in people], hromada_id=app.hromada_id,
            along=db.insert_returning_ids(parts) if parts else None)
        if parts:
            db.mark_inserted(parts, granted)
        # What the case holds now, in hand: its card and the submission in the same request read neither again.
        selectors.fill_prefetched(app, "participants", parts)
        selectors.fill_prefetched(app, "documents", [])
        audit.record(actor=actor, action="application.create", obj=app, details={"service": service.code})
    return app


def save_draft(*, actor: User, application_id: int, data: dict | None, expected_version: int | None = None,
               contact_phone: str | None = None, contact_email: str | None = None,
               note: str | None = None) -> Application:
    """Autosave of the new-application form: the raw field values (None: the stored ones are kept), so nothing
    typed is lost; the contact fields given (not None) are validated and stored on the case (a draft or a case
    returned for correction)."""
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed(_("Чернетка має бути об’єктом JSON."), code="invalid_draft")
    if data is not None and len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise ValidationFailed(_("Чернетка завелика."), code="draft_too_large")
    contacts = clean_contacts(contact_phone=contact_phone, contact_email=contact_email, note=note)
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake", expected_version=expected_version)
        if app.status != Status.DRAFT:
            require_editable(app)
        fields = list(contacts)
        if data is not None:
            app.draft_data = data
            fields.append("draft_data")
        for name, value in contacts.items():
            setattr(app, name, value)
        bump(app, *fields)
        audit.record(actor=actor, action="application.draft_save", obj=app,
                     details={"fields": sorted(data or {})[:50], "contacts": sorted(contacts)})
    return app


def update_draft_details(*, actor: User, application_id: int, channel: str | None = None,
                         paper_received_on: date | None | EllipsisType = ...,
                         members: Iterable[tuple[int, str]] | None = None, draft: dict | None = None,
                         expected_version: int | None = None,
                         contact_phone: str | None = None, contact_email: str | None = None,
                         note: str | None = None) -> Application:
    """Apply the form's structured fields: channel, paper date, members [(person_id, role)] (not the applicant),
    the contacts and the note (None: unchanged); ``draft`` also stores the raw form values (as the autosave
    does), so the last keystrokes are never lost."""
    contacts = clean_contacts(contact_phone=contact_phone, contact_email=contact_email, note=note)
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake", expected_version=expected_version)
        require_editable(app)
        fields = list(contacts)
        for name, value in contacts.items():
            setattr(app, name, value)
        if channel is not None:
            app.channel = _channel(channel)
            fields.append("channel")
        if paper_received_on is not ...:
            if app.status != Status.DRAFT:
                raise Conflict(_("Дату отримання паперової заяви змінювати після надсилання не можна."),
                               code="application_read_only")
            app.paper_received_on = _paper_date(paper_received_on)
            registered = deadlines.registration_day(app)
            app.application_date = deadlines.application_date_for(registered)
            fields += ["paper_received_on", "application_date"]
        if draft is not None:
            if len(json.dumps(draft, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
                raise ValidationFailed(_("Чернетка завелика."), code="draft_too_large")
            app.draft_data = draft
            fields.append("draft_data")
        if members is not None:
            people = _participants(actor, cast(int, app.applicant_person_id), [], members)[1:]   # every case has one
            before = set(app.participants.values_list("person_id", flat=True))
            app.participants.all().delete()
            Participant.objects.bulk_create([Participant(application=app, person=p, role=r) for p, r in people])
            person_services.grant_case_access(person_ids=[p.pk for p, _r in people], hromada_id=app.hromada_id)
            # Persons no longer in any case of the hromada are no longer seen through one (as another case's
            # participant or its applicant).
            gone = before - {p.pk for p, _r in people} - {app.applicant_person_id}
            still = set(Participant.objects.filter(person_id__in=gone, application__hromada_id=app.hromada_id)
                        .values_list("person_id", flat=True)) if gone else set()
            still |= set(Application.objects.filter(applicant_person_id__in=gone - still, hromada_id=app.hromada_id)
                         .values_list("applicant_person_id", flat=True)) if gone - still else set()
            person_services.revoke_case_access(person_ids=gone - still, hromada_id=app.hromada_id)
        bump(app, *fields)
        audit.record(actor=actor, action="application.update", obj=app,
                     details={"fields": fields + (["participants"] if members is not None else [])})
    return app


@dataclass(frozen=True)
class SubmitResult:
    application: Application
    response: dict
    status_code: int = 200
    replayed: bool = False


def submit_response(app: Application) -> dict:
    return {"id": app.pk, "number": app.number, "status": app.status,
            "back_office": app.back_office.name if app.back_office_id else None,
            "back_office_id": app.back_office_id,
            "due_date": app.due_date.isoformat() if app.due_date else None,
            "documents_deadline": app.documents_deadline.isoformat() if app.documents_deadline else None,
            "handover_late": app.handover_late}


def _incomplete(items: list[selectors.ChecklistItem]) -> ValidationFailed:
    missing = [{"document_code": i.document_code, "title": str(i.title)}
               for i in selectors.missing(items, Timing.BEFORE_SUBMIT)]
    return ValidationFailed(
        _("Заяву не можна надіслати: не додано обов’язкові документи: %(list)s.") % {
            "list": "; ".join(m["title"] for m in missing)},
        code="incomplete_application", details={"missing": missing})


@write_transaction
def submit_application(*, actor: User, application_id: int, idempotency_key: str | None = None,
                       expected_version: int | None = None, request: HttpRequest | None = None,
                       application: Application | None = None) -> SubmitResult:
    """Send the draft to the back office serving the hromada (see ``deadlines`` for the dates).

    With ``idempotency_key`` the first successful answer is stored and replayed for the same key, so a
    retried request (lost response, double click, the UI's one-time form token) never submits twice.
    Refusals are not stored: a retry after attaching the missing documents must be able to succeed.
    ``application``: the case the caller's transaction created and holds (inside ``all_or_nothing``; read once
    per request), so neither the row nor a stored answer is looked up again.
    """
    key = (idempotency_key or "").strip()
    if len(key) > 128:
        raise ValidationFailed(_("Idempotency-Key задовгий (максимум 128 символів)."), code="invalid_idempotency_key")
    fresh = application is not None and db.in_all_or_nothing()
    # One append, the last write (the audit chain head is the last lock, core.db): a social case opened from the
    # submission writes its entry with the submission's.
    with db.atomic(), audit.batch():
        # The row lock orders concurrent retries: the second sees the first one's stored answer. The stored answer's
        # id comes with the lock (one round trip); it is as of the statement's start, so a retry that waited for
        # the lock while the first one committed would miss it — but then the case is no longer a draft (a stored
        # answer is a submission's), and only then is it looked up again, after the lock.
        stored = IdempotencyRecord.objects.filter(user=actor, scope=SUBMIT_SCOPE, key=key)
        app = application if application is not None and fresh \
            else lock_application(actor, application_id, action="application.intake",
                                  annotations={"stored_answer": Subquery(stored.values("pk")[:1])} if key else None)
        if key and not fresh:
            stored_id = getattr(app, "stored_answer", None)
            record = IdempotencyRecord.objects.get(pk=stored_id) if stored_id is not None \
                else stored.first() if app.status != Status.DRAFT else None
            if record is not None:
                if record.application_id != app.pk:
                    raise Conflict(_("Цей Idempotency-Key уже використано для іншої заяви."),
                                   code="idempotency_key_reused")
                return SubmitResult(application=app, response=record.response, status_code=record.status_code,
                                    replayed=True)
        if expected_version is not None and app.version != expected_version:
            raise workflow.StaleVersion()
        if app.status != Status.DRAFT:
            # Let the state machine word the refusal (e.g. already submitted).
            workflow.transition(app.pk, "submit", actor=actor)
        # The new case of this request has its scans and checklist in hand; an existing one is asked in one query
        # (the full checklist is read only to word a refusal).
        if fresh:
            items = selectors.checklist(app)
            absent: dict[str, list[str]] = {
                timing.value: [i.document_code for i in selectors.missing(items, timing)]
                for timing in (Timing.BEFORE_SUBMIT, Timing.MAY_FOLLOW)}
        else:
            absent = selectors.not_provided(app)
        if absent.get(Timing.BEFORE_SUBMIT):
            raise _incomplete(selectors.checklist(app))
        now = timezone.now()
        today = timezone.localdate(now)
        follow = absent.get(Timing.MAY_FOLLOW, [])
        back_office = deciding_office_for(app.hromada, app.service.deciding_authority)
        social = app.service.category == ServiceCategory.SOCIAL_SERVICES
        marked = app.draft_data or {}
        # The case is locked above (or created by this transaction): the state machine does not read it again.
        app = workflow.transition(
            app, "submit", actor=actor, held=True,
            # The back office is the case's own from now on (set below): the history tells it (``told_data``).
            data={"missing_may_follow": follow} if follow else None,
            back_office=back_office, first_submitted_at=app.first_submitted_at or now, submitted_at=now,
            due_date=deadlines.initial_due_date(app),
            documents_deadline=deadlines.documents_deadline_for(app) if follow else None,
            handover_late=deadlines.handover_is_late(app.paper_received_on, today), draft_data={})
        if social:
            # The hromada's social-protection unit it went to opens the social case from it (services and urgency
            # as marked on the form); a refusal there (no service chosen, an open case) sends nothing.
            catalog_slots.social_case_from_application(
                actor=actor, application=app, service_codes=list(marked.get("social_services") or []),
                urgency=marked.get("urgency") or SOCIAL_DEFAULT_URGENCY, request=request)
        response = submit_response(app)
        if key:
            # No savepoint: the refusal rolls the whole submission back (the row lock above makes the race rare).
            try:
                with transaction.atomic(savepoint=False):
                    IdempotencyRecord.objects.create(key=key, user=actor, scope=SUBMIT_SCOPE, application=app,
                                                     status_code=200, response=response)
            except IntegrityError:
                raise Conflict(_("Цей Idempotency-Key уже використано."), code="idempotency_key_reused") from None
        audit.record(actor=actor, action="application.submit", obj=app, request=request,
                     details={"back_office": back_office.pk, "handover_late": app.handover_late})
        schedule_receipt(app.pk)
        if case_submitted.provided:   # the state-register checks start (queued; never block the submission)
            case_submitted(actor=actor, application=app)
    return SubmitResult(application=app, response=response)


def resubmit_application(*, actor: User, application_id: int, comment: str = "", expected_version: int | None = None,
                         request: HttpRequest | None = None) -> Application:
    """Send a corrected case back (returned → resubmitted); the due date moves by the suspended days."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake", expected_version=expected_version)
        if app.status != Status.RETURNED:
            workflow.transition(app.pk, "resubmit", actor=actor)  # refuses with the state machine's message
        items = selectors.checklist(app)
        if selectors.missing(items, Timing.BEFORE_SUBMIT):
            raise _incomplete(items)
        returned = selectors.last_return_event(app)
        now = timezone.now()
        returned_at = returned.at if returned else now
        moved = deadlines.after_return(app, returned_at, now)
        app = workflow.transition(
            app.pk, "resubmit", actor=actor, comment=(comment or "").strip()[:2000],
            data={"suspended_days": moved.added_days, "due_date": moved.due_date.isoformat()},
            submitted_at=now, due_date=moved.due_date, returned_days=moved.returned_days)
        audit.record(actor=actor, action="application.resubmit", obj=app, request=request,
                     details={"suspended_days": moved.added_days})
        schedule_receipt(app.pk)
        if case_submitted.provided:
            case_submitted(actor=actor, application=app)
    return app
