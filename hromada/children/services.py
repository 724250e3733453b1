"""Writes for child cases: one transaction per service, every step through the workflow or its
event writer, every change audited (codes and ids only — never reporter or personal data)."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ParamSpec, TypeVar

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.audit.services import batched as audit_batched
from hromada.audit.services import record as audit
from hromada.core.errors import ValidationFailed
from hromada.core.text import normalize_name
from hromada.core.validation import fail as _fail
from hromada.core.validation import not_future as _not_future
from hromada.core.validation import required as _required
from hromada.persons.models import Person, Sex
from hromada.persons.services import mark_child_of_case
from hromada.persons.validators import (
    FieldError,
    check_rnokpp_matches,
    clean_birth_date,
    clean_person_name,
    clean_phone,
    clean_rnokpp,
)
from hromada.territory.models import Unit

from . import rules, workflow
from .models import (
    ANONYMOUS,
    Assessment,
    CaseCircumstance,
    CaseMember,
    CasePlan,
    CaseSequence,
    CaseStatus,
    ChildCase,
    Decision,
    Measure,
    Referral,
    Reporter,
    Review,
)

ADULT_AGE = 18
# Recorded on a Person created without a РНОКПП (the registry requires a reason). Deliberately neutral:
# the person registry must not reveal that the children's service knows this person.
NO_RNOKPP_REASON = "РНОКПП не надано під час звернення"


@dataclass
class PersonInput:
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    patronymic: str = ""
    rnokpp: str = ""
    phone: str = ""
    is_idp: bool = False


@dataclass
class RepresentativeInput:
    role: str
    person: PersonInput


@dataclass
class MeasureInput:
    description: str
    responsible_service: str
    due_date: date


def _today() -> date:
    return timezone.localdate()


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


P = ParamSpec("P")
T = TypeVar("T")


def _person_field(func: Callable[P, T], field: str, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a persons.validators check; its field error becomes our ValidationFailed on ``field``."""
    try:
        return func(*args, **kwargs)
    except FieldError as exc:
        raise ValidationFailed(exc.message, code=exc.code, details={"field": f"{field}.{exc.field}"}) from None


def _find_or_create_person(data: PersonInput, *, hromada: Unit, actor: User, field: str) -> Person:
    """The registry's person with this РНОКПП (or the one exact name + birth-date match in the hromada),
    else a new record registered in the responsible hromada. Validation is the person registry's own."""
    last = _person_field(clean_person_name, field, "last_name", data.last_name, required=True)
    first = _person_field(clean_person_name, field, "first_name", data.first_name, required=True)
    patronymic = _person_field(clean_person_name, field, "patronymic", data.patronymic, required=False) or ""
    birth_date = _person_field(clean_birth_date, field, data.birth_date, today=_today())
    if data.sex not in Sex.values:
        _fail(_("Вкажіть стать."), "invalid_sex", f"{field}.sex")
    phone = _person_field(clean_phone, field, data.phone)
    rnokpp = _person_field(clean_rnokpp, field, data.rnokpp)
    full = " ".join(p for p in (last, first, patronymic) if p)
    if rnokpp:
        _person_field(check_rnokpp_matches, field, rnokpp, birth_date=birth_date, sex=data.sex)
        existing = Person.objects.filter(rnokpp=rnokpp).first()
        if existing is not None:
            if existing.birth_date != birth_date or existing.name_key != normalize_name(full):
                _fail(_("Особа з цим РНОКПП у реєстрі має інше ПІБ або дату народження. Перевірте дані."),
                      "person_mismatch", f"{field}.rnokpp")
            return existing
    else:
        matches = list(Person.objects.filter(name_key=normalize_name(full), birth_date=birth_date,
                                             registered_hromada=hromada)[:2])
        if len(matches) == 1:
            return matches[0]
    return Person.objects.create(
        last_name=last, first_name=first, patronymic=patronymic, birth_date=birth_date, sex=data.sex,
        rnokpp=rnokpp, no_rnokpp_reason="" if rnokpp else NO_RNOKPP_REASON, name_key=normalize_name(full),
        phone=phone, is_idp=data.is_idp, registered_hromada=hromada, registered_by=actor)


def _responsible_hromada(actor: User, hromada_id: int | None) -> Unit:
    scope = access.scope_of(actor)
    ids = sorted(scope.hromada_ids)
    if hromada_id is None:
        if len(ids) != 1:
            _fail(_("Оберіть громаду, відповідальну за справу."), "hromada_required", "hromada_id")
        hromada_id = ids[0]
    if hromada_id not in scope.hromada_ids:
        _fail(_("Громада поза межами вашої території."), "hromada_out_of_scope", "hromada_id")
    return Unit.objects.get(pk=hromada_id)


def _next_number(hromada: Unit, year: int) -> str:
    seq, _created = CaseSequence.objects.select_for_update().get_or_create(hromada=hromada, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    # СД: служба у справах дітей; the hromada's КАТОТТГ digits keep numbers unique across hromadas.
    return f"СД-{hromada.code[2:12]}-{year}-{seq.last:05d}"


def _audit(actor: User, action: str, case: ChildCase, request: HttpRequest | None = None, **details: object) -> None:
    audit(actor=actor, action=f"childcase.{action}", obj=case, request=request, details=details or None)


def flag_children_of_cases(**_signal: object) -> int:
    """Every child of a case flagged on her person (``Person.in_child_case``); how many were not. Run after a restore
    (``audit.backup.database_restored``): a dump of a release before the flag gives every person the default."""
    return Person.objects.filter(pk__in=ChildCase.objects.values("child_id"), in_child_case=False).update(
        in_child_case=True)


# Its entries (a new person's, the case's) are appended together at the end: the audit chain head is the last
# lock, after the case counter (hromada.core.db).
@transaction.atomic
@audit_batched
def register_child_case(*, actor: User, child: PersonInput, urgency: str, reporter_type: str, circumstances: list[str],
                        summary: str = "", reported_on: date | None = None, hromada_id: int | None = None,
                        reporter_name: str = "", reporter_organisation: str = "", reporter_phone: str = "",
                        reporter_details: str = "", representatives: Sequence[RepresentativeInput] = (),
                        request: HttpRequest | None = None) -> ChildCase:
    """Register a report about a child. For an anonymous report nothing about the reporter is stored,
    whatever was typed. The assessment due date follows the urgency (rules.json)."""
    access.require(actor, workflow.CHANGE)
    if urgency not in rules.urgencies():
        _fail(_("Оберіть терміновість."), "invalid_urgency", "urgency")
    if reporter_type not in rules.reporter_types():
        _fail(_("Оберіть джерело повідомлення."), "invalid_reporter_type", "reporter_type")
    codes = sorted(set(circumstances or []))
    if not codes:
        _fail(_("Позначте хоча б одну обставину."), "circumstances_required", "circumstances")
    unknown = [c for c in codes if c not in rules.circumstances()]
    if unknown:
        _fail(_("Невідома категорія обставин."), "invalid_circumstance", "circumstances")
    reported_on = _not_future(reported_on, "reported_on", _("Дата надходження повідомлення"))
    if reporter_type != ANONYMOUS:
        reporter_name = _required(reporter_name, "reporter_name", _("Хто повідомив"))
    hromada = _responsible_hromada(actor, hromada_id)
    child_person = _find_or_create_person(child, hromada=hromada, actor=actor, field="child")
    if _age_on(child_person.birth_date, reported_on) >= ADULT_AGE:
        _fail(_("Особа на дату повідомлення вже досягла повноліття."), "not_a_child", "child.birth_date")
    mark_child_of_case(child_person)
    case = ChildCase.objects.create(
        number=_next_number(hromada, reported_on.year), child=child_person, hromada=hromada, registered_by=actor,
        reported_on=reported_on, reporter_type=reporter_type, urgency=urgency, summary=(summary or "").strip(),
        assessment_due=rules.assessment_due(reported_on, urgency))
    CaseCircumstance.objects.bulk_create([CaseCircumstance(case=case, code=c) for c in codes])
    if reporter_type != ANONYMOUS:
        Reporter.objects.create(case=case, name=reporter_name, organisation=(reporter_organisation or "").strip(),
                                phone=(reporter_phone or "").strip(), details=(reporter_details or "").strip())
    for i, rep in enumerate(representatives or ()):
        if rep.role not in rules.representative_roles():
            _fail(_("Оберіть роль законного представника."), "invalid_representative_role", f"representatives.{i}.role")
        person = _find_or_create_person(rep.person, hromada=hromada, actor=actor, field=f"representatives.{i}")
        if person.pk == child_person.pk:
            _fail(_("Дитина не може бути власним представником."), "representative_is_child", f"representatives.{i}")
        CaseMember.objects.get_or_create(case=case, person=person, defaults={"role": rep.role})
    workflow.record_event(case, "register", actor=actor, from_status="",
                          data={"urgency": urgency, "circumstances": codes, "reporter_type": reporter_type})
    _audit(actor, "register", case, request, urgency=urgency)
    return case


@transaction.atomic
def start_assessment(*, actor: User, case_id: int, started_on: date | None = None, expected_version: int | None = None,
                     request: HttpRequest | None = None) -> ChildCase:
    started_on = _not_future(started_on, "started_on", _("Дата початку оцінювання"))
    case = workflow.transition(case_id, "start_assessment", actor=actor, expected_version=expected_version)
    Assessment.objects.create(case=case, started_on=started_on, due_date=case.assessment_due)
    _audit(actor, "start_assessment", case, request)
    return case


def _locked_in(case_id: int, actor: User, states: Collection[str], what: str) -> ChildCase:
    case = workflow.lock_visible(case_id, actor)
    if case.status not in states:
        raise workflow.IllegalTransition(
            _("%(what)s: неможливо для справи у статусі «%(status)s».")
            % {"what": what, "status": case.get_status_display()},
            details={"status": case.status})
    return case


@transaction.atomic
def complete_assessment(*, actor: User, case_id: int, needs: str, findings: str, completed_on: date | None = None,
                        request: HttpRequest | None = None) -> Assessment:
    case = _locked_in(case_id, actor, {CaseStatus.ASSESSMENT}, _("Завершення оцінювання"))
    assessment = case.assessment
    if assessment.completed_on is not None:
        raise workflow.IllegalTransition(_("Оцінювання вже завершено."), details={"status": case.status})
    completed_on = _not_future(completed_on, "completed_on", _("Дата завершення оцінювання"))
    if completed_on < assessment.started_on:
        _fail(_("Дата завершення раніша за дату початку оцінювання."), "date_before_start", "completed_on")
    assessment.needs = _required(needs, "needs", _("Потреби дитини"))
    assessment.findings = _required(findings, "findings", _("Висновки оцінювання"))
    assessment.completed_on, assessment.completed_by = completed_on, actor
    assessment.save()
    workflow.record_event(case, "complete_assessment", actor=actor, data={"on_time": assessment.on_time})
    _audit(actor, "complete_assessment", case, request)
    return assessment


@transaction.atomic
def decide_on_circumstances(*, actor: User, case_id: int, in_difficult_circumstances: bool, basis: str,
                            decided_on: date | None = None, expected_version: int | None = None,
                            request: HttpRequest | None = None) -> ChildCase:
    """Record the decision. "Not in difficult life circumstances" closes the case with that outcome."""
    basis = _required(basis, "basis", _("Підстава рішення"))
    decided_on = _not_future(decided_on, "decided_on", _("Дата рішення"))
    if in_difficult_circumstances:
        case = workflow.transition(case_id, "recognise", actor=actor, expected_version=expected_version)
    else:
        case = workflow.transition(case_id, "not_recognise", actor=actor, expected_version=expected_version,
                                   outcome="not_in_difficult_circumstances", closed_at=timezone.now())
    completed_on = case.assessment.completed_on
    if completed_on is not None and decided_on < completed_on:
        _fail(_("Дата рішення раніша за завершення оцінювання."), "date_before_assessment", "decided_on")
    Decision.objects.create(case=case, in_difficult_circumstances=in_difficult_circumstances, decided_on=decided_on,
                            basis=basis, decided_by=actor)
    _audit(actor, "decide", case, request, in_difficult_circumstances=in_difficult_circumstances)
    return case


def _measure(m: MeasureInput, i: int, since: date) -> Measure:
    description = _required(m.description, f"measures.{i}.description", _("Захід"))
    service = _required(m.responsible_service, f"measures.{i}.responsible_service", _("Відповідальна служба"))
    if m.due_date is None or m.due_date < since:
        _fail(_("Строк заходу не може бути раніше дати затвердження плану."), "invalid_due_date",
              f"measures.{i}.due_date")
    return Measure(description=description, responsible_service=service, due_date=m.due_date)


@transaction.atomic
def approve_case_plan(*, actor: User, case_id: int, goal: str, measures: list[MeasureInput],
                      approved_on: date | None = None, next_review_due: date | None = None,
                      expected_version: int | None = None, request: HttpRequest | None = None) -> CasePlan:
    goal = _required(goal, "goal", _("Мета плану"))
    approved_on = _not_future(approved_on, "approved_on", _("Дата затвердження"))
    if not measures:
        _fail(_("Додайте хоча б один захід."), "measures_required", "measures")
    built = [_measure(m, i, approved_on) for i, m in enumerate(measures)]
    next_review_due = next_review_due or approved_on + timedelta(days=rules.review_interval_days())
    if next_review_due <= approved_on:
        _fail(_("Дата перегляду має бути пізніше дати затвердження."), "invalid_review_date", "next_review_due")
    case = workflow.transition(case_id, "approve_plan", actor=actor, expected_version=expected_version,
                               data={"measures": len(built)})
    plan = CasePlan.objects.create(case=case, goal=goal, approved_on=approved_on, next_review_due=next_review_due,
                                   approved_by=actor)
    for m in built:
        m.plan = plan
    Measure.objects.bulk_create(built)
    _audit(actor, "approve_plan", case, request)
    return plan


@transaction.atomic
def add_measure(*, actor: User, case_id: int, measure: MeasureInput, request: HttpRequest | None = None) -> Measure:
    case = _locked_in(case_id, actor, workflow.PLAN_STATES, _("Додавання заходу"))
    m = _measure(measure, 0, case.plan.approved_on)
    m.plan = case.plan
    m.save()
    workflow.record_event(case, "add_measure", actor=actor, data={"measure_id": m.pk})
    _audit(actor, "add_measure", case, request, measure_id=m.pk)
    return m


@transaction.atomic
def mark_measure_done(*, actor: User, case_id: int, measure_id: int, done_on: date | None = None,
                      request: HttpRequest | None = None) -> Measure:
    case = _locked_in(case_id, actor, workflow.PLAN_STATES, _("Позначення виконання заходу"))
    measure = Measure.objects.filter(plan__case=case, pk=measure_id).first()
    if measure is None:
        _fail(_("Захід не знайдено в плані цієї справи."), "measure_not_found", "measure_id")
    if measure.done_on is not None:
        raise workflow.IllegalTransition(_("Захід уже позначено виконаним."), details={"measure_id": measure.pk})
    measure.done_on = _not_future(done_on, "done_on", _("Дата виконання"))
    measure.save(update_fields=["done_on"])
    workflow.record_event(case, "measure_done", actor=actor, data={"measure_id": measure.pk})
    _audit(actor, "measure_done", case, request, measure_id=measure.pk)
    return measure


@transaction.atomic
def record_review(*, actor: User, case_id: int, findings: str, reviewed_on: date | None = None,
                  next_review_due: date | None = None, expected_version: int | None = None,
                  request: HttpRequest | None = None) -> Review:
    findings = _required(findings, "findings", _("Висновки перегляду"))
    reviewed_on = _not_future(reviewed_on, "reviewed_on", _("Дата перегляду"))
    if next_review_due is not None and next_review_due <= reviewed_on:
        _fail(_("Дата наступного перегляду має бути пізніше дати перегляду."), "invalid_review_date", "next_review_due")
    case = workflow.transition(case_id, "review", actor=actor, expected_version=expected_version)
    if reviewed_on < case.plan.approved_on:
        _fail(_("Дата перегляду раніша за затвердження плану."), "date_before_plan", "reviewed_on")
    review = Review.objects.create(case=case, reviewed_on=reviewed_on, findings=findings,
                                   next_review_due=next_review_due, reviewed_by=actor)
    if next_review_due is not None:
        CasePlan.objects.filter(case=case).update(next_review_due=next_review_due)
    _audit(actor, "review", case, request, review_id=review.pk)
    return review


@transaction.atomic
def send_referral(*, actor: User, case_id: int, service_name: str, purpose: str = "", sent_on: date | None = None,
                  request: HttpRequest | None = None) -> Referral:
    case = _locked_in(case_id, actor, workflow.WORKING_STATES, _("Направлення до іншої служби"))
    referral = Referral.objects.create(
        case=case, service_name=_required(service_name, "service_name", _("Служба / заклад")),
        purpose=(purpose or "").strip(), sent_on=_not_future(sent_on, "sent_on", _("Дата направлення")))
    workflow.record_event(case, "referral", actor=actor, data={"referral_id": referral.pk})
    _audit(actor, "referral", case, request, referral_id=referral.pk)
    return referral


@transaction.atomic
def record_referral_feedback(*, actor: User, case_id: int, referral_id: int, feedback: str,
                             feedback_on: date | None = None, request: HttpRequest | None = None) -> Referral:
    case = _locked_in(case_id, actor, workflow.WORKING_STATES, _("Запис зворотного зв’язку"))
    referral = Referral.objects.filter(case=case, pk=referral_id).first()
    if referral is None:
        _fail(_("Направлення не знайдено в цій справі."), "referral_not_found", "referral_id")
    if referral.feedback_on is not None:
        raise workflow.IllegalTransition(_("Зворотний зв’язок за цим направленням уже записано."),
                                         details={"referral_id": referral.pk})
    feedback_on = _not_future(feedback_on, "feedback_on", _("Дата відповіді"))
    if feedback_on < referral.sent_on:
        _fail(_("Дата відповіді раніша за дату направлення."), "date_before_referral", "feedback_on")
    referral.feedback = _required(feedback, "feedback", _("Зворотний зв’язок"))
    referral.feedback_on = feedback_on
    referral.save(update_fields=["feedback", "feedback_on"])
    workflow.record_event(case, "referral_feedback", actor=actor, data={"referral_id": referral.pk})
    _audit(actor, "referral_feedback", case, request, referral_id=referral.pk)
    return referral


@transaction.atomic
def close_case(*, actor: User, case_id: int, outcome: str, note: str = "", expected_version: int | None = None,
               request: HttpRequest | None = None) -> ChildCase:
    # "Not in difficult circumstances" is the decision's own outcome (decide_on_circumstances), not a closure.
    if outcome not in rules.outcomes() or outcome == "not_in_difficult_circumstances":
        _fail(_("Оберіть результат закриття справи."), "invalid_outcome", "outcome")
    if outcome == "other" and not (note or "").strip():
        _fail(_("Для результату «Інше» опишіть його в примітці."), "note_required", "note")
    case = workflow.transition(case_id, "close", actor=actor, expected_version=expected_version,
                               data={"outcome": outcome}, outcome=outcome, outcome_note=(note or "").strip(),
                               closed_at=timezone.now())
    _audit(actor, "close", case, request, outcome=outcome)
    return case
