"""The billing run: compute a period's items and lines and replace them atomically (see services, rules).

Called by the Celery task (tasks.py) and by ``services.run_billing_period``. Progress is written to the
``BillingRun`` row outside the final transaction so the UI can poll it.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.audit.services import record
from hromada.core.errors import Conflict, HromadaError, NotFound, ValidationFailed

from . import rules
from .models import BillingItem, BillingLine, BillingPeriod, BillingRun, ItemKind, PeriodStatus, RunStatus, Tariff
from .periods import money, next_month

CHUNK = 2000


def _progress(run: BillingRun, value: int, **fields) -> None:
    # Autocommitted on purpose (outside the final transaction): the UI polls it while the run works.
    BillingRun.objects.filter(pk=run.pk).update(progress=value, **fields)


def execute_billing_run(*, run_id) -> BillingRun:
    """The task body. Idempotent: a finished run is left as it is; a retried one recomputes the same lines."""
    run = BillingRun.objects.select_related("period", "requested_by").filter(run_id=run_id).first()
    if run is None:
        raise NotFound(_("Розрахунок не знайдено."), code="run_not_found")
    if run.status == RunStatus.DONE:
        return run
    _progress(run, 0, status=RunStatus.RUNNING, started_at=timezone.now(), error="", error_code="")
    try:
        items, stats = _compute(run)
        _write(run, items, stats)
    except HromadaError as exc:
        _progress(run, run.progress, status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc.message),
                  error_code=exc.code)
    except Exception as exc:
        _progress(run, run.progress, status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:1000],
                  error_code="internal_error")
        raise
    run.refresh_from_db()
    return run


def _compute(run: BillingRun) -> tuple[list[BillingItem], dict]:
    period = run.period
    book = rules.TariffBook()
    items: list[BillingItem] = []
    stats = {"events": 0, "excluded": 0, "adjustments": 0}
    ids = list(rules.applications_of_month(period.year, period.month).order_by("id").values_list("id", flat=True))
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)] or [[]]
    for n, chunk in enumerate(chunks, 1):
        for v in rules.classify(chunk):
            if not v.payable:
                stats["excluded"] += 1
                continue
            tariff = _tariff(book, v)
            stats["events"] += 1
            items.append(BillingItem(period=period, kind=ItemKind.REGULAR, application_id=v.application_id,
                                     hromada_id=v.hromada_id, service_id=v.service_id, tariff=tariff,
                                     event_date=v.event_date, count=1, amount=tariff.amount))
        _progress(run, int(80 * n / len(chunks)))
    adjustments = _adjustments(period, book)
    stats["adjustments"] = len(adjustments)
    _progress(run, 90)
    return items + adjustments, stats


def _tariff(book: rules.TariffBook, v: rules.Verdict) -> Tariff:
    tariff = book.for_event(v.service_id, v.event_date)
    if tariff is None:
        raise ValidationFailed(_("Немає тарифу, чинного на %(day)s: встановіть тариф (типовий або для послуги).")
                               % {"day": v.event_date.strftime("%d.%m.%Y")}, code="tariff_missing",
                               details={"date": v.event_date.isoformat(), "service_id": v.service_id})
    return tariff


def _closed_months_booked_in(period: BillingPeriod) -> list[BillingPeriod]:
    """Closed months whose next open month is ``period`` (where their later corrections are booked)."""
    closed = {(p.year, p.month): p for p in BillingPeriod.objects.filter(status=PeriodStatus.CLOSED)}
    result = []
    for (year, month), p in sorted(closed.items()):
        if (year, month) >= (period.year, period.month):
            continue
        following = next_month(year, month)
        while following in closed:
            following = next_month(*following)
        if following == (period.year, period.month):
            result.append(p)
    return result


def _adjustments(period: BillingPeriod, book: rules.TariffBook) -> list[BillingItem]:
    """Signed corrections of closed months: what the rule says now minus what closed periods already paid."""
    result = []
    for original in _closed_months_booked_in(period):
        verdicts = {v.application_id: v for v in rules.classify(rules.applications_of_month(original.year,
                                                                                            original.month))}
        paid = {row["application_id"]: row for row in
                BillingItem.objects.filter(period__status=PeriodStatus.CLOSED, application_id__in=list(verdicts))
                .values("application_id").annotate(count=Sum("count"), amount=Sum("amount"))}
        for app_id, v in sorted(verdicts.items()):
            already = paid.get(app_id, {"count": 0, "amount": Decimal("0")})
            tariff = _tariff(book, v) if v.payable else None
            target_count, target_amount = (1, tariff.amount) if tariff else (0, Decimal("0"))
            delta_count, delta_amount = target_count - already["count"], money(target_amount - already["amount"])
            if delta_count == 0 and delta_amount == 0:
                continue
            result.append(BillingItem(
                period=period, kind=ItemKind.ADJUSTMENT, application_id=app_id, hromada_id=v.hromada_id,
                service_id=v.service_id, tariff=tariff, event_date=v.event_date, count=delta_count,
                amount=delta_amount, original_period=original, reason=v.reason or "late_found"))
    return result


def _lines(items: list[BillingItem]) -> list[BillingLine]:
    groups: dict[tuple, list[BillingItem]] = defaultdict(list)
    for item in items:
        unit = item.tariff.amount if item.kind == ItemKind.REGULAR else None
        groups[(item.kind, item.hromada_id, item.service_id, item.tariff_id if unit else None, unit)].append(item)
    return [BillingLine(period=group[0].period, kind=kind, hromada_id=hromada_id, service_id=service_id,
                        tariff_id=tariff_id, unit_amount=unit, count=sum(i.count for i in group),
                        amount=money(sum((i.amount for i in group), Decimal("0"))))
            for (kind, hromada_id, service_id, tariff_id, unit), group in sorted(groups.items(), key=_group_key)]


def _group_key(entry):
    (kind, hromada_id, service_id, tariff_id, unit), _items = entry
    return kind, hromada_id, service_id, tariff_id or 0


@transaction.atomic
def _write(run: BillingRun, items: list[BillingItem], stats: dict) -> None:
    period = BillingPeriod.objects.select_for_update().get(pk=run.period_id)
    if period.is_closed:
        raise Conflict(_("Період %(period)s закрито, його рядки незмінні.") % {"period": period.key},
                       code="period_closed")
    period.lines.all().delete()
    period.items.all().delete()
    BillingItem.objects.bulk_create(items, batch_size=1000)
    lines = _lines(items)
    BillingLine.objects.bulk_create(lines, batch_size=1000)
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, finished_at=timezone.now(),
                                                error="", error_code="", **stats)
    total = sum((line.amount for line in lines), Decimal("0"))
    record(actor=run.requested_by, action="billing.run", object_type="billing.billingperiod", object_id=period.key,
           details={"run_id": str(run.run_id), "lines": len(lines), "total": str(money(total)), **stats})


