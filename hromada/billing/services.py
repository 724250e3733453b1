"""Billing writes: tariffs, budget lines, exclusions, period runs and closing.

A run computes a period's items (one per payable application of the month, plus signed adjustments for
earlier closed months whose next open month this is — see rules.py point 8) and replaces the period's
items and lines in one transaction: the same inputs always give the same lines. A closed period is
frozen: nothing here writes to it, and the database trigger refuses it too.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application
from hromada.audit.services import record
from hromada.catalog.models import ServiceType
from hromada.core.errors import Conflict, NotFound, ValidationFailed

from . import rules
from .models import BillingExclusion, BillingPeriod, BillingRun, BudgetLine, PeriodStatus, RunStatus, Tariff
from .periods import latest_closed, month_has_ended, next_month, parse_money, parse_period
from .runner import execute_billing_run
from .tasks import run_billing_period_task

STALE_RUN = timedelta(hours=1)


# --- tariffs, budget, exclusions -------------------------------------------------------------------

@transaction.atomic
def set_tariff(*, actor: User, amount: Decimal | str | int, effective_from: date, basis: str,
               service_code: str | None = None, request: HttpRequest | None = None) -> Tariff:
    """Put a new tariff in force from ``effective_from``; the previous one of the same service ends the day
    before. Refused for dates inside closed months (a change never alters a closed month)."""
    access.require(actor, "billing.tariffs")
    amount = parse_money(amount, code="tariff_amount_invalid")
    if amount <= 0:
        raise ValidationFailed(_("Тариф має бути більшим за нуль."), code="tariff_amount_invalid")
    if not (basis or "").strip():
        raise ValidationFailed(_("Зазначте підставу (наказ, лист міністерства)."), code="tariff_basis_required")
    service = None
    if service_code:
        service = ServiceType.objects.filter(code=service_code).first()
        if service is None:
            raise ValidationFailed(_("Невідомий вид послуги."), code="unknown_service")
    closed = latest_closed()
    if closed is not None and effective_from < rules.month_bounds(*next_month(closed.year, closed.month))[0].date():
        raise Conflict(_("Тариф не можна змінити для закритого періоду %(period)s: оберіть дату після нього.")
                       % {"period": closed.key}, code="tariff_in_closed_period")
    same = Tariff.objects.select_for_update().filter(service=service)
    if same.filter(effective_from__gte=effective_from).exists():
        raise Conflict(_("Вже є тариф, що діє з цієї або пізнішої дати."), code="tariff_overlap")
    old_amount = None  # the tariff in force until now (the audit keeps old and new)
    for previous in same.exclude(effective_to__lt=effective_from):
        old_amount = str(previous.amount)
        previous.effective_to = effective_from - timedelta(days=1)
        previous.save(update_fields=["effective_to"])
    tariff = Tariff.objects.create(service=service, amount=amount, effective_from=effective_from,
                                   basis=basis.strip(), set_by=actor)
    record(actor=actor, action="billing.tariff_set", obj=tariff, request=request,
           details={"service": service_code or "", "amount": str(amount), "old_amount": old_amount,
                    "from": effective_from.isoformat()})
    return tariff


@transaction.atomic
def set_budget_line(*, actor: User, year: int, allocated: Decimal | str | int, basis: str,
                    request: HttpRequest | None = None) -> BudgetLine:
    access.require(actor, "billing.run")
    allocated = parse_money(allocated, code="budget_amount_invalid")
    if allocated < 0:
        raise ValidationFailed(_("Сума не може бути від’ємною."), code="budget_amount_invalid")
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("Неправильний рік."), code="bad_year")
    line, _created = BudgetLine.objects.update_or_create(
        year=year, defaults={"allocated": allocated, "basis": (basis or "").strip(), "set_by": actor})
    record(actor=actor, action="billing.budget_set", obj=line, request=request,
           details={"year": year, "allocated": str(allocated)})
    return line


def _recompute_after(actor: User, application: Application) -> BillingRun | None:
    """Queue the run that carries an exclusion's change into the figures: the application's own month while it is
    open; once closed, the next open month after it, where the run books the signed adjustment (rules.py point 8).
    A month never computed yet needs nothing (its first run sees the change); a run already under way is left."""
    if application.first_submitted_at is None:
        return None
    day = timezone.localtime(application.first_submitted_at, rules.KYIV)
    year, month = day.year, day.month
    closed = set(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("year", "month"))
    while (year, month) in closed:
        year, month = next_month(year, month)
    if not BillingPeriod.objects.filter(year=year, month=month).exists():
        return None
    try:
        with transaction.atomic():
            run = _create_run(actor, f"{year:04d}-{month:02d}")
    except Conflict:
        return None
    key, run_id = run.period.key, str(run.run_id)
    transaction.on_commit(lambda: run_billing_period_task.delay(key, run_id), robust=True)
    return run


@transaction.atomic
def exclude_from_billing(*, actor: User, application_id: int, reason: str,
                         request: HttpRequest | None = None) -> BillingExclusion:
    """Mark an application as not payable (e.g. a duplicate found on audit) and recompute: its open month drops it;
    if its month is closed, the next open period's run books the negative adjustment."""
    access.require(actor, "billing.run")
    if not (reason or "").strip():
        raise ValidationFailed(_("Зазначте підставу виключення."), code="exclusion_reason_required")
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    exclusion, created = BillingExclusion.objects.get_or_create(
        application=application, defaults={"reason": reason.strip(), "set_by": actor})
    if not created:
        raise Conflict(_("Заяву вже виключено з оплати."), code="already_excluded")
    run = _recompute_after(actor, application)
    record(actor=actor, action="billing.exclude", obj=application, request=request,
           details={"kind": "explicit", "reason": exclusion.reason,
                    "changes": {"excluded": [False, True], "reason": ["", exclusion.reason]},
                    "run_id": str(run.run_id) if run else None})
    return exclusion


@transaction.atomic
def include_in_billing(*, actor: User, application_id: int, reason: str, request: HttpRequest | None = None) -> None:
    """Undo the ministry's exclusion (with the reason why) and recompute as for an exclusion: the rule decides again
    (a duplicate or a case withdrawn before review stays unpaid); a closed month gets a positive adjustment."""
    access.require(actor, "billing.run")
    if not (reason or "").strip():
        raise ValidationFailed(_("Зазначте підставу повернення до оплати."), code="inclusion_reason_required")
    exclusion = BillingExclusion.objects.select_related("application").filter(application_id=application_id).first()
    if exclusion is None:
        raise Conflict(_("Заяву не виключено з оплати."), code="not_excluded")
    application, old_reason = exclusion.application, exclusion.reason
    exclusion.delete()
    run = _recompute_after(actor, application)
    record(actor=actor, action="billing.include", obj=application, request=request,
           details={"reason": reason.strip(), "changes": {"excluded": [True, False], "reason": [old_reason, ""]},
                    "run_id": str(run.run_id) if run else None})


def include_application_by_number(*, actor: User, number: str, reason: str,
                                  request: HttpRequest | None = None) -> None:
    access.require(actor, "billing.run")
    app_id = Application.objects.filter(number=number).values_list("id", flat=True).first()
    if app_id is None:
        raise NotFound(_("Заяву з таким номером не знайдено."), code="application_not_found")
    include_in_billing(actor=actor, application_id=app_id, reason=reason, request=request)


def exclude_application_by_number(*, actor: User, number: str, reason: str,
                                  request: HttpRequest | None = None) -> BillingExclusion:
    access.require(actor, "billing.run")
    app_id = Application.objects.filter(number=number).values_list("id", flat=True).first()
    if app_id is None:
        raise NotFound(_("Заяву з таким номером не знайдено."), code="application_not_found")
    return exclude_from_billing(actor=actor, application_id=app_id, reason=reason, request=request)


# --- runs -------------------------------------------------------------------------------------------

def _create_run(actor: User, key: str) -> BillingRun:
    access.require(actor, "billing.run")
    year, month = parse_period(key)
    if rules.month_bounds(year, month)[0] > timezone.now():
        raise ValidationFailed(_("Період ще не почався."), code="period_in_future")
    period, _created = BillingPeriod.objects.get_or_create(year=year, month=month)
    period = BillingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise Conflict(_("Період %(period)s закрито: зміни потрапляють у наступний відкритий період як коригування.")
                       % {"period": period.key}, code="period_closed")
    # A run a lost worker left behind must not block the period forever (the task itself is retried).
    period.runs.filter(status__in=(RunStatus.PENDING, RunStatus.RUNNING), created_at__lt=timezone.now() - STALE_RUN) \
        .update(status=RunStatus.FAILED, error=_("Розрахунок перервано (завис)."), error_code="stale_run")
    if period.runs.filter(status__in=(RunStatus.PENDING, RunStatus.RUNNING)).exists():
        raise Conflict(_("Розрахунок цього періоду вже виконується."), code="run_in_progress")
    return BillingRun.objects.create(period=period, run_id=uuid.uuid4(), requested_by=actor)


@transaction.atomic
def request_billing_run(*, actor: User, period: str) -> BillingRun:
    """Queue a run of ``period`` (the Celery task starts after this transaction commits)."""
    run = _create_run(actor, period)
    key, run_id = run.period.key, str(run.run_id)
    transaction.on_commit(lambda: run_billing_period_task.delay(key, run_id), robust=True)
    return run


def run_billing_period(*, actor: User, period: str) -> BillingRun:
    """Compute ``period`` now, synchronously (management command, tests). Same inputs → same lines."""
    with transaction.atomic():
        run = _create_run(actor, period)
    return execute_billing_run(run_id=run.run_id)


@transaction.atomic
def close_billing_period(*, actor: User, period: str, request: HttpRequest | None = None) -> BillingPeriod:
    """Freeze ``period``: its lines become immutable; later discoveries go to the next open month."""
    access.require(actor, "billing.run")
    year, month = parse_period(period)
    row = BillingPeriod.objects.select_for_update().filter(year=year, month=month).first()
    if row is None:
        raise Conflict(_("Період ще не розраховано."), code="period_not_run")
    if row.is_closed:
        raise Conflict(_("Період уже закрито."), code="period_closed")
    if not month_has_ended(year, month):
        raise Conflict(_("Місяць ще не завершився: закрити період можна після його закінчення."),
                       code="period_not_ended")
    last = row.runs.first()
    if last is None or last.status != RunStatus.DONE:
        code = "run_in_progress" if last is not None and last.is_active else "period_not_run"
        raise Conflict(_("Спершу успішно розрахуйте період (останній розрахунок не завершено)."), code=code)
    row.status, row.closed_at, row.closed_by = PeriodStatus.CLOSED, timezone.now(), actor
    row.save(update_fields=["status", "closed_at", "closed_by"])
    record(actor=actor, action="billing.close", object_type="billing.billingperiod", object_id=row.key,
           request=request, details={"run_id": str(last.run_id)})
    return row
