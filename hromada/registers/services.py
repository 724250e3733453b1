"""Checks of a case against the state registers, the circuit breakers, overrides, income corrections and the
proactive offers. Every change is one transaction with its audit entry; the exchange itself (HTTP) runs outside
any transaction, so a slow register never holds a lock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application, ParticipantRole
from hromada.applications.services.intake import create_application
from hromada.audit import services as audit
from hromada.core.error_codes import ErrorCode
from hromada.core.errors import Conflict, HromadaError, NotFound, ValidationFailed
from hromada.offices.models import FRONT_KINDS, Office
from hromada.persons import services as person_services
from hromada.persons.models import Person
from hromada.territory.models import Unit

from . import adapters, xroad
from .models import (
    BirthFeedCursor,
    CircuitState,
    ExchangeLog,
    IncomeCorrection,
    OfferStatus,
    ProactiveOffer,
    Result,
    Verification,
)

log = logging.getLogger(__name__)
MIN_REASON = 10
BIRTH_SERVICE = "birth_assistance"


class RegistersNotConfigured(HromadaError):
    # 409, not 5xx: Hromada works as configured; there is simply no register to ask (the panels say so too).
    code = ErrorCode.REGISTERS_NOT_CONFIGURED
    status = 409
    default_message = gettext_lazy("Обмін із державними реєстрами (Трембіта) не налаштовано: перевірки не виконуються.")


def configured() -> bool:
    return xroad.config().configured


def _user_id(user: User | None) -> str:
    # xrd:userId: who asked, as the security server logs it (the specialist's account; "system" for the scheduler).
    return f"UA-{user.username}" if user is not None else "system"


# --- asking for checks --------------------------------------------------------------------------------------------


def _visible_case(actor: User, application_id: int) -> Application:
    app = access.get_visible(actor, Application.objects.select_related("service", "hromada"), pk=application_id)
    if not (access.may(actor, "application.intake") or access.may(actor, "application.review")):
        access.require(actor, "application.intake")
    return app


def _queue(app: Application, actor: User | None, now: datetime) -> list[Verification]:
    """Pending rows for every check the case needs now (existing rows are reset, their override kept until the
    new answer comes); the exchanges run after the commit."""
    rows = []
    for check, person in adapters.plan(app):
        adapter = adapters.ADAPTERS[check]
        row, _created = Verification.objects.get_or_create(
            application=app, register=adapter.register, check_code=check, subject=person,
            defaults={"requested_at": now, "requested_by": actor})
        row.result, row.requested_at, row.requested_by = Result.PENDING, now, actor
        row.attempts, row.next_attempt_at = 0, None
        row.save(update_fields=["result", "requested_at", "requested_by", "attempts", "next_attempt_at"])
        rows.append(row)
    ids = [r.pk for r in rows]
    if ids:
        from . import tasks

        # Robust: the case is committed whatever the broker says; ``tasks.queue_stranded`` queues the checks later.
        transaction.on_commit(lambda: [tasks.run_verification.delay(pk) for pk in ids], robust=True)
    return rows


def request_verifications(*, actor: User, application_id: int, request: HttpRequest | None = None) -> list[Verification]:
    """"Перевірити в реєстрах": queue every check of the case (202: the answers come as they arrive)."""
    with transaction.atomic():
        app = _visible_case(actor, application_id)   # another hromada's case: 404 before anything else
        if not configured():
            raise RegistersNotConfigured()
        rows = _queue(app, actor, timezone.now())
        audit.record(actor=actor, action="registers.check_requested", obj=app, request=request,
                     details={"checks": [f"{r.register}:{r.check_code}" for r in rows]})
    return rows


def checks_on_submission(*, actor: User | None, application: Application) -> None:
    """Provided to applications.slots.case_submitted: every submission starts the checks (never blocks it)."""
    if not configured():
        return
    rows = _queue(application, actor, timezone.now())
    if rows:
        audit.record(actor=actor, action="registers.check_requested", obj=application,
                     details={"checks": [f"{r.register}:{r.check_code}" for r in rows], "on": "submit"})


# --- the circuit breaker (per register, in the database: shared by every web and worker process) ----------------


def breaker_allows(register: str, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = CircuitState.objects.select_for_update().get_or_create(register=register)
        if state.state == "open":
            if state.open_until and state.open_until > now:
                return False
            # The pause is over: let one probe through (half open); its outcome closes or reopens the circuit.
            state.state = "half_open"
            state.save(update_fields=["state", "updated_at"])
        return True


def breaker_record(register: str, *, ok: bool, now: datetime | None = None) -> str:
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = CircuitState.objects.select_for_update().get_or_create(register=register)
        if ok:
            state.state, state.failures, state.open_until = "closed", 0, None
        else:
            state.failures += 1
            if state.state == "half_open" or state.failures >= settings.HROMADA_TREMBITA_BREAKER_FAILURES:
                state.state, state.opened_at = "open", now
                state.open_until = now + timedelta(seconds=settings.HROMADA_TREMBITA_BREAKER_SECONDS)
        state.save()
        return state.state


# --- running one check ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    result: str
    retry_in: int | None = None   # seconds until the next try (unavailable), None when done


def _backoff(attempts: int) -> int:
    return min(settings.HROMADA_TREMBITA_LATER_BASE_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)


def _log(app_id: int | None, verification_id: int | None, exchange: xroad.Exchange | None, *,
         register: str, service: str, endpoint: str,
         outcome: str = "", user_id: str = "", at: datetime | None = None) -> ExchangeLog:
    if exchange is None:
        return ExchangeLog.objects.create(application_id=app_id, verification_id=verification_id, register=register,
                                          service=service, request_id="", user_id=user_id, endpoint=endpoint,
                                          sent_at=at or timezone.now(), outcome=outcome)
    return ExchangeLog.objects.create(
        application_id=app_id, verification_id=verification_id, register=register, service=service,
        request_id=exchange.request_id, user_id=exchange.user_id, endpoint=endpoint,
        sent_at=datetime.fromtimestamp(exchange.sent_at, tz=timezone.get_current_timezone()),
        duration_ms=exchange.duration_ms, outcome=exchange.outcome, http_status=exchange.http_status,
        response_sha256=exchange.response_sha256, detail=exchange.detail, via_simulator=exchange.via_simulator)


def run_verification(*, verification_id: int, now: datetime | None = None) -> RunResult:
    """Ask the register for one check and record the answer (or "unavailable" with the next try's time)."""
    row = (Verification.objects.select_related("application__service", "application__hromada", "subject",
                                               "requested_by").filter(pk=verification_id).first())
    if row is None or row.result not in (Result.PENDING, Result.UNAVAILABLE):
        return RunResult(row.result if row else "gone")
    cfg = xroad.config()
    adapter = adapters.ADAPTERS[row.check_code]
    app, person = row.application, row.subject
    if not cfg.configured:
        return RunResult(row.result)
    exchanges: list[xroad.Exchange] = []
    answer = None
    circuit_open = not breaker_allows(adapter.register, now)
    if not circuit_open:
        call = xroad.call(adapter.register, adapter.operation, user_id=_user_id(row.requested_by), cfg=cfg,
                          **adapter.request(person))
        exchanges = call.exchanges
        breaker_record(adapter.register, ok=call.ok, now=now)
        answer = call.body if call.ok else None
    moment = now or timezone.now()
    with transaction.atomic():
        row = Verification.objects.select_for_update().get(pk=verification_id)
        for exchange in exchanges:
            _log(app.pk, row.pk, exchange, register=adapter.register, service=adapter.operation, endpoint=cfg.url)
        if circuit_open:
            _log(app.pk, row.pk, None, register=adapter.register, service=adapter.operation, endpoint=cfg.url,
                 outcome="circuit_open", user_id=_user_id(row.requested_by), at=moment)
        if exchanges:
            row.request_id = exchanges[-1].request_id
            row.via_simulator = any(e.via_simulator for e in exchanges) or cfg.simulator
        row.attempts += 1
        retry_in = None
        if answer is not None:
            result, field, details = adapter.read(app, person, answer)
            if not (result == Result.MISMATCH and field == row.field):
                row.override_reason, row.overridden_by, row.overridden_at = "", None, None
            row.result, row.field, row.details = result, field, details
            row.checked_at, row.next_attempt_at = moment, None
        else:
            row.result, row.field = Result.UNAVAILABLE, ""
            if row.attempts < settings.HROMADA_TREMBITA_LATER_ATTEMPTS:
                retry_in = _backoff(row.attempts)
                row.next_attempt_at = moment + timedelta(seconds=retry_in)
            else:
                row.next_attempt_at = None   # given up: "не перевірено" stays; the button asks again
        row.save()
        audit.record(actor=None, action="registers.check", obj=app,
                     details={"register": row.register, "check": row.check_code, "result": row.result,
                              "field": row.field, "request_id": row.request_id})
    return RunResult(row.result, retry_in)


def stranded_verifications(*, older_than: datetime, limit: int = 500) -> list[int]:
    """Checks requested in the week before ``older_than`` and still pending: their task could not be queued (the
    broker was down). Running one twice asks the register twice and records one answer."""
    return list(Verification.objects.filter(result=Result.PENDING, requested_at__lt=older_than,
                                            requested_at__gte=older_than - timedelta(days=7))
                .order_by("id").values_list("pk", flat=True)[:limit])


def due_for_retry(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(Verification.objects.filter(result=Result.UNAVAILABLE, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])


# --- overrides and corrections ---------------------------------------------------------------------------------


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed(_("Напишіть підставу (щонайменше %(n)s символів).") % {"n": MIN_REASON},
                               code="reason_required")
    if len(reason) > 2000:
        raise ValidationFailed(_("Підстава задовга (максимум 2000 символів)."), code="too_long")
    return reason


def override_mismatch(*, actor: User, verification_id: int, reason: str,
                      request: HttpRequest | None = None) -> Verification:
    """Accept the case despite a mismatch, with a written reason (the specialist saw the original document)."""
    reason = _reason(reason)
    with transaction.atomic():
        row = Verification.objects.select_for_update().select_related("application").filter(pk=verification_id).first()
        if row is None:
            raise NotFound()
        _visible_case(actor, row.application_id)
        if row.result != Result.MISMATCH:
            raise Conflict(_("Прийняти попри розбіжність можна лише перевірку з розбіжністю."),
                           code="not_a_mismatch")
        row.override_reason, row.overridden_by, row.overridden_at = reason, actor, timezone.now()
        row.save(update_fields=["override_reason", "overridden_by", "overridden_at"])
        audit.record(actor=actor, action="registers.override", obj=row.application, request=request,
                     details={"register": row.register, "check": row.check_code, "field": row.field,
                              "verification": row.pk})
    return row


def correct_income(*, actor: User, application_id: int, monthly_income: Decimal | str | float, reason: str,
                   register_value: Decimal | None = None, request: HttpRequest | None = None) -> IncomeCorrection:
    """The back office corrects the family's monthly income taken from ДПС (the calculator takes the correction)."""
    reason = _reason(reason)
    try:
        amount = Decimal(str(monthly_income).replace(" ", "").replace(",", ".")).quantize(Decimal("0.01"))
        if amount < 0 or not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Некоректна сума доходу."), code="invalid_amount") from None
    access.require(actor, "application.review")
    with transaction.atomic():
        app = access.get_visible(actor, Application, pk=application_id)
        row = IncomeCorrection.objects.create(application=app, monthly_income=amount, register_value=register_value,
                                              reason=reason, corrected_by=actor)
        audit.record(actor=actor, action="registers.income_corrected", obj=app, request=request,
                     details={"correction": row.pk})
    return row


# --- proactive offers from the birth feed ----------------------------------------------------------------------


def _offer_reference(offer_id: int, at: datetime) -> str:
    return f"ПП-{at:%Y}-{offer_id:06d}"


def poll_births() -> int:
    """Read each served hromada's new birth registrations; a birth makes one offer (never two)."""
    cfg = xroad.config()
    if not cfg.configured:
        return 0
    made = 0
    hromada_ids = set(Office.objects.filter(kind__in=FRONT_KINDS, hromada__isnull=False, is_active=True)
                      .values_list("hromada_id", flat=True))
    for hromada in Unit.objects.filter(pk__in=hromada_ids).order_by("pk"):
        cursor = BirthFeedCursor.objects.filter(hromada=hromada).first()
        after = cursor.last_sequence if cursor else 0
        if not breaker_allows("civil"):
            break
        call = xroad.call("civil", "GetBirthRegistrations", user_id="system", cfg=cfg, katottg=hromada.code,
                          afterSequence=after)
        breaker_record("civil", ok=call.ok)
        with transaction.atomic():
            for exchange in call.exchanges:
                _log(None, None, exchange, register="civil", service="GetBirthRegistrations", endpoint=cfg.url)
            if not call.ok:
                continue
            rows = (call.body or {}).get("registration") or []
            for reg in rows:
                made += _make_offer(hromada, reg, via_simulator=call.last.via_simulator or cfg.simulator)
                after = max(after, int(reg["sequence"]))
            BirthFeedCursor.objects.update_or_create(hromada=hromada, defaults={"last_sequence": after,
                                                                                "polled_at": timezone.now()})
    return made


def _make_offer(hromada: Unit, reg: dict, *, via_simulator: bool) -> int:
    key = f"{hromada.code}:{reg['certificateSeries']}:{reg['certificateNumber']}"
    if ProactiveOffer.objects.filter(source_key=key).exists():
        return 0
    child, mother = reg.get("child") or {}, reg.get("mother") or {}
    mother_rnokpp = reg.get("motherRnokpp") or ""
    mother_person = Person.objects.filter(rnokpp=mother_rnokpp).first() if mother_rnokpp else None
    registered = reg["registeredAt"]
    if timezone.is_naive(registered):
        registered = timezone.make_aware(registered)
    try:
        with transaction.atomic():
            offer = ProactiveOffer.objects.create(
                reference=f"tmp-{key}"[:32], hromada=hromada, source_key=key, sequence=int(reg["sequence"]),
                registered_at=registered, child_last_name=child.get("lastName") or "",
                child_first_name=child.get("firstName") or "", child_patronymic=child.get("patronymic") or "",
                child_birth_date=child["birthDate"], child_sex=(reg.get("childSex") or "F")[:1],
                child_rnokpp=reg.get("childRnokpp") or "", certificate_series=reg["certificateSeries"],
                certificate_number=reg["certificateNumber"], mother_rnokpp=mother_rnokpp,
                mother_name=" ".join(p for p in (mother.get("lastName"), mother.get("firstName"),
                                                 mother.get("patronymic")) if p),
                mother=mother_person, via_simulator=via_simulator)
            offer.reference = _offer_reference(offer.pk, registered)
            offer.save(update_fields=["reference"])
            audit.record(actor=None, action="registers.offer_created", obj=offer, hromada_id=hromada.pk,
                         details={"sequence": offer.sequence})
    except IntegrityError:
        return 0
    return 1


def start_application_from_offer(*, actor: User, offer_id: int, request: HttpRequest | None = None) -> Application:
    """The link of an offer: the birth-assistance draft for the mother with the newborn as a family member,
    carrying the offer's reference (note and link); the child is registered from the civil record if new."""
    with transaction.atomic():
        offer = access.get_visible(actor, ProactiveOffer.objects.select_for_update(), pk=offer_id)
        if offer.status != OfferStatus.NEW or offer.application_id:
            raise Conflict(_("За цією пропозицією заяву вже створено."), code="offer_already_used")
        mother = offer.mother or (Person.objects.filter(rnokpp=offer.mother_rnokpp).first()
                                  if offer.mother_rnokpp else None)
        if mother is None or not access.can_see(actor, mother):
            raise Conflict(_("Матір не знайдено серед мешканців громади: зареєструйте її, потім створіть заяву."),
                           code="offer_mother_unknown")
        certificate = f"{offer.certificate_series} {offer.certificate_number}"
        child = Person.objects.filter(id_document_type="birth_certificate", id_document_number=certificate).first()
        if child is None:
            address = {"settlement_code": mother.settlement.code if mother.settlement_id else "",
                       "street": mother.street, "house": mother.house, "flat": mother.flat}
            data = {"last_name": offer.child_last_name, "first_name": offer.child_first_name,
                    "patronymic": offer.child_patronymic, "birth_date": offer.child_birth_date, "sex": offer.child_sex,
                    "rnokpp": offer.child_rnokpp or None,
                    "id_document": {"type": "birth_certificate", "number": certificate}, "address": address}
            if not offer.child_rnokpp:
                data["no_rnokpp_reason"] = "Новонароджена дитина: РНОКПП ще не присвоєно"
            child = person_services.register_person(actor=actor, data=data, confirm_not_duplicate=True)
        app = create_application(actor=actor, service_code=BIRTH_SERVICE, applicant_id=mother.pk,
                                 participants=[(child.pk, ParticipantRole.FAMILY_MEMBER)],
                                 note=_("Проактивна пропозиція %(ref)s: народження зареєстровано %(at)s, свідоцтво "
                                        "%(cert)s.") % {"ref": offer.reference,
                                                         "at": timezone.localtime(offer.registered_at).strftime("%d.%m.%Y"),
                                                         "cert": certificate})
        offer.status, offer.application, offer.converted_at = OfferStatus.CONVERTED, app, timezone.now()
        offer.save(update_fields=["status", "application", "converted_at"])
        audit.record(actor=actor, action="registers.offer_converted", obj=offer, request=request,
                     hromada_id=offer.hromada_id, details={"application": app.pk})
    return app
