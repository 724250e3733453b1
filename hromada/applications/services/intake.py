"""Intake: create the draft case, autosave it, set its participants, submit and resubmit it.

Every function is one transaction, goes through ``workflow`` for status changes and writes an audit entry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.audit import services as audit
from hromada.catalog.models import ServiceType, Timing
from hromada.core.errors import Conflict, NotFound, ValidationFailed
from hromada.offices.selectors import back_office_for
from hromada.persons.models import Person

from .. import deadlines, selectors, workflow
from ..models import Application, Channel, IdempotencyRecord, Participant, ParticipantRole, Status
from ..tasks import schedule_receipt
from .common import bump, front_office_of, lock_application, require_editable
from .numbering import allocate_number

MAX_DRAFT_BYTES = 64 * 1024
SUBMIT_SCOPE = "application.submit"


def _service(code: str) -> ServiceType:
    today = timezone.localdate()
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


def _person(actor, person_id) -> Person:
    try:
        return access.get_visible(actor, Person, pk=person_id)
    except NotFound:
        raise NotFound(_("Особу з ідентифікатором %(id)s не знайдено у вашій громаді.") % {"id": person_id},
                       details={"person_id": person_id}) from None


def _participants(actor, applicant_id, member_ids, participants) -> list[tuple[Person, str]]:
    """(person, role) pairs, the applicant first; duplicates of the same person and role dropped."""
    pairs = [(applicant_id, ParticipantRole.APPLICANT)]
    pairs += [(pid, ParticipantRole.FAMILY_MEMBER) for pid in (member_ids or [])]
    for pid, role in participants or []:
        if role not in ParticipantRole.values or role == ParticipantRole.APPLICANT:
            raise ValidationFailed(_("Невідома роль учасника «%(r)s».") % {"r": role}, code="invalid_participant_role")
        pairs.append((pid, role))
    seen, result = set(), []
    for pid, role in pairs:
        person = _person(actor, pid)
        if (person.pk, role) in seen:
            continue
        if role != ParticipantRole.APPLICANT and (person.pk, ParticipantRole.APPLICANT) in seen \
                and role == ParticipantRole.FAMILY_MEMBER:
            raise ValidationFailed(_("Заявник уже є учасником заяви; не додавайте його як члена сім’ї."),
                                   code="applicant_as_member")
        seen.add((person.pk, role))
        result.append((person, role))
    return result


def create_application(*, actor, service_code: str, applicant_id, member_ids=(), channel: str = Channel.IN_PERSON,
                       paper_received_on: date | None = None, participants=()) -> Application:
    """A new draft case of the actor's front office with a country-unique number.

    ``participants`` adds other roles: [(person_id, "representative"|"dependant"|"recipient"|...)].
    """
    office = front_office_of(actor)
    service = _service(service_code)
    channel = _channel(channel)
    paper_received_on = _paper_date(paper_received_on)
    if applicant_id in (None, ""):
        raise ValidationFailed(_("Оберіть заявника."), code="applicant_required")
    with transaction.atomic():
        people = _participants(actor, applicant_id, member_ids, participants)
        today = timezone.localdate()
        registered = deadlines.registration_date(registered_on=today, paper_received_on=paper_received_on)
        app = Application.objects.create(
            number=allocate_number(hromada=office.hromada, year=today.year), service=service, status=Status.DRAFT,
            channel=channel, front_office=office, hromada=office.hromada, registered_by=actor, applicant_person=people[0][0],
            application_date=deadlines.application_date_for(registered), paper_received_on=paper_received_on)
        Participant.objects.bulk_create([Participant(application=app, person=p, role=r) for p, r in people])
        workflow.record_event(app, "create", actor=actor, data={"service": service.code, "channel": channel})
        audit.record(actor=actor, action="application.create", obj=app, details={"service": service.code})
    return app


def save_draft(*, actor, application_id, data: dict, expected_version: int | None = None) -> Application:
    """Autosave of the new-application form: the raw field values, so nothing typed is lost."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("Чернетка має бути об’єктом JSON."), code="invalid_draft")
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise ValidationFailed(_("Чернетка завелика."), code="draft_too_large")
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake", expected_version=expected_version)
        if app.status != Status.DRAFT:
            require_editable(app)
        app.draft_data = data
        bump(app, "draft_data")
        audit.record(actor=actor, action="application.draft_save", obj=app, details={"fields": sorted(data)[:50]})
    return app


def update_draft_details(*, actor, application_id, channel: str | None = None, paper_received_on=...,
                         members=None, draft: dict | None = None, expected_version: int | None = None) -> Application:
    """Apply the form's structured fields: channel, paper date, members [(person_id, role)] (not the applicant);
    ``draft`` also stores the raw form values (as the autosave does), so the last keystrokes are never lost."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake", expected_version=expected_version)
        require_editable(app)
        fields = []
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
            applicant = app.participants.get(role=ParticipantRole.APPLICANT)
            people = _participants(actor, applicant.person_id, [], members)[1:]
            app.participants.exclude(role=ParticipantRole.APPLICANT).delete()
            Participant.objects.bulk_create([Participant(application=app, person=p, role=r) for p, r in people])
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


def _incomplete(items) -> ValidationFailed:
    missing = [{"document_code": i.document_code, "title": str(i.title)}
               for i in selectors.missing(items, Timing.BEFORE_SUBMIT)]
    return ValidationFailed(
        _("Заяву не можна надіслати: не додано обов’язкові документи: %(list)s.") % {
            "list": "; ".join(m["title"] for m in missing)},
        code="incomplete_application", details={"missing": missing})


def submit_application(*, actor, application_id, idempotency_key: str | None = None,
                       expected_version: int | None = None, request=None) -> SubmitResult:
    """Send the draft to the back office serving the hromada (see ``deadlines`` for the dates).

    With ``idempotency_key`` the first successful answer is stored and replayed for the same key, so a
    retried request (lost response, double click, the UI's one-time form token) never submits twice.
    Refusals are not stored: a retry after attaching the missing documents must be able to succeed.
    """
    key = (idempotency_key or "").strip()
    if len(key) > 128:
        raise ValidationFailed(_("Idempotency-Key задовгий (максимум 128 символів)."), code="invalid_idempotency_key")
    with transaction.atomic():
        # The row lock orders concurrent retries: the second sees the first one's stored answer.
        app = lock_application(actor, application_id, action="application.intake")
        if key:
            record = IdempotencyRecord.objects.filter(user=actor, scope=SUBMIT_SCOPE, key=key).first()
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
        items = selectors.checklist(app)
        if selectors.missing(items, Timing.BEFORE_SUBMIT):
            raise _incomplete(items)
        now = timezone.now()
        today = timezone.localdate(now)
        follow = selectors.missing(items, Timing.MAY_FOLLOW)
        back_office = back_office_for(app.hromada)
        app = workflow.transition(
            app.pk, "submit", actor=actor,
            data={"back_office": back_office.pk, "missing_may_follow": [i.document_code for i in follow]},
            back_office=back_office, first_submitted_at=app.first_submitted_at or now, submitted_at=now,
            due_date=deadlines.initial_due_date(app),
            documents_deadline=deadlines.documents_deadline_for(app) if follow else None,
            handover_late=deadlines.handover_is_late(app.paper_received_on, today), draft_data={})
        response = submit_response(app)
        if key:
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(key=key, user=actor, scope=SUBMIT_SCOPE, application=app,
                                                     status_code=200, response=response)
            except IntegrityError:
                raise Conflict(_("Цей Idempotency-Key уже використано."), code="idempotency_key_reused") from None
        audit.record(actor=actor, action="application.submit", obj=app, request=request,
                     details={"back_office": back_office.pk, "handover_late": app.handover_late})
        schedule_receipt(app.pk)
    return SubmitResult(application=app, response=response)


def resubmit_application(*, actor, application_id, comment: str = "", expected_version: int | None = None,
                         request=None) -> Application:
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
    return app
