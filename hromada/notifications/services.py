"""Writes of the notifications domain: consent, queueing, delivery, delivery reports, the periodic triggers and
the public status look. Every state of a Notification is written here and only when it happened.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application
from hromada.applications.selectors import applications_missing_documents, overdue_applications
from hromada.audit import services as audit
from hromada.core import db
from hromada.core.error_codes import ErrorCode
from hromada.core.errors import NotFound, Unauthorized, ValidationFailed
from hromada.persons.models import Person

from . import channels, selectors, tasks, texts
from .models import MESSAGE_ID_MAX, Channel, Consent, EarlyReport, Kind, Notification, State, StatusLook

# How far back the deadline-passed notice reaches (a case overdue for months is not announced on deployment).
OVERDUE_LOOKBACK_DAYS = 7


# --- consent -------------------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(*, actor: User, person_id: int, channel: str, granted: bool,
                   request: HttpRequest | None = None) -> Consent:
    """The front office records the resident's answer (agrees / does not agree to be told by ``channel``)."""
    access.require(actor, "application.intake")
    if channel not in Channel.values:
        raise ValidationFailed(_("Невідомий канал сповіщення."), code="invalid_channel")
    person = access.get_visible(actor, Person, pk=person_id)
    consent, _created = Consent.objects.update_or_create(
        person=person, channel=channel,
        defaults={"granted": bool(granted), "recorded_by": actor, "recorded_at": timezone.now()})
    audit.record(actor=actor, action="notification.consent", obj=person, request=request,
                 details={"channel": channel, "granted": bool(granted)})
    return consent


# --- queueing ------------------------------------------------------------------------------------------------


def _contact(application: Application, person: Person, channel: str) -> str:
    """The phone / e-mail taken on the application for notifications, else the person's own."""
    if channel == Channel.SMS:
        return application.contact_phone or person.phone or ""
    return application.contact_email or person.email or ""


def _unconfigured_reason(channel: str) -> str:
    return channels.sms_unconfigured_reason() if channel == Channel.SMS else channels.email_unconfigured_reason()


def notify_resident(*, application: Application, kind: str, reference: str = "") -> list[Notification]:
    """Queue the message of ``kind`` to the applicant on every channel she agreed to (no consent: nothing).
    Call it inside the trigger's transaction: delivery starts on commit. Idempotent per (kind, reference)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    person = application.applicant_person
    if person is None:
        return []
    agreed = set(Consent.objects.filter(person=person, granted=True).values_list("channel", flat=True))
    rows = []
    for channel in (Channel.SMS, Channel.EMAIL):
        if channel not in agreed:
            continue
        contact = _contact(application, person, channel)
        reason = _unconfigured_reason(channel) if contact else (
            _("Немає номера телефону заявника.") if channel == Channel.SMS else _("Немає ел. пошти заявника."))
        masked = "" if not contact else (
            channels.mask_phone(contact) if channel == Channel.SMS else channels.mask_email(contact))
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    application=application, channel=channel, kind=kind, reference=reference[:64],
                    recipient_masked=masked, state=State.NOT_SENT if reason else State.QUEUED, last_error=reason)
        except IntegrityError:
            continue        # already told about this occasion
        rows.append(row)
        if row.state == State.QUEUED:
            # Robust: a broker that is down must not turn a committed request into an error page; the row stays
            # queued and ``tasks.queue_stranded`` queues it once the broker is back.
            transaction.on_commit(partial(tasks.deliver_notification.delay, row.pk), robust=True)
    return rows


# --- delivery ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    state: str
    retry: bool = False


def _message(row: Notification, person: Person) -> texts.Message:
    app = row.application
    items, due = None, None
    if row.kind == Kind.RETURNED:
        ret = app.return_requests.filter(pk=row.reference).first() if row.reference.isdigit() else None
        items = list(ret.items) if ret else None
    elif row.kind == Kind.DOCUMENTS_DUE:
        due = app.documents_deadline
        items = [str(i.title) for i in selectors.missing_documents(app)]
    return texts.render(row.kind, app, first_name=person.first_name, items=items, due=due)


# How long a worker's claim on a message it is sending holds. A send takes seconds (HROMADA_SMS_TIMEOUT, the SMTP
# timeout); a claim older than this belongs to a worker that died mid-send, and the message may be tried again.
SEND_LEASE = timedelta(minutes=10)


def stranded_notifications(*, older_than: datetime, limit: int = 500) -> list[int]:
    """Notifications queued in the week before ``older_than`` and never tried: their task could not be queued
    (the broker was down); and those whose sender died mid-send (a claim past SEND_LEASE). One already tried
    waits for its own retry and is left alone."""
    stale = min(older_than, timezone.now() - SEND_LEASE)
    return list(Notification.objects.filter(Q(attempts=0) | Q(sending_since__lt=stale), state=State.QUEUED,
                                            created_at__lt=older_than,
                                            created_at__gte=older_than - timedelta(days=7))
                .order_by("id").values_list("id", flat=True)[:limit])


@dataclass(frozen=True)
class _Outcome:
    accepted: channels.Accepted | None = None
    error: str = ""
    permanent: bool = False
    stand_in: bool = False


def deliver_notification(*, notification_id: int, last_try: bool) -> Delivery:
    """Send one queued notification. A transient failure leaves it queued and asks for a retry, unless this is
    the last try: then it is failed for good. Already handled rows are left as they are (a redelivered task).

    Three steps, so that no transaction is open while the gateway or the mail server is called: the message is
    claimed (one transaction), sent (none), and the outcome recorded (one transaction). The claim keeps a second
    worker with the same task from sending it twice; the recording applies a delivery report that came first."""
    claimed = _claim_for_sending(notification_id)
    if isinstance(claimed, Delivery):
        return claimed
    row, person, contact = claimed
    message = _message(row, person)
    try:
        if row.channel == Channel.SMS:
            accepted = channels.sms_gateway().send(phone=contact, text=message.sms, reference=f"hromada-{row.pk}")
            outcome = _Outcome(accepted=accepted, stand_in=accepted.stand_in)
        else:
            channels.send_email(to=contact, subject=message.subject, body=message.body)
            outcome = _Outcome()
    except channels.TransientError as exc:
        outcome = _Outcome(error=str(exc), stand_in=exc.stand_in)
    except channels.PermanentError as exc:
        outcome = _Outcome(error=str(exc), permanent=True, stand_in=exc.stand_in)
    except Exception as exc:  # noqa: BLE001 (an adapter's unforeseen error: retried like a transient one)
        outcome = _Outcome(error=type(exc).__name__)
    return _record_outcome(notification_id, outcome, last_try=last_try)


def _claim_for_sending(notification_id: int) -> Delivery | tuple[Notification, Person, str]:
    now = timezone.now()
    with transaction.atomic():
        # Only the notification row is locked (PostgreSQL cannot lock the nullable side of the outer join).
        row = (Notification.objects.select_for_update(of=("self",))
               .select_related("application__front_office", "application__applicant_person")
               .filter(pk=notification_id).first())
        if row is None or row.state != State.QUEUED:
            return Delivery(state=row.state if row else "")
        if row.sending_since and row.sending_since > now - SEND_LEASE:
            return Delivery(state=row.state)        # another worker is sending it right now
        person = row.application.applicant_person
        contact = _contact(row.application, person, row.channel) if person else ""
        consent = person is not None and Consent.objects.filter(person=person, channel=row.channel,
                                                                granted=True).exists()
        reason = (_("Заявник відкликав згоду на цей канал.") if not consent
                  else _("Контакт заявника видалено.") if not contact else _unconfigured_reason(row.channel))
        if reason or person is None:   # no applicant means no consent: a reason is given
            row.state, row.last_error = State.NOT_SENT, reason
            row.save(update_fields=["state", "last_error", "updated_at"])
            return Delivery(state=row.state)
        row.attempts, row.sending_since = row.attempts + 1, now
        row.save(update_fields=["attempts", "sending_since", "updated_at"])
    return row, person, contact


def _record_outcome(notification_id: int, outcome: _Outcome, *, last_try: bool) -> Delivery:
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification_id)
        row.sending_since, row.via_stand_in = None, outcome.stand_in
        if outcome.accepted is not None:
            row.provider_id = outcome.accepted.message_id
        if outcome.error:
            row.last_error = outcome.error[:255]
            if outcome.permanent or last_try:
                row.state = State.FAILED
        else:
            row.state, row.sent_at, row.last_error = State.SENT, timezone.now(), ""
            if row.provider_id:
                _apply_early_report(row)
        row.save(update_fields=["state", "last_error", "provider_id", "via_stand_in", "sent_at", "delivered_at",
                                "sending_since", "updated_at"])
        return Delivery(state=row.state, retry=row.state == State.QUEUED)


def _apply_early_report(row: Notification) -> None:
    """A report the gateway sent before this transaction recorded the message's id. The lock makes the report's
    transaction and this one run one after the other: either the report was kept before this looks, or it waits
    and then finds the message."""
    db.serialize_on(REPORT_LOCK, row.provider_id)
    early = EarlyReport.objects.filter(message_id=row.provider_id).first()
    if early is not None:
        _apply_report(row, early.status, early.error)
        early.delete()


# Gateway report statuses that mean the phone did not get the message.
UNDELIVERED = {"undelivered", "failed", "expired", "rejected"}


# Names the advisory lock that orders a delivery report and the recording of its message's id.
REPORT_LOCK = "notifications.sms-report"
# How long a report that came before its message is kept waiting for it.
EARLY_REPORT_DAYS = 2


@transaction.atomic
def record_delivery_report(*, secret: str, message_id: str, status: str, error: str = "") -> Notification | None:
    """The gateway's delivery report: ``delivered`` only when it says so. Authenticated by the shared secret
    (HROMADA_SMS_REPORT_SECRET; unset: every report is refused). A report for an id not recorded yet is kept
    (``EarlyReport``) and applied when the send records it; then None is returned."""
    expected = settings.HROMADA_SMS_REPORT_SECRET
    if not expected or not hmac.compare_digest(expected.encode(), (secret or "").encode()):
        raise Unauthorized(_("Невірний ключ звіту про доставку."), code="invalid_report_secret")
    status = (status or "").strip().lower()
    if status != "delivered" and status not in UNDELIVERED:
        raise ValidationFailed(_("Невідомий стан доставки."), code="invalid_report_status")
    message_id = (message_id or "").strip()
    if not message_id or len(message_id) > MESSAGE_ID_MAX:
        raise ValidationFailed(_("Невідомий ідентифікатор повідомлення."), code="invalid_report_id")
    # The lock before the row's: the send takes them the other way round, but no report can find the send's row
    # before the send commits (its id is not visible until then), so the two never wait on each other.
    db.serialize_on(REPORT_LOCK, message_id)
    row = (Notification.objects.select_for_update()
           .filter(channel=Channel.SMS, provider_id=message_id).first())
    if row is None:
        EarlyReport.objects.update_or_create(message_id=message_id, defaults={
            "status": status, "error": error[:200], "received_at": timezone.now()})
        return None
    if row.state == State.SENT:        # a report for a delivered/failed message changes nothing
        _apply_report(row, status, error)
        row.save(update_fields=["state", "delivered_at", "last_error", "updated_at"])
    return row


def _apply_report(row: Notification, status: str, error: str) -> None:
    if status == "delivered":
        row.state, row.delivered_at = State.DELIVERED, timezone.now()
    else:
        row.state = State.FAILED
        row.last_error = (_("Оператор не доставив SMS (%(status)s)") % {"status": status}
                          + (f": {error}" if error else ""))[:255]


def purge_early_reports(*, now: datetime | None = None) -> int:
    """Forget reports that found no message in EARLY_REPORT_DAYS. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=EARLY_REPORT_DAYS)
    deleted, _ = EarlyReport.objects.filter(received_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def mark_resident_called(*, actor: User, notification_id: int, request: HttpRequest | None = None) -> Notification:
    """A failed message was made up for by a phone call: it leaves the worklist (its state stays failed)."""
    access.require(actor, "application.intake")
    row = (Notification.objects.select_for_update()
           .filter(pk=notification_id, application__in=access.visible(actor, Application)).first())
    if row is None:
        raise NotFound()
    if row.state != State.FAILED:
        raise ValidationFailed(_("Позначити дзвінок можна лише для сповіщення, яке не вдалося надіслати."),
                               code="not_failed")
    if row.called_at is None:
        row.called_at, row.called_by = timezone.now(), actor
        row.save(update_fields=["called_at", "called_by", "updated_at"])
        audit.record(actor=actor, action="notification.called", obj=row.application, request=request,
                     details={"notification": row.pk})
    return row


# --- periodic triggers ---------------------------------------------------------------------------------------


def notify_documents_due(*, today: date | None = None, days_ahead: int = 3) -> int:
    """Residents whose documents that may follow are due in ``days_ahead`` days and still missing. Returns the
    number of cases told (once per case and deadline)."""
    told = 0
    for item in applications_missing_documents(today=today, days_ahead=days_ahead):
        with transaction.atomic():
            app = Application.objects.select_related("front_office", "applicant_person").get(pk=item.application_id)
            rows = notify_resident(application=app, kind=Kind.DOCUMENTS_DUE, reference=item.documents_deadline.isoformat())
        told += bool(rows)
    return told


def notify_deadline_passed(*, today: date | None = None) -> int:
    """Residents whose case passed its decision date (overdue within the last week), once per due date."""
    today = today or timezone.localdate()
    told = 0
    cases = overdue_applications(today=today).filter(due_date__gte=today - timedelta(days=OVERDUE_LOOKBACK_DAYS))
    for app in cases.select_related("front_office", "applicant_person").order_by("id"):
        with transaction.atomic():
            rows = notify_resident(application=app, kind=Kind.DEADLINE_PASSED, reference=app.due_date.isoformat())
        told += bool(rows)
    return told


# --- public status -------------------------------------------------------------------------------------------


class RateLimited(ValidationFailed):
    code = ErrorCode.RATE_LIMITED
    status = 429


def purge_status_looks(*, now: datetime | None = None) -> int:
    """Forget looks at the status page older than HROMADA_STATUS_LOOK_RETENTION_DAYS: an address and a number
    are personal data kept only as long as the throttle and an inquiry into abuse need them (the count on the
    case stays). Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.HROMADA_STATUS_LOOK_RETENTION_DAYS)
    deleted, _ = StatusLook.objects.filter(at__lt=cutoff).delete()
    return deleted


def check_status(*, number: str, code: str, ip: str | None) -> selectors.PublicStatus:
    """One look at the public status page. Recorded (number, time, address) and counted on the case when
    found. A wrong code answers exactly like an unknown number; too many of either from one address within
    the window are refused (429) for that address only — the resident elsewhere is never locked out."""
    number = (number or "").strip()[:64]
    now = timezone.now()
    window = now - timedelta(minutes=settings.HROMADA_STATUS_CHECK_WINDOW_MINUTES)
    if ip and StatusLook.objects.filter(ip=ip, found=False, at__gte=window).count() \
            >= settings.HROMADA_STATUS_CHECK_LIMIT:
        raise RateLimited(_("Забагато невдалих спроб. Спробуйте ще раз за %(minutes)s хв або зверніться до "
                            "фронт-офісу.") % {"minutes": settings.HROMADA_STATUS_CHECK_WINDOW_MINUTES})
    app = selectors.public_application(number=number, code=code)
    with transaction.atomic():
        StatusLook.objects.create(number=number, application=app, found=app is not None, ip=ip, at=now)
        if app is not None:
            Application.objects.filter(pk=app.pk).update(status_checks=F("status_checks") + 1)
    if app is None:
        raise NotFound(_("Заяву з таким номером і кодом не знайдено. Перевірте номер і код на повідомленні про "
                         "прийняття заяви."), code="not_found")
    return selectors.public_status(app)

