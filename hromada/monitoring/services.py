"""Writes of the monitoring app: rebuilding the monthly aggregates, onboarding steps, workplaces."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Choices, Count, Min, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application
from hromada.audit.services import record
from hromada.billing.selectors import amounts_by_hromada
from hromada.core.errors import Conflict, NotFound, ValidationFailed
from hromada.core.months import month_bounds
from hromada.offices.models import Function, Office, StaffPosition
from hromada.territory.models import Category, Unit

from .models import (
    DecisionDays,
    Equipment,
    EquipmentStatus,
    EquipmentType,
    FundingSource,
    HromadaMonth,
    MonthRefresh,
    OnboardingStep,
    OnboardingStepCode,
    Workplace,
    WorkplacePlan,
    WorkplaceStatus,
)
from .periods import Period, add_months, current_month

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs (dev only): annotations only

# A running month's aggregates older than this are rebuilt when a dashboard asks for them.
MAX_AGE = timedelta(seconds=getattr(settings, "MONITORING_MAX_AGE_SECONDS", 600))


@transaction.atomic
def refresh_month(*, month: date) -> int:
    """Rebuild HromadaMonth and DecisionDays rows of one month from raw data. Returns the rows written."""
    month = month.replace(day=1)
    # One rebuild of a month at a time (the beat and a dashboard may meet): lock its MonthRefresh row.
    MonthRefresh.objects.get_or_create(month=month, defaults={"refreshed_at": timezone.now()})
    MonthRefresh.objects.select_for_update().get(month=month)
    now = timezone.now()
    start, end = month_bounds(month.year, month.month)
    cut = min(end, now)                              # stocks are read at this instant
    as_of = timezone.localdate(now) if end > now else (end - timedelta(days=1)).date()
    rows: dict[int | None, dict] = defaultdict(dict)   # None: an office of no hromada

    for r in (Application.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)
              .values("hromada_id").annotate(n=Count("id"))):
        rows[r["hromada_id"]]["accepted"] = r["n"]

    histogram: dict[tuple[int, int], int] = defaultdict(int)
    decided_qs = (Application.objects.filter(decided_at__gte=start, decided_at__lt=end)
                  .values_list("hromada_id", "first_submitted_at", "decided_at", "due_date", "return_count",
                               "granted"))
    for hromada_id, first_at, decided_at, due, returns, was_granted in decided_qs.iterator(chunk_size=5000):
        row = rows[hromada_id]
        decided_day = timezone.localdate(decided_at)
        row["decided"] = row.get("decided", 0) + 1
        row["granted"] = row.get("granted", 0) + bool(was_granted)
        row["returned"] = row.get("returned", 0) + (returns > 0)
        row["on_time"] = row.get("on_time", 0) + (due is not None and decided_day <= due)
        if first_at is not None:
            histogram[(hromada_id, (decided_day - timezone.localdate(first_at)).days)] += 1

    undecided_at_cut = (Q(first_submitted_at__lt=cut) & (Q(decided_at__isnull=True) | Q(decided_at__gte=cut))
                        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=cut)))
    for r in (Application.objects.filter(undecided_at_cut, due_date__lt=as_of)
              .values("hromada_id").annotate(n=Count("id"))):
        rows[r["hromada_id"]]["overdue"] = r["n"]
    for r in (Application.objects.filter(Q(decided_at__lt=cut) & (Q(issued_at__isnull=True) | Q(issued_at__gte=cut)))
              .values("hromada_id").annotate(n=Count("id"))):
        rows[r["hromada_id"]]["unissued"] = r["n"]

    offices_open = Office.objects.filter(function=Function.FRONT, is_active=True).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=as_of))
    for hromada_id in offices_open.values_list("hromada_id", flat=True).distinct():
        rows[hromada_id]["front_office_active"] = True
    staffed = (StaffPosition.objects.filter(office__in=offices_open, user__isnull=False)
               .filter(Q(since__isnull=True) | Q(since__lte=as_of)).filter(Q(until__isnull=True) | Q(until__gte=as_of)))
    for staff in staffed.values("office__hromada_id").annotate(n=Count("id")):
        rows[staff["office__hromada_id"]]["specialists"] = staff["n"]
    for equipped in (Workplace.objects.filter(status=WorkplaceStatus.EQUIPPED, equipped_on__lte=as_of)
                     .values("office__hromada_id").annotate(n=Count("id"))):
        rows[equipped["office__hromada_id"]]["workplaces_equipped"] = equipped["n"]

    for hromada_id, amount in amounts_by_hromada(month.year, month.month).items():
        if amount:
            rows[hromada_id]["billing_amount"] = Decimal(amount)

    HromadaMonth.objects.filter(month=month).delete()
    DecisionDays.objects.filter(month=month).delete()
    HromadaMonth.objects.bulk_create(
        [HromadaMonth(hromada_id=h, month=month, refreshed_at=now, **figures) for h, figures in rows.items() if h],
        batch_size=2000)
    DecisionDays.objects.bulk_create(
        [DecisionDays(hromada_id=h, month=month, days=max(d, 0), count=n) for (h, d), n in histogram.items()],
        batch_size=2000)
    MonthRefresh.objects.update_or_create(
        month=month, defaults={"refreshed_at": now, "hromadas": len(rows)})
    _derive_first_applications([h for h, r in rows.items() if h is not None and r.get("accepted")])
    return len(rows)


def _derive_first_applications(hromada_ids: list[int]) -> None:
    """Record the "first application accepted" onboarding step from data where nobody recorded it."""
    if not hromada_ids:
        return
    recorded = set(OnboardingStep.objects.filter(hromada_id__in=hromada_ids, step=OnboardingStepCode.FIRST_APPLICATION)
                   .values_list("hromada_id", flat=True))
    missing = [h for h in hromada_ids if h not in recorded]
    firsts = (Application.objects.filter(hromada_id__in=missing, first_submitted_at__isnull=False)
              .values("hromada_id").annotate(first=Min("first_submitted_at")))
    now = timezone.now()
    OnboardingStep.objects.bulk_create([
        OnboardingStep(hromada_id=r["hromada_id"], step=OnboardingStepCode.FIRST_APPLICATION,
                       done_on=timezone.localdate(r["first"]), recorded_at=now, recorded_by=None,
                       note=str(_("Визначено автоматично за даними заяв")))
        for r in firsts])


def refresh_aggregates(*, period: Period | None = None, months: list[date] | None = None,
                       on_month: Callable[[int, int], object] | None = None) -> list[date]:
    """Rebuild the aggregates of the given months (default: the running and the previous month); ``on_month(done,
    total)`` is told after each month (the progress an on-demand rebuild shows)."""
    if months is None:
        if period is not None:
            months = period.reported_months
        else:
            now = current_month()
            months = [add_months(now, -1), now]
    for done, month in enumerate(months, start=1):
        refresh_month(month=month)
        if on_month is not None:
            on_month(done, len(months))
    return months


def refresh_all() -> list[date]:
    """Rebuild every month since the first submitted application (after a data correction)."""
    first = Application.objects.filter(first_submitted_at__isnull=False).aggregate(m=Min("first_submitted_at"))["m"]
    start = timezone.localdate(first).replace(day=1) if first else current_month()
    months, m = [], start
    while m <= current_month():
        months.append(m)
        m = add_months(m, 1)
    return refresh_aggregates(months=months)


def stale_months(months: list[date]) -> list[date]:
    """Months never built, or built while running and older than MAX_AGE (one query)."""
    now = timezone.now()
    built = dict(MonthRefresh.objects.filter(month__in=months).values_list("month", "refreshed_at"))
    stale = []
    for month in months:
        at = built.get(month)
        if at is None or (at < month_bounds(month.year, month.month)[1] and now - at > MAX_AGE):
            stale.append(month)
    return stale


def ensure_fresh(months: list[date]) -> list[date]:
    """Rebuild what is stale before a dashboard reads (usually nothing: the Celery beat keeps it fresh)."""
    stale = stale_months(months)
    if stale:
        refresh_aggregates(months=stale)
    return stale


# ---- onboarding ----------------------------------------------------------------------------------------------

def _check_hromada(actor: User, hromada: Unit, action: str) -> None:
    if hromada.category != Category.HROMADA or not access.hromada_in_scope(actor, hromada):
        raise NotFound()
    access.require(actor, action)


@transaction.atomic
def record_onboarding_step(*, actor: User, hromada: Unit, step: str, done_on: date, note: str = "",
                           request: HttpRequest | None = None) -> OnboardingStep:
    """Record (or correct) the date of one onboarding step of a hromada in the actor's scope."""
    _check_hromada(actor, hromada, "onboarding.record")
    if step not in OnboardingStepCode.values:
        raise ValidationFailed(_("Невідомий етап підключення."), code="invalid_step",
                               details={"allowed": OnboardingStepCode.values})
    if done_on > timezone.localdate():
        raise ValidationFailed(_("Дата етапу не може бути в майбутньому."), code="future_date")
    if hromada.in_crimea:
        raise ValidationFailed(_("Громада на тимчасово окупованій території не підключається."),
                               code="occupied_territory")
    obj, created = OnboardingStep.objects.update_or_create(
        hromada=hromada, step=step,
        defaults={"done_on": done_on, "note": note[:255], "recorded_by": actor, "recorded_at": timezone.now()})
    record(actor=actor, action="monitoring.onboarding_step", obj=obj, hromada_id=hromada.pk, request=request,
           details={"step": step, "created": created})
    return obj


# ---- workplaces and equipment -------------------------------------------------------------------------------

def _choice(value: str, choices: type[Choices], code: str, label: StrOrPromise) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Невідоме значення поля «%(field)s».") % {"field": label}, code=code,
                               details={"allowed": choices.values})
    return value


@transaction.atomic
def add_workplace(*, actor: User, office: Office, inventory_number: str, funding_source: str, label: str = "",
                  status: str = WorkplaceStatus.PLANNED, equipped_on: date | None = None,
                  request: HttpRequest | None = None) -> Workplace:
    """Register a front-office workplace; its inventory number must be new nationally."""
    if office.function != Function.FRONT or not access.hromada_in_scope(actor, office.hromada):
        raise NotFound(_("Фронт-офіс не знайдено."), code="office_not_found")
    access.require(actor, "workplace.record")
    inventory_number = (inventory_number or "").strip()
    if not inventory_number:
        raise ValidationFailed(_("Вкажіть інвентарний номер робочого місця."), code="inventory_number_required")
    _choice(status, WorkplaceStatus, "invalid_status", _("стан"))
    _choice(funding_source, FundingSource, "invalid_funding_source", _("джерело фінансування"))
    if status == WorkplaceStatus.EQUIPPED and equipped_on is None:
        raise ValidationFailed(_("Для облаштованого робочого місця вкажіть дату облаштування."),
                               code="equipped_on_required")
    if equipped_on and equipped_on > timezone.localdate():
        raise ValidationFailed(_("Дата облаштування не може бути в майбутньому."), code="future_date")
    if Workplace.objects.filter(inventory_number=inventory_number).exists():
        raise Conflict(_("Робоче місце з інвентарним номером «%(n)s» уже обліковано.") % {"n": inventory_number},
                       code="duplicate_workplace")
    try:
        with transaction.atomic():
            workplace = Workplace.objects.create(
                office=office, inventory_number=inventory_number, label=label[:255], status=status,
                funding_source=funding_source, equipped_on=equipped_on, created_by=actor)
    except IntegrityError:
        raise Conflict(_("Робоче місце з таким інвентарним номером уже обліковано."),
                       code="duplicate_workplace") from None
    record(actor=actor, action="monitoring.workplace_added", obj=workplace, hromada_id=office.hromada_id,
           request=request, details={"status": status})
    return workplace


@transaction.atomic
def set_workplace_status(*, actor: User, workplace: Workplace, status: str, equipped_on: date | None = None,
                         request: HttpRequest | None = None) -> Workplace:
    """Mark a visible workplace equipped (with its date), planned or decommissioned."""
    access.get_visible(actor, Workplace, pk=workplace.pk)
    access.require(actor, "workplace.record")
    _choice(status, WorkplaceStatus, "invalid_status", _("стан"))
    locked = Workplace.objects.select_for_update().get(pk=workplace.pk)
    if status == WorkplaceStatus.EQUIPPED:
        equipped_on = equipped_on or locked.equipped_on
        if equipped_on is None:
            raise ValidationFailed(_("Для облаштованого робочого місця вкажіть дату облаштування."),
                                   code="equipped_on_required")
        if equipped_on > timezone.localdate():
            raise ValidationFailed(_("Дата облаштування не може бути в майбутньому."), code="future_date")
        locked.equipped_on = equipped_on
    locked.status = status
    locked.save(update_fields=["status", "equipped_on"])
    record(actor=actor, action="monitoring.workplace_status", obj=locked, hromada_id=locked.office.hromada_id,
           request=request, details={"status": status})
    return locked


@transaction.atomic
def add_equipment(*, actor: User, workplace: Workplace, type: str, serial_number: str, inventory_number: str,
                  funding_source: str, delivered_on: date, model_name: str = "",
                  status: str = EquipmentStatus.DELIVERED, request: HttpRequest | None = None) -> Equipment:
    """Register an item at a visible workplace; serial (per type) and inventory numbers must be new."""
    access.get_visible(actor, Workplace, pk=workplace.pk)
    access.require(actor, "workplace.record")
    _choice(type, EquipmentType, "invalid_equipment_type", _("тип"))
    _choice(status, EquipmentStatus, "invalid_status", _("стан"))
    _choice(funding_source, FundingSource, "invalid_funding_source", _("джерело фінансування"))
    serial_number, inventory_number = (serial_number or "").strip(), (inventory_number or "").strip()
    if not serial_number or not inventory_number:
        raise ValidationFailed(_("Вкажіть серійний та інвентарний номери."), code="numbers_required")
    if delivered_on > timezone.localdate():
        raise ValidationFailed(_("Дата поставки не може бути в майбутньому."), code="future_date")
    if Equipment.objects.filter(inventory_number=inventory_number).exists():
        raise Conflict(_("Обладнання з інвентарним номером «%(n)s» уже обліковано.") % {"n": inventory_number},
                       code="duplicate_inventory_number")
    if Equipment.objects.filter(type=type, serial_number=serial_number).exists():
        raise Conflict(_("Обладнання цього типу із серійним номером «%(n)s» уже обліковано.") % {"n": serial_number},
                       code="duplicate_serial_number")
    try:
        with transaction.atomic():
            item = Equipment.objects.create(
                workplace=workplace, type=type, serial_number=serial_number, inventory_number=inventory_number,
                funding_source=funding_source, delivered_on=delivered_on, model_name=model_name[:128],
                status=status, created_by=actor)
    except IntegrityError:
        raise Conflict(_("Таке обладнання вже обліковано."), code="duplicate_equipment") from None
    record(actor=actor, action="monitoring.equipment_added", obj=item, hromada_id=workplace.office.hromada_id,
           request=request, details={"type": type})
    return item


@transaction.atomic
def set_workplace_plan(*, actor: User, oblast: Unit | None, planned: int, note: str = "",
                       request: HttpRequest | None = None) -> WorkplacePlan:
    """The ministry sets the national plan (oblast None) or an oblast's plan."""
    access.require(actor, "workplace.plan")
    if oblast is not None and oblast.category not in (Category.OBLAST, Category.SPECIAL_CITY):
        raise ValidationFailed(_("План встановлюється для області або для країни."), code="unknown_unit")
    if planned < 0:
        raise ValidationFailed(_("План не може бути від'ємним."), code="invalid_plan")
    plan, _created = WorkplacePlan.objects.update_or_create(oblast=oblast, defaults={"planned": planned,
                                                                                     "note": note[:255]})
    record(actor=actor, action="monitoring.workplace_plan", obj=plan, request=request,
           details={"planned": planned, "oblast": oblast.code if oblast else None})
    return plan
