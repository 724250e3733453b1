"""Writes for social services: one transaction per service, every status change through the workflow (the one
state-machine engine), every change audited (codes and ids only — never personal data)."""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import Role, User
from hromada.audit.services import batched as audit_batched
from hromada.audit.services import record as audit
from hromada.catalog import slots as catalog_slots
from hromada.core.errors import NotFound
from hromada.core.validation import fail as _fail
from hromada.core.validation import not_future as _not_future
from hromada.core.validation import required as _required
from hromada.offices.models import Authority, Office
from hromada.offices.selectors import deciding_office_for
from hromada.persons import selectors as person_selectors
from hromada.territory.models import Unit

from . import rules, workflow
from .models import (
    Assessment,
    CaseSequence,
    CaseService,
    CaseStatus,
    Decision,
    Delivery,
    Plan,
    Provider,
    ProviderService,
    ProviderStaff,
    Referral,
    RequestedService,
    SocialCase,
)

# Check codes avoid look-alike characters (0/O, 1/I) — they are read aloud over the phone.
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CHECK_LENGTH = 8


@dataclass
class SectionInput:
    score: int
    note: str = ""


@dataclass
class AssessmentInput:
    sections: dict[str, SectionInput]
    conclusion: str
    recommended: list[str] = field(default_factory=list)
    free_conditions: list[str] = field(default_factory=list)
    home_visit_on: date | None = None
    home_visit_note: str = ""
    completed_on: date | None = None


@dataclass
class ServiceChoice:
    code: str
    provider_id: int


@dataclass
class PlanItemInput:
    code: str
    frequency: str
    goal: str = ""
    contract_number: str = ""
    contract_on: date | None = None


def _audit(actor: User, action: str, obj: Model, request: HttpRequest | None = None, **details: object) -> None:
    audit(actor=actor, action=f"socialcase.{action}", obj=obj, request=request, details=details or None)


def _service_codes(codes: Iterable[str] | None, field_name: str) -> list[str]:
    codes = sorted(set(codes or []))
    if not codes:
        _fail(_("Оберіть хоча б одну соціальну послугу."), "services_required", field_name)
    unknown = [c for c in codes if c not in rules.services()]
    if unknown:
        _fail(_("Невідома соціальна послуга: %(codes)s.") % {"codes": ", ".join(unknown)}, "invalid_service", field_name)
    return codes


def _own_hromada(actor: User) -> Unit:
    """The one hromada whose social-protection unit takes the case: the front office's or the specialist's."""
    ids = access.served_hromada_ids(actor)
    if len(ids) != 1:
        _fail(_("Заяву приймає фронт-офіс або фахівець однієї громади."), "hromada_required", "hromada_id")
    return Unit.objects.get(pk=ids[0])


def _next_number(hromada: Unit, year: int) -> str:
    seq, _created = CaseSequence.objects.select_for_update().get_or_create(hromada=hromada, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    # СП: соціальні послуги; the hromada's КАТОТТГ digits keep numbers unique across hromadas.
    return f"СП-{hromada.code[2:12]}-{year}-{seq.last:05d}"


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _i in range(CHECK_LENGTH))


# ---- providers ------------------------------------------------------------------------------------------------

@transaction.atomic
def register_provider(*, actor: User, name: str, kind: str, offers: dict[str, int], edrpou: str = "", address: str = "",
                      phone: str = "", request: HttpRequest | None = None) -> Provider:
    """Add a provider to the hromada's register with the services it offers and their capacity."""
    access.require(actor, "socialprovider.manage")
    name = _required(name, "name", _("Назва надавача"))
    if kind not in rules.provider_kinds():
        _fail(_("Оберіть форму власності надавача."), "invalid_provider_kind", "kind")
    codes = _service_codes(list(offers), "offers")
    for code in codes:
        if int(offers[code]) < 0:
            _fail(_("Кількість місць не може бути від’ємною."), "invalid_capacity", f"offers.{code}")
    provider = Provider.objects.create(name=name, kind=kind, edrpou=(edrpou or "").strip(), address=address.strip(),
                                       phone=phone.strip(), hromada=_own_hromada(actor))
    ProviderService.objects.bulk_create([ProviderService(provider=provider, service_code=c, capacity=int(offers[c]))
                                         for c in codes])
    audit(actor=actor, action="socialprovider.register", obj=provider, request=request, details={"offers": codes})
    return provider


@transaction.atomic
def set_capacity(*, actor: User, provider_id: int, service_code: str, capacity: int,
                 request: HttpRequest | None = None) -> ProviderService:
    access.require(actor, "socialprovider.manage")
    provider = access.get_visible(actor, Provider, pk=provider_id)
    _service_codes([service_code], "service_code")
    if capacity < 0:
        _fail(_("Кількість місць не може бути від’ємною."), "invalid_capacity", "capacity")
    offer, _created = ProviderService.objects.select_for_update().get_or_create(
        provider=provider, service_code=service_code, defaults={"capacity": capacity})
    offer.capacity = capacity
    offer.save(update_fields=["capacity"])
    _promote_waiting(provider, service_code)
    audit(actor=actor, action="socialprovider.capacity", obj=provider, request=request,
          details={"service": service_code, "capacity": capacity})
    return offer


@transaction.atomic
def link_provider_worker(*, actor: User, user: User, provider_id: int, request: HttpRequest | None = None) -> ProviderStaff:
    """Attach a provider worker's account to its provider (it then sees that provider's clients only)."""
    access.require(actor, "socialprovider.manage")
    provider = access.get_visible(actor, Provider, pk=provider_id)
    if user.role != Role.PROVIDER_WORKER or not user.is_active \
            or user.territory_id not in access.scope_of(actor).hromada_ids:
        _fail(_("Обліковий запис не є працівником надавача соціальних послуг вашої громади."), "not_provider_worker",
              "user_id")
    staff, _created = ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
    audit(actor=actor, action="socialprovider.link_worker", obj=provider, request=request,
          details={"user_id": user.pk})
    return staff


@transaction.atomic
def unlink_provider_worker(*, actor: User, user_id: int, request: HttpRequest | None = None) -> None:
    """Detach a provider worker's account from its provider (it then sees no client at all)."""
    access.require(actor, "socialprovider.manage")
    staff = (ProviderStaff.objects.select_for_update().select_related("provider")
             .filter(user_id=user_id, provider__in=access.visible(actor, Provider)).first())
    if staff is None:
        _fail(_("Цей працівник не пов’язаний з надавачем вашої громади."), "worker_not_linked", "user_id")
    provider = staff.provider
    staff.delete()
    audit(actor=actor, action="socialprovider.unlink_worker", obj=provider, request=request,
          details={"user_id": user_id})


@transaction.atomic
def set_provider_active(*, actor: User, provider_id: int, active: bool,
                        request: HttpRequest | None = None) -> Provider:
    """Take a provider out of the register's use (no new decisions choose it) or bring it back. A provider with
    clients (services given, suspended or waiting) is not taken out: move them to another provider first."""
    access.require(actor, "socialprovider.manage")
    provider = access.get_visible(actor, Provider.objects.select_for_update(), pk=provider_id)
    if provider.is_active == active:
        return provider
    if not active and provider.case_services.exclude(state=CaseService.ENDED).exists():
        _fail(_("Надавач має отримувачів послуг (або чергу очікування): спершу передайте їх іншому надавачу."),
              "provider_has_clients", "provider_id")
    provider.is_active = active
    provider.save(update_fields=["is_active"])
    audit(actor=actor, action="socialprovider.reactivate" if active else "socialprovider.deactivate", obj=provider,
          request=request)
    return provider


def _active_count(provider: Provider, code: str) -> int:
    return CaseService.objects.filter(provider=provider, code=code, state=CaseService.ACTIVE).count()


def _capacity(provider: Provider, code: str) -> int:
    offer = ProviderService.objects.filter(provider=provider, service_code=code).first()
    return offer.capacity if offer else 0


def _promote_waiting(provider: Provider, code: str) -> None:
    """A freed place goes to the first person on the provider's waiting list for that service."""
    free = _capacity(provider, code) - _active_count(provider, code)
    if free <= 0:
        return
    waiting = (CaseService.objects.select_for_update()
               .filter(provider=provider, code=code, state=CaseService.WAITING,
                       case__status__in=[CaseStatus.IN_SERVICE, CaseStatus.PROVIDING])
               .order_by("queued_at", "id")[:free])
    for item in waiting:
        item.state = CaseService.ACTIVE
        item.save(update_fields=["state"])
        workflow.record_event(item.case, "waiting_list", data={"service": code, "admitted": True})


# ---- the case ------------------------------------------------------------------------------------------------

@transaction.atomic
def register_social_case(*, actor: User, person_id: int, service_codes: list[str], urgency: str, summary: str = "",
                         applied_on: date | None = None, documents: Sequence[str] = (),
                         request: HttpRequest | None = None) -> SocialCase:
    """An application for social services at the specialist's desk (or the front office's short form). It goes
    to the hromada's own social-protection body or centre (offices: deciding authority «hromada_social_unit»),
    never to the raion. Terms: assessment within 5 working days (1 in a crisis), decision within 10
    (services.json)."""
    access.require(actor, "socialcase.intake")
    documents = sorted(set(documents or ()))
    if set(documents) - set(rules.intake_documents()):
        _fail(_("Невідомий вид документа."), "invalid_document", "documents")
    hromada = _own_hromada(actor)
    return _register(actor=actor, person_id=person_id, service_codes=service_codes, urgency=urgency,
                     summary=summary, applied_on=_not_future(applied_on, "applied_on", _("Дата звернення")),
                     documents=documents, hromada=hromada, office=None, request=request)


@transaction.atomic
def open_case_from_application(*, actor: User, application: Any, service_codes: list[str], urgency: str,
                               request: HttpRequest | None = None) -> SocialCase:
    """The front office's application for social services (accepted in the one intake wizard: applicant, family,
    scans, receipt, public status) was submitted: the hromada's social-protection unit it was routed to opens
    the social case from it. The terms run from the application's date; the scans stay on the application
    (the case links to it). Called through ``catalog.slots.social_case_from_application`` inside the
    submission's transaction, so a refusal here sends nothing."""
    access.require(actor, "socialcase.intake")
    if application.hromada_id not in access.scope_of(actor).hromada_ids:
        raise NotFound()
    return _register(actor=actor, person_id=application.applicant_person_id, service_codes=service_codes,
                     urgency=urgency, summary="", applied_on=application.application_date, documents=[],
                     hromada=application.hromada, office=application.back_office, application=application,
                     request=request)


# Its entry is appended at the end: the audit chain head is the last lock, after the case counter (hromada.core.db).
@audit_batched
def _register(*, actor: User, person_id: int, service_codes: Iterable[str], urgency: str, summary: str,
              applied_on: date, documents: list[str], hromada: Unit, office: Office | None,
              application: Any = None, request: HttpRequest | None = None) -> SocialCase:
    if urgency not in rules.URGENCIES:
        _fail(_("Оберіть терміновість: звичайна або кризова."), "invalid_urgency", "urgency")
    codes = _service_codes(service_codes, "service_codes")
    try:
        person = person_selectors.get_person(actor, person_id)
    except NotFound:
        _fail(_("Особу не знайдено в реєстрі вашої громади."), "person_not_found", "person_id")
    office = office or deciding_office_for(hromada, Authority.HROMADA_SOCIAL_UNIT)
    if SocialCase.objects.filter(person=person, hromada=hromada, status__in=workflow.OPEN_STATES).exists():
        # One case per person: a new need goes into the open case (reassessment), not a second file.
        _fail(_("Для цієї особи вже є відкрита справа соціальних послуг — додайте потребу до неї."),
              "case_already_open", "person_id")
    case = SocialCase.objects.create(
        number=_next_number(hromada, applied_on.year), check_code=new_check_code(), person=person, hromada=hromada,
        office=office, urgency=urgency, applied_on=applied_on, summary=(summary or "").strip(), documents=documents,
        assessment_due=rules.assessment_due(applied_on, urgency), decision_due=rules.decision_due(applied_on),
        registered_by=actor, application=application)
    RequestedService.objects.bulk_create([RequestedService(case=case, code=c) for c in codes])
    data = {"urgency": urgency, "services": codes, **({"application_id": application.pk} if application else {})}
    workflow.record_event(case, "register", actor=actor, from_status="", data=data)
    _audit(actor, "register", case, request, **data)
    return case


def _specialist(actor: User, specialist_id: int | None, case: SocialCase) -> User:
    if specialist_id is None or specialist_id == actor.pk:
        return actor
    user = User.objects.filter(pk=specialist_id, role=Role.SOCIAL_WORKER, is_active=True).first()
    if user is None or case.hromada_id not in access.scope_of(user).hromada_ids:
        _fail(_("Оберіть фахівця із соціальної роботи цієї громади."), "invalid_specialist", "specialist_id")
    return user


@transaction.atomic
def assign(*, actor: User, case_id: int, specialist_id: int | None = None, expected_version: int | None = None,
           request: HttpRequest | None = None) -> SocialCase:
    """Assign the case to a social-work specialist: the needs assessment starts (its term runs from the
    application, not from here)."""
    case = workflow.lock_visible(case_id, actor)
    specialist = _specialist(actor, specialist_id, case)
    case = workflow.transition(case, "assign", actor=actor, expected_version=expected_version,
                               data={"specialist_id": specialist.pk}, specialist=specialist)
    _audit(actor, "assign", case, request, specialist_id=specialist.pk)
    return case


def _sections(data: dict[str, SectionInput]) -> tuple[dict, int]:
    scale = rules.score_scale()
    out, total = {}, 0
    for code in rules.sections():
        item = (data or {}).get(code)
        if item is None:
            _fail(_("Оцініть розділ «%(section)s».") % {"section": rules.sections()[code]}, "section_required",
                  f"sections.{code}")
        if not isinstance(item.score, int) or not scale["min"] <= item.score <= scale["max"]:
            _fail(_("Бал розділу має бути від %(min)s до %(max)s.") % {"min": scale["min"], "max": scale["max"]},
                  "invalid_score", f"sections.{code}")
        out[code] = {"score": item.score, "note": (item.note or "").strip()}
        total += item.score
    unknown = set(data or {}) - set(rules.sections())
    if unknown:
        _fail(_("Невідомий розділ оцінювання."), "invalid_section", "sections")
    return out, total


@transaction.atomic
def complete_assessment(*, actor: User, case_id: int, data: AssessmentInput, expected_version: int | None = None,
                        request: HttpRequest | None = None) -> Assessment:
    """Record the needs assessment (structured, scored sections; home visit; result). A case still waiting for
    a specialist is taken by the actor. In service (or suspended) it is a reassessment: the plan's next
    reassessment date moves on, the state stays."""
    sections, total = _sections(data.sections)
    conclusion = _required(data.conclusion, "conclusion", _("Висновок оцінювання"))
    recommended = _service_codes(data.recommended, "recommended") if data.recommended else []
    unknown = set(data.free_conditions or []) - set(rules.free_conditions())
    if unknown:
        _fail(_("Невідома підстава безоплатного надання."), "invalid_free_condition", "free_conditions")
    completed_on = _not_future(data.completed_on, "completed_on", _("Дата завершення оцінювання"))
    if data.home_visit_on is not None and data.home_visit_on > completed_on:
        _fail(_("Візит додому не може бути пізніше завершення оцінювання."), "invalid_home_visit", "home_visit_on")
    case = workflow.lock_visible(case_id, actor)
    # The resident applied on the day the case was registered. Registered on a day off (an application handed in on a
    # Saturday), its legal date — ``applied_on``, from which the terms run — is the next working day, and an
    # assessment made in between (in a crisis: the same day) stands.
    if completed_on < min(case.applied_on, timezone.localtime(case.registered_at).date()):
        _fail(_("Дата оцінювання раніша за дату звернення."), "date_before_application", "completed_on")
    reassessment = case.status in (CaseStatus.IN_SERVICE, CaseStatus.SUSPENDED)
    if reassessment:
        plan = case.plan
        due = plan.next_reassessment_due
    else:
        if case.status == CaseStatus.REGISTERED:
            case = workflow.transition(case, "assign", actor=actor, data={"specialist_id": actor.pk},
                                       expected_version=expected_version, specialist=actor)
            expected_version = None
        due = case.assessment_due
    assessment = Assessment.objects.create(
        case=case, is_reassessment=reassessment, specialist=actor, due_date=due, completed_on=completed_on,
        home_visit_on=data.home_visit_on, home_visit_note=(data.home_visit_note or "").strip(), sections=sections,
        total_score=total, free_conditions=sorted(set(data.free_conditions or [])),
        needs_identified=bool(recommended), conclusion=conclusion, recommended=recommended)
    if reassessment:
        Plan.objects.filter(case=case).update(next_reassessment_due=_add_months(completed_on,
                                                                                 rules.reassessment_months()))
        workflow.record_event(case, "reassessment", actor=actor,
                              data={"assessment_id": assessment.pk, "on_time": assessment.on_time})
    else:
        workflow.transition(case, "complete_assessment", actor=actor, expected_version=expected_version,
                            data={"assessment_id": assessment.pk, "on_time": assessment.on_time,
                                  "needs": assessment.needs_identified})
    _audit(actor, "assessment", case, request, assessment_id=assessment.pk, reassessment=reassessment)
    return assessment


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def decide(*, actor: User, case_id: int, outcome: str, reason: str, services: Sequence[ServiceChoice] = (),
           decided_on: date | None = None, expected_version: int | None = None,
           request: HttpRequest | None = None) -> Decision:
    """Provide (with a provider for each service; a full provider puts the person on its waiting list) or refuse
    (with reasons). Whether the services are free follows the Law's art. 28 list (data) and the assessment."""
    if outcome not in ("provide", "refuse"):
        _fail(_("Рішення: provide (надати) або refuse (відмовити)."), "invalid_outcome", "outcome")
    reason = _required(reason, "reason", _("Підстава / причини рішення") if outcome == "provide" else _("Причини відмови"))
    decided_on = _not_future(decided_on, "decided_on", _("Дата рішення"))
    chosen: list[tuple[str, Provider]] = []
    if outcome == "provide":
        if not services:
            _fail(_("Оберіть послуги та надавачів."), "services_required", "services")
        codes = _service_codes([s.code for s in services], "services")
        if len(codes) != len(services):
            _fail(_("Кожну послугу вкажіть один раз."), "duplicate_service", "services")
        for i, s in enumerate(services):
            provider = access.visible(actor, Provider).filter(pk=s.provider_id, is_active=True).first()
            if provider is None:
                _fail(_("Надавача не знайдено в реєстрі громади."), "provider_not_found", f"services.{i}.provider_id")
            if not ProviderService.objects.filter(provider=provider, service_code=s.code).exists():
                _fail(_("Надавач «%(provider)s» не надає послугу «%(service)s».") % {
                    "provider": provider.name, "service": rules.service_names()[s.code]},
                      "provider_not_offering", f"services.{i}.provider_id")
            chosen.append((s.code, provider))
    changes: dict[str, Any] = {} if outcome == "provide" else {"closed_at": timezone.now()}
    case = workflow.transition(case_id, outcome, actor=actor, expected_version=expected_version,
                               data={"services": [c for c, _p in chosen]}, **changes)
    last = case.assessments.order_by("-completed_on", "-id").first()
    if decided_on < last.completed_on:
        _fail(_("Дата рішення раніша за завершення оцінювання."), "date_before_assessment", "decided_on")
    conditions = set(last.free_conditions) | ({"crisis"} if case.urgency == rules.CRISIS else set())
    decision = Decision.objects.create(case=case, provide=outcome == "provide", reason=reason, decided_on=decided_on,
                                       decided_by=actor, payment=rules.payment_for(conditions) if chosen else "")
    now = timezone.now()
    for code, provider in chosen:
        full = _active_count(provider, code) >= _capacity(provider, code)
        CaseService.objects.create(case=case, code=code, provider=provider,
                                   state=CaseService.WAITING if full else CaseService.ACTIVE,
                                   queued_at=now if full else None)
        if full:
            workflow.record_event(case, "waiting_list", actor=actor, data={"service": code, "provider_id": provider.pk})
    if case.application_id is not None:
        # The front office's application the case came from is decided with it: the result is handed over there.
        catalog_slots.social_case_decided(application_id=case.application_id, provide=outcome == "provide",
                                          social_case_id=case.pk)
    _audit(actor, "decide", case, request, outcome=outcome, services=[c for c, _p in chosen])
    return decision


@transaction.atomic
def approve_plan(*, actor: User, case_id: int, goals: str, items: list[PlanItemInput], consent_on: date | None,
                 approved_on: date | None = None, expected_version: int | None = None,
                 request: HttpRequest | None = None) -> Plan:
    """The individual plan: for each decided service its frequency and goal (and the contract with the provider,
    if signed); the person's consent is required (Law «Про соціальні послуги»)."""
    goals = _required(goals, "goals", _("Мета індивідуального плану"))
    approved_on = _not_future(approved_on, "approved_on", _("Дата затвердження"))
    if consent_on is None:
        _fail(_("Зафіксуйте згоду особи на отримання послуг та обробку персональних даних."), "consent_required",
              "consent_on")
    consent_on = _not_future(consent_on, "consent_on", _("Дата згоди"))
    case = workflow.lock_visible(case_id, actor)
    decided = {s.code: s for s in case.services.all()}
    given = {}
    for i, item in enumerate(items or []):
        if item.code not in decided:
            _fail(_("Послуги немає в рішенні про надання."), "service_not_decided", f"items.{i}.code")
        given[item.code] = (i, item)
    missing = sorted(set(decided) - set(given))
    if missing:
        _fail(_("Включіть до плану всі послуги з рішення."), "plan_incomplete", "items")
    case = workflow.transition(case, "approve_plan", actor=actor, expected_version=expected_version,
                               data={"services": sorted(given)}, consent_on=consent_on)
    plan = Plan.objects.create(case=case, approved_on=approved_on, goals=goals, approved_by=actor,
                               next_reassessment_due=_add_months(approved_on, rules.reassessment_months()))
    for code, (i, item) in given.items():
        svc = decided[code]
        svc.frequency = _required(item.frequency, f"items.{i}.frequency", _("Періодичність"))
        svc.goal = (item.goal or "").strip()
        svc.contract_number = (item.contract_number or "").strip()
        svc.contract_on = item.contract_on
        svc.save(update_fields=["frequency", "goal", "contract_number", "contract_on"])
        if svc.contract_number:
            workflow.record_event(case, "contract", actor=actor, data={"service": code})
    _audit(actor, "plan", case, request, plan_id=plan.pk)
    return plan


@transaction.atomic
def record_delivery(*, actor: User, case_id: int, service_code: str, delivered_on: date | None = None, minutes: int = 0,
                    note: str = "", request: HttpRequest | None = None) -> Delivery:
    """A visit or delivery, logged by the provider's worker (only for its own provider's services) or by the
    specialist."""
    case = workflow.lock_visible(case_id, actor, "socialcase.deliver")
    if case.status != CaseStatus.IN_SERVICE:
        raise workflow.IllegalTransition(
            _("Фіксувати надання можна лише коли послуги надаються (зараз «%(status)s»).") % {
                "status": case.get_status_display()},
            details={"status": case.status})
    qs = case.services.filter(code=service_code)
    if actor.role == Role.PROVIDER_WORKER:
        qs = qs.filter(provider__staff__user=actor)
    svc = qs.first()
    if svc is None:
        _fail(_("Ця послуга не надається вашим надавачем у цій справі."), "service_not_in_plan", "service_code")
    if svc.state != CaseService.ACTIVE:
        _fail(_("Послуга ще в черзі очікування або призупинена."), "service_not_active", "service_code")
    delivered_on = _not_future(delivered_on, "delivered_on", _("Дата надання"))
    if delivered_on < case.plan.approved_on:
        _fail(_("Дата надання раніша за затвердження плану."), "date_before_plan", "delivered_on")
    if minutes < 0 or minutes > 24 * 60:
        _fail(_("Тривалість — від 0 до 1440 хвилин."), "invalid_minutes", "minutes")
    delivery = Delivery.objects.create(service=svc, delivered_on=delivered_on, minutes=minutes,
                                       note=(note or "").strip(), worker=actor)
    workflow.record_event(case, "delivery", actor=actor, data={"service": service_code, "delivery_id": delivery.pk})
    _audit(actor, "delivery", case, request, delivery_id=delivery.pk)
    return delivery


@transaction.atomic
def suspend(*, actor: User, case_id: int, reason: str, expected_version: int | None = None,
            request: HttpRequest | None = None) -> SocialCase:
    reason = _required(reason, "reason", _("Причина призупинення"))
    case = workflow.transition(case_id, "suspend", actor=actor, expected_version=expected_version, comment=reason)
    case.services.filter(state=CaseService.ACTIVE).update(state=CaseService.SUSPENDED)
    _audit(actor, "suspend", case, request)
    return case


@transaction.atomic
def resume(*, actor: User, case_id: int, expected_version: int | None = None,
           request: HttpRequest | None = None) -> SocialCase:
    case = workflow.transition(case_id, "resume", actor=actor, expected_version=expected_version)
    case.services.filter(state=CaseService.SUSPENDED).update(state=CaseService.ACTIVE)
    _audit(actor, "resume", case, request)
    return case


@transaction.atomic
def send_referral(*, actor: User, case_id: int, body: str, purpose: str, sent_on: date | None = None,
                  request: HttpRequest | None = None) -> Referral:
    if body not in rules.referral_bodies():
        _fail(_("Оберіть орган, до якого направляєте."), "invalid_referral_body", "body")
    purpose = _required(purpose, "purpose", _("Мета направлення"))
    case = workflow.lock_visible(case_id, actor)
    if case.status not in workflow.OPEN_STATES:
        raise workflow.IllegalTransition(_("Справу закрито: направлення неможливе."), details={"status": case.status})
    referral = Referral.objects.create(case=case, body=body, purpose=purpose,
                                       sent_on=_not_future(sent_on, "sent_on", _("Дата направлення")))
    workflow.record_event(case, "referral", actor=actor, data={"referral_id": referral.pk, "body": body})
    _audit(actor, "referral", case, request, referral_id=referral.pk, body=body)
    return referral


@transaction.atomic
def close_case(*, actor: User, case_id: int, outcome: str, note: str = "", expected_version: int | None = None,
               request: HttpRequest | None = None) -> SocialCase:
    """Close with an outcome; the services end and freed places go to the providers' waiting lists."""
    if outcome not in rules.outcomes():
        _fail(_("Оберіть результат закриття справи."), "invalid_outcome", "outcome")
    if outcome == "other" and not (note or "").strip():
        _fail(_("Для результату «Інше» опишіть його в примітці."), "note_required", "note")
    case = workflow.transition(case_id, "close", actor=actor, expected_version=expected_version,
                               data={"outcome": outcome}, outcome=outcome, outcome_note=(note or "").strip(),
                               closed_at=timezone.now())
    freed = list(case.services.exclude(state=CaseService.ENDED).select_related("provider"))
    case.services.update(state=CaseService.ENDED)
    for svc in freed:
        _promote_waiting(svc.provider, svc.code)
    _audit(actor, "close", case, request, outcome=outcome)
    return case
