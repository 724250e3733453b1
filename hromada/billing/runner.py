"""The billing run: compute a period's items and lines and replace them atomically (see services, rules).

Called by the Celery task (tasks.py) and by ``services.run_billing_period``. Progress is written to the
``BillingRun`` row outside the final transaction so the UI can poll it.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
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


def stranded_runs(*, older_than: datetime) -> list[tuple[str, str]]:
    """Runs asked before ``older_than`` and never started: (period key, run id) of each."""
    runs = (BillingRun.objects.select_related("period")
            .filter(status=RunStatus.PENDING, started_at__isnull=True, created_at__lt=older_than).order_by("id"))
    return [(run.period.key, str(run.run_id)) for run in runs[:50]]


def execute_billing_run(*, run_id) -> BillingRun:
    """The task body. Idempotent: a finished run is left as it is; a retried one recomputes the same lines."""
    run = BillingRun.objects.select_related("period", "requested_by").filter(run_id=run_id).first()
    if run is None:
        raise NotFound(_("Розрахунок не знайдено."), code="run_not_found")
    if run.status == RunStatus.DONE:
        return run
    _progress(run, 0, status=RunStatus.RUNNING, started_at=timezone.now(), error="", error_code="")
    try:
        _progress(run, 10)
        _write(run)
    except HromadaError as exc:
        _progress(run, run.progress, status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc.message),
                  error_code=exc.code)
    except Exception as exc:
        _progress(run, run.progress, status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:1000],
                  error_code="internal_error")
        raise
    run.refresh_from_db()
    return run


# The month's payable applications, staged for the run's statements (a temporary table: the connection's own).
_PAYABLE = "hromada_billing_payable"


def _write_regular_items(period: BillingPeriod) -> int:
    """The month's payable applications as its regular items, computed by the database; how many there are.

    Only the difference is written: the items of applications no longer payable go, those whose evidence changed are
    updated, the new ones are added; a run again over the same data writes nothing. Deleting and inserting every
    item on each run made the same keys pile up dead in the items' indexes, each insert checking the dead versions of
    its key: the items' write was a third of a run at a million (#24).

    The payable applications are staged in a temporary table with its key indexed and its statistics taken, so that
    each statement joins them to the items by an index or a hash whatever the items' statistics say: a month's items
    written since the table was last analysed look like none to the planner, and a join planned for none read the
    staged rows once per item (83 thousand times). The new items go in by the key's unique index (ON CONFLICT)."""
    q = connection.ops.quote_name
    verdicts = (rules.verdicts(rules.applications_of_month(period.year, period.month))
                .values("id", "hromada_id", "service_id", "event_day", "reason", "verdict_tariff_id"))
    select_sql, params = verdicts.query.sql_with_params()
    items, tariffs, staged = q(BillingItem._meta.db_table), q(Tariff._meta.db_table), q(_PAYABLE)
    regular = [period.pk, ItemKind.REGULAR]
    postgres = connection.vendor == "postgresql"
    # Only table/column names from the models are interpolated; every value is a query parameter.
    with connection.cursor() as cursor:
        if postgres:
            # One long query per run: compiling it with JIT costs more (1.4 s at a million) than it saves.
            cursor.execute("SET LOCAL jit = off")
        # Named in the connection's temporary schema: no permanent table of that name is ever the one dropped.
        cursor.execute(f"DROP TABLE IF EXISTS {'pg_temp' if postgres else 'temp'}.{staged}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} {'ON COMMIT DROP ' if postgres else ''}AS "  # noqa: S608
            f"SELECT v.id, v.hromada_id, v.service_id, v.verdict_tariff_id AS tariff_id, v.event_day, "
            f"COALESCE(t.amount, 0) AS amount "
            f"FROM ({select_sql}) v LEFT JOIN {tariffs} t ON t.id = v.verdict_tariff_id WHERE v.reason = %s",
            [*params, rules.PAYABLE])
        cursor.execute(f"CREATE UNIQUE INDEX {q(_PAYABLE + '_id')} ON {staged} (id)")
        cursor.execute(f"ANALYZE {staged}")
        cursor.execute(f"DELETE FROM {items} WHERE period_id = %s AND kind = %s AND NOT EXISTS ("  # noqa: S608
                       f"SELECT 1 FROM {staged} p WHERE p.id = {items}.application_id)", regular)
        cursor.execute(
            f"UPDATE {items} SET hromada_id = p.hromada_id, service_id = p.service_id, "  # noqa: S608
            f"tariff_id = p.tariff_id, event_date = p.event_day, count = 1, amount = p.amount, reason = '', "
            f"original_period_id = NULL FROM {staged} p "
            f"WHERE {items}.period_id = %s AND {items}.kind = %s AND {items}.application_id = p.id "
            f"AND NOT ({items}.hromada_id = p.hromada_id AND {items}.service_id = p.service_id "
            f"AND {items}.tariff_id IS NOT DISTINCT FROM p.tariff_id AND {items}.event_date = p.event_day "
            f"AND {items}.count = 1 AND {items}.amount = p.amount AND {items}.reason = '' "
            f"AND {items}.original_period_id IS NULL)", regular)
        # "WHERE true" keeps SQLite's parser from reading the conflict clause as a join's.
        cursor.execute(
            f"INSERT INTO {items} (period_id, kind, application_id, hromada_id, service_id, tariff_id, "  # noqa: S608
            f"event_date, count, amount, reason) SELECT %s, %s, p.id, p.hromada_id, p.service_id, p.tariff_id, "
            f"p.event_day, 1, p.amount, '' FROM {staged} p WHERE true "
            f"ON CONFLICT (period_id, application_id, kind) DO NOTHING", regular)
        cursor.execute(f"SELECT count(*) FROM {staged}")  # noqa: S608
        payable = cursor.fetchone()[0]
        if not postgres:
            cursor.execute(f"DROP TABLE temp.{staged}")
        return payable


def _check_tariffs(period: BillingPeriod) -> None:
    missing = (BillingItem.objects.filter(period=period, kind=ItemKind.REGULAR, tariff__isnull=True)
               .order_by("event_date").values("event_date", "service_id").first())
    if missing:
        raise _no_tariff(missing["event_date"], missing["service_id"])


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


def _adjustments(period: BillingPeriod) -> list[BillingItem]:
    """Signed corrections of closed months: what the rule says now minus what closed periods already paid.
    The database compares the two per application and returns only the applications that differ."""
    closed_items = BillingItem.objects.filter(period__status=PeriodStatus.CLOSED, application_id=OuterRef("pk"))
    paid_count = Subquery(closed_items.order_by().values("application_id").annotate(n=Sum("count")).values("n"))
    paid_amount = Subquery(closed_items.order_by().values("application_id").annotate(s=Sum("amount")).values("s"))
    tariff_amount = Subquery(Tariff.objects.filter(pk=OuterRef("verdict_tariff_id")).values("amount"))
    result = []
    for original in _closed_months_booked_in(period):
        rows = (rules.verdicts(rules.applications_of_month(original.year, original.month))
                .annotate(paid_count=Coalesce(paid_count, 0), paid_amount=Coalesce(paid_amount, Decimal("0"),
                                                                                  output_field=DecimalField()),
                          tariff_amount=tariff_amount)
                .order_by("id").values("id", "hromada_id", "service_id", "event_day", "reason", "verdict_tariff_id",
                                       "tariff_amount", "paid_count", "paid_amount"))
        for row in rows.iterator(chunk_size=CHUNK):
            payable = row["reason"] == rules.PAYABLE
            if payable and row["verdict_tariff_id"] is None:
                raise _no_tariff(row["event_day"], row["service_id"])
            target_count, target_amount = (1, row["tariff_amount"]) if payable else (0, Decimal("0"))
            delta_count = target_count - row["paid_count"]
            delta_amount = money(target_amount - row["paid_amount"])
            if delta_count == 0 and delta_amount == 0:
                continue
            result.append(BillingItem(
                period=period, kind=ItemKind.ADJUSTMENT, application_id=row["id"], hromada_id=row["hromada_id"],
                service_id=row["service_id"], tariff_id=row["verdict_tariff_id"] if payable else None,
                event_date=row["event_day"], count=delta_count, amount=delta_amount, original_period=original,
                reason=row["reason"] or "late_found"))
    return result


def _insert_lines(period: BillingPeriod) -> None:
    """Lines = the period's items summed per kind, hromada, service and tariff (adjustments without a tariff)."""
    q = connection.ops.quote_name
    items, lines, tariffs = (q(m._meta.db_table) for m in (BillingItem, BillingLine, Tariff))
    kind_tariff = "CASE WHEN i.kind = %s THEN i.tariff_id END, CASE WHEN i.kind = %s THEN t.amount END"
    sql = f"""
        INSERT INTO {lines} (period_id, kind, hromada_id, service_id, tariff_id, unit_amount, count, amount)
        SELECT i.period_id, i.kind, i.hromada_id, i.service_id, {kind_tariff}, SUM(i.count), SUM(i.amount)
        FROM {items} i LEFT JOIN {tariffs} t ON t.id = i.tariff_id
        WHERE i.period_id = %s
        GROUP BY 1, 2, 3, 4, 5, 6
        ORDER BY i.kind DESC, i.hromada_id, i.service_id, 5"""  # noqa: S608
    # Grouped by the select list's positions: with parameters bound by the server (tried for #24, bench/README.md),
    # the CASEs written again in GROUP BY are other expressions ($4, $5 rather than $1, $2) than those selected.
    regular = ItemKind.REGULAR
    with connection.cursor() as cursor:
        cursor.execute(sql, [regular, regular, period.pk])


def _no_tariff(day, service_id) -> ValidationFailed:
    return ValidationFailed(_("Немає тарифу, чинного на %(day)s: встановіть тариф (типовий або для послуги).")
                            % {"day": day.strftime("%d.%m.%Y")}, code="tariff_missing",
                            details={"date": day.isoformat(), "service_id": service_id})


@transaction.atomic
def _write(run: BillingRun) -> None:
    period = BillingPeriod.objects.select_for_update().get(pk=run.period_id)
    if period.is_closed:
        raise Conflict(_("Період %(period)s закрито, його рядки незмінні.") % {"period": period.key},
                       code="period_closed")
    period.lines.all().delete()
    period.items.filter(kind=ItemKind.ADJUSTMENT).delete()    # computed again below; the regular ones are kept
    events = _write_regular_items(period)
    _check_tariffs(period)
    submitted = rules.applications_of_month(period.year, period.month).count()
    adjustments = _adjustments(period)
    BillingItem.objects.bulk_create(adjustments, batch_size=1000)
    _insert_lines(period)
    stats = {"events": events, "excluded": submitted - events, "adjustments": len(adjustments)}
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, finished_at=timezone.now(),
                                                error="", error_code="", **stats)
    total = period.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    record(actor=run.requested_by, action="billing.run", object_type="billing.billingperiod", object_id=period.key,
           details={"run_id": str(run.run_id), "lines": period.lines.count(), "total": str(money(total)), **stats})
