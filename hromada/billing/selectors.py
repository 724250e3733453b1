"""Billing reads. Every selector that takes a user reads through the access layer (visible lines only)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.core.errors import NotFound
from hromada.territory.models import Unit

from .models import BillingItem, BillingLine, BillingPeriod, BillingRun, BudgetLine, ItemKind, PeriodStatus, Tariff
from .periods import money, parse_period
from .rules import KYIV

ZERO = Decimal("0.00")


def parse_period_key(key: str) -> str:
    year, month = parse_period(key)
    return f"{year:04d}-{month:02d}"


def period_row(key: str) -> BillingPeriod | None:
    year, month = parse_period(key)
    return BillingPeriod.objects.filter(year=year, month=month).first()


def periods(user) -> list[dict]:
    """Periods with their (user-scoped) totals, newest first."""
    access.require(user, "billing.view")
    rows = list(BillingPeriod.objects.all())
    totals = _totals_by_period(user, [p.pk for p in rows])
    last_runs = {}
    for run in BillingRun.objects.filter(period__in=rows).order_by("period_id", "-created_at", "-id"):
        last_runs.setdefault(run.period_id, run)
    return [{"period": p, "key": p.key, "last_run": last_runs.get(p.pk), **totals.get(p.pk, _empty_totals())}
            for p in rows]


def _empty_totals() -> dict:
    return {"count": 0, "amount": ZERO, "adjustments": ZERO, "adjustment_count": 0, "total": ZERO}


def _totals_by_period(user, period_ids) -> dict[int, dict]:
    result: dict[int, dict] = defaultdict(_empty_totals)
    qs = (access.visible(user, BillingLine).filter(period_id__in=period_ids).values("period_id", "kind")
          .annotate(c=Sum("count"), a=Sum("amount")))
    for row in qs:
        _add(result[row["period_id"]], row["kind"], row["c"], row["a"])
    return result


def _add(totals: dict, kind: str, count, amount) -> None:
    amount = money(amount or 0)
    if kind == ItemKind.REGULAR:
        totals["count"] += count or 0
        totals["amount"] += amount
    else:
        totals["adjustment_count"] += count or 0
        totals["adjustments"] += amount
    totals["total"] = money(totals["amount"] + totals["adjustments"])


def period_summary(user, key: str) -> dict:
    """Status and totals (over the lines the user may see) of one period; a never-run month is open and empty."""
    access.require(user, "billing.view")
    year, month = parse_period(key)
    period = BillingPeriod.objects.filter(year=year, month=month).first()
    totals = _totals_by_period(user, [period.pk]).get(period.pk, _empty_totals()) if period else _empty_totals()
    run = period.runs.first() if period else None
    hromadas = (access.visible(user, BillingLine).filter(period=period).values("hromada_id").distinct().count()
                if period else 0)
    return {
        "period": f"{year:04d}-{month:02d}", "status": period.status if period else PeriodStatus.OPEN,
        "closed_at": period.closed_at if period else None, "hromadas": hromadas, **totals,
        "last_run": _run_dict(run) if run else None,
    }


def _run_dict(run: BillingRun) -> dict:
    return {"run_id": str(run.run_id), "status": run.status, "progress": run.progress, "started_at": run.started_at,
            "finished_at": run.finished_at, "error": run.error, "error_code": run.error_code,
            "events": run.events, "excluded": run.excluded, "adjustments": run.adjustments}


def run_status(user, run_id) -> BillingRun:
    access.require(user, "billing.run")
    try:
        return BillingRun.objects.select_related("period").get(run_id=run_id)
    except (BillingRun.DoesNotExist, ValidationError, ValueError):
        raise NotFound() from None


def act_rows(user, key: str) -> list[dict]:
    """One row per visible hromada of the period: code, names, count, amount, adjustments, total."""
    access.require(user, "billing.view")
    period = period_row(key)
    if period is None:
        return []
    per_hromada: dict[int, dict] = defaultdict(_empty_totals)
    qs = (access.visible(user, BillingLine).filter(period=period).values("hromada_id", "kind")
          .annotate(c=Sum("count"), a=Sum("amount")))
    for row in qs:
        _add(per_hromada[row["hromada_id"]], row["kind"], row["c"], row["a"])
    units = Unit.objects.select_related("oblast", "raion").in_bulk(list(per_hromada))
    rows = []
    for hromada_id, totals in per_hromada.items():
        unit = units[hromada_id]
        rows.append({"hromada_id": hromada_id, "hromada_code": unit.code, "hromada_name": unit.name,
                     "oblast_id": unit.oblast_id, "oblast": unit.oblast.name if unit.oblast else "",
                     "raion_id": unit.raion_id, "raion": unit.raion.name if unit.raion else "", **totals})
    rows.sort(key=lambda r: (r["oblast"], r["raion"], r["hromada_name"], r["hromada_code"]))
    return rows


def drilldown(user, key: str, *, oblast_id: int | None = None, raion_id: int | None = None) -> list[dict]:
    """Totals grouped by oblast, or by raion of one oblast, or by hromada of one raion."""
    rows = act_rows(user, key)
    if raion_id:
        return [dict(r, id=r["hromada_id"], name=r["hromada_name"]) for r in rows if r["raion_id"] == raion_id]
    level, name = ("raion_id", "raion") if oblast_id else ("oblast_id", "oblast")
    groups: dict[int, dict] = {}
    for r in rows:
        if oblast_id and r["oblast_id"] != oblast_id:
            continue
        g = groups.setdefault(r[level], {"id": r[level], "name": r[name], "hromadas": 0, **_empty_totals()})
        g["hromadas"] += 1
        for k in ("count", "adjustment_count"):
            g[k] += r[k]
        for k in ("amount", "adjustments", "total"):
            g[k] = money(g[k] + r[k])
    return sorted(groups.values(), key=lambda g: g["name"])


@dataclass
class Act:
    period: BillingPeriod
    hromada: Unit
    lines: list[dict] = field(default_factory=list)         # regular: service, unit amount, count, amount
    adjustments: list[dict] = field(default_factory=list)   # signed corrections of earlier months
    count: int = 0
    amount: Decimal = ZERO
    adjustments_total: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return money(self.amount + self.adjustments_total)


def act(user, key: str, hromada_code: str) -> Act:
    """The act of one hromada for a period; NotFound when the user may not see it or there is none."""
    access.require(user, "billing.view")
    period = period_row(key)
    if period is None:
        raise NotFound()
    lines = list(access.visible(user, BillingLine).filter(period=period, hromada__code=hromada_code)
                 .select_related("service", "hromada__oblast", "hromada__raion", "tariff")
                 .order_by("kind", "service__ordering", "service__code", "unit_amount"))
    if not lines:
        raise NotFound(_("Акт не знайдено."), code="act_not_found")
    result = Act(period=period, hromada=lines[0].hromada)
    for line in lines:
        if line.kind == ItemKind.REGULAR:
            result.lines.append({"service": line.service.name_uk, "service_code": line.service.code,
                                 "unit_amount": line.unit_amount, "count": line.count, "amount": line.amount})
            result.count += line.count
            result.amount = money(result.amount + line.amount)
    items = (access.visible(user, BillingItem).filter(period=period, hromada=result.hromada, kind=ItemKind.ADJUSTMENT)
             .select_related("application", "original_period", "service").order_by("original_period", "application_id"))
    for item in items:
        result.adjustments.append({"original_period": item.original_period.key, "application": item.application.number,
                                   "service": item.service.name_uk, "count": item.count, "amount": item.amount,
                                   "reason": item.reason})
        result.adjustments_total = money(result.adjustments_total + item.amount)
    return result


def visible_acts(user) -> list[dict]:
    """(period, hromada) pairs the user may open, newest first — the hromada's «my acts» page."""
    access.require(user, "billing.view")
    qs = (access.visible(user, BillingLine).values("period_id", "hromada__code", "hromada__name")
          .annotate(n=Count("id"), a=Sum("amount")).order_by("-period__year", "-period__month", "hromada__name"))
    qs = list(qs)
    periods_by_id = BillingPeriod.objects.in_bulk({r["period_id"] for r in qs})
    return [{"period": periods_by_id[r["period_id"]], "hromada_code": r["hromada__code"],
             "hromada_name": r["hromada__name"], "total": money(r["a"] or 0)} for r in qs]


def amounts_by_hromada(year: int, month: int | None = None) -> dict[int, Decimal]:
    """Hromada Unit id → billed amount incl. adjustments booked in that period (month None = whole year).

    Figures come from the runs of those periods: the lines of closed periods and the last successful run of
    open ones. Not user-scoped: callers (monitoring) scope by the hromada ids themselves.
    """
    qs = BillingLine.objects.filter(period__year=year)
    if month is not None:
        qs = qs.filter(period__month=month)
    return {row["hromada_id"]: money(row["a"]) for row in qs.values("hromada_id").annotate(a=Sum("amount"))}


def tariffs(user) -> list[Tariff]:
    access.require(user, "billing.view")
    return list(Tariff.objects.select_related("service", "set_by").order_by("service__ordering", "service_id",
                                                                           "-effective_from"))


def budget(user, year: int) -> dict:
    access.require(user, "billing.run")
    return budget_status(year)


def budget_status(year: int, *, now=None) -> dict:
    """Allocated, committed (closed periods), in progress (open periods' runs), remaining, forecast, warnings."""
    now = (now or timezone.now()).astimezone(KYIV)
    line = BudgetLine.objects.filter(year=year).first()
    allocated = line.allocated if line else None
    by_month = {m: {"month": m, "amount": ZERO, "status": ""} for m in range(1, 13)}
    rows = (BillingLine.objects.filter(period__year=year).values("period__month", "period__status")
            .annotate(a=Sum("amount")))
    for row in rows:
        by_month[row["period__month"]].update(amount=money(row["a"]), status=row["period__status"])
    committed = money(sum((m["amount"] for m in by_month.values() if m["status"] == PeriodStatus.CLOSED), ZERO))
    in_progress = money(sum((m["amount"] for m in by_month.values() if m["status"] == PeriodStatus.OPEN), ZERO))
    closed_months = sum(1 for m in by_month.values() if m["status"] == PeriodStatus.CLOSED)
    billed_months = sum(1 for m in by_month.values() if m["status"])
    # Run rate: average month of everything computed so far (closed and open), applied to the months left.
    spent = money(committed + in_progress)
    rate = money(spent / billed_months) if billed_months else None
    forecast = money(spent + rate * (12 - billed_months)) if rate is not None else None
    remaining = money(allocated - committed) if allocated is not None else None
    warnings = []
    if allocated is not None:
        if remaining < 0:
            warnings.append(("exhausted", _("Бюджетну програму перевищено.")))
        elif allocated > 0 and remaining < allocated * Decimal("0.10"):
            warnings.append(("low_remaining", _("Залишилося менше 10% бюджетної програми.")))
        if forecast is not None and forecast > allocated:
            warnings.append(("forecast_exceeds",
                             _("Прогноз до кінця року перевищує передбачену суму: потрібні додаткові кошти.")))
    return {"year": year, "line": line, "allocated": allocated, "committed": committed, "in_progress": in_progress,
            "remaining": remaining, "closed_months": closed_months, "rate": rate, "forecast": forecast,
            "warnings": warnings, "months": [by_month[m] for m in range(1, 13)], "as_of": now}
