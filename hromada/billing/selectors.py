"""Billing reads. Every selector that takes a user reads through the access layer (visible lines only)."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application
from hromada.core.errors import NotFound
from hromada.core.text import localized
from hromada.territory.models import Unit

from . import rules
from .models import (
    BillingExclusion,
    BillingItem,
    BillingLine,
    BillingPeriod,
    BillingRun,
    BudgetLine,
    ItemKind,
    PeriodStatus,
    Tariff,
)
from .periods import money, parse_period
from .rules import KYIV

ZERO = Decimal("0.00")


def parse_period_key(key: str) -> str:
    year, month = parse_period(key)
    return f"{year:04d}-{month:02d}"


def period_row(key: str) -> BillingPeriod | None:
    year, month = parse_period(key)
    return BillingPeriod.objects.filter(year=year, month=month).first()


def periods(user: User) -> list[dict]:
    """Periods with their (user-scoped) totals, newest first."""
    access.require(user, "billing.view")
    rows = list(BillingPeriod.objects.all())
    totals = _totals_by_period(user, [p.pk for p in rows])
    last_runs: dict[int, BillingRun] = {}
    for run in BillingRun.objects.filter(period__in=rows).order_by("period_id", "-created_at", "-id"):
        last_runs.setdefault(run.period_id, run)
    return [{"period": p, "key": p.key, "last_run": last_runs.get(p.pk), **totals.get(p.pk, _empty_totals())}
            for p in rows]


def _empty_totals() -> dict:
    return {"count": 0, "amount": ZERO, "adjustments": ZERO, "adjustment_count": 0, "total": ZERO}


def _totals_by_period(user: User, period_ids: Iterable[int]) -> dict[int, dict]:
    result: dict[int, dict] = defaultdict(_empty_totals)
    qs = (access.visible(user, BillingLine).filter(period_id__in=period_ids).values("period_id", "kind")
          .annotate(c=Sum("count"), a=Sum("amount")))
    for row in qs:
        _add(result[row["period_id"]], row["kind"], row["c"], row["a"])
    return result


def _add(totals: dict, kind: str, count: int | None, amount: Decimal | int | None) -> None:
    amount = money(amount or 0)
    if kind == ItemKind.REGULAR:
        totals["count"] += count or 0
        totals["amount"] += amount
    else:
        totals["adjustment_count"] += count or 0
        totals["adjustments"] += amount
    totals["total"] = money(totals["amount"] + totals["adjustments"])


def period_summary(user: User, key: str) -> dict:
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


def run_status(user: User, run_id: uuid.UUID | str) -> BillingRun:
    access.require(user, "billing.run")
    try:
        return BillingRun.objects.select_related("period").get(run_id=run_id)
    except (BillingRun.DoesNotExist, ValidationError, ValueError):
        raise NotFound() from None


def act_rows(user: User, key: str) -> list[dict]:
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


def drilldown(user: User, key: str, *, oblast_id: int | None = None, raion_id: int | None = None) -> list[dict]:
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


def act(user: User, key: str, hromada_code: str) -> Act:
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


def visible_acts(user: User) -> list[dict]:
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


def tariffs(user: User) -> list[Tariff]:
    access.require(user, "billing.view")
    return list(Tariff.objects.select_related("service", "set_by").order_by("service__ordering", "service_id",
                                                                           "-effective_from"))


def budget(user: User, year: int) -> dict:
    access.require(user, "billing.run")
    return budget_status(year)


def forecast_of(accrued_months: list[Decimal], *, last_month: int) -> dict:
    """The year's forecast from its accrued months (the method the budget page states):

    accrued = the sum of every computed month (closed and open); average = accrued ÷ the number of computed months;
    months to come = the months of the year after the last computed one (12 − its number);
    forecast = accrued + average × months to come.

    Months before the first computed one (before payments started) are not invented: they had nothing. Worked
    example: February 100,00 and March 50,00 → accrued 150,00, average 75,00, months to come 9 (April–December),
    forecast 150,00 + 75,00 × 9 = 825,00. December alone at 150,00 → nothing to come → 150,00.
    """
    if not accrued_months:
        return {"accrued": ZERO, "months": 0, "average": None, "months_to_come": None, "forecast": None,
                "last_month": None}
    accrued = money(sum(accrued_months, ZERO))
    average = money(accrued / len(accrued_months))
    to_come = 12 - last_month
    return {"accrued": accrued, "months": len(accrued_months), "average": average, "months_to_come": to_come,
            "forecast": money(accrued + average * to_come), "last_month": last_month}


def budget_status(year: int, *, now: datetime | None = None) -> dict:
    """Allocated, committed (closed periods), in progress (open periods' runs), remaining, forecast, warnings."""
    now = (now or timezone.now()).astimezone(KYIV)
    line = BudgetLine.objects.filter(year=year).first()
    allocated = line.allocated if line else None
    by_month: dict[int, dict[str, Any]] = {m: {"month": m, "amount": ZERO, "status": ""} for m in range(1, 13)}
    rows = (BillingLine.objects.filter(period__year=year).values("period__month", "period__status")
            .annotate(a=Sum("amount")))
    for row in rows:
        by_month[row["period__month"]].update(amount=money(row["a"]), status=row["period__status"])
    committed = money(sum((m["amount"] for m in by_month.values() if m["status"] == PeriodStatus.CLOSED), ZERO))
    in_progress = money(sum((m["amount"] for m in by_month.values() if m["status"] == PeriodStatus.OPEN), ZERO))
    closed_months = sum(1 for m in by_month.values() if m["status"] == PeriodStatus.CLOSED)
    forecast_method = forecast_of([m["amount"] for m in by_month.values() if m["status"]],
                                  last_month=max((m["month"] for m in by_month.values() if m["status"]), default=0))
    rate, forecast = forecast_method["average"], forecast_method["forecast"]
    remaining = money(allocated - committed) if allocated is not None else None
    warnings = []
    if allocated is not None and remaining is not None:
        if remaining < 0:
            warnings.append(("exhausted", _("Бюджетну програму перевищено.")))
        elif allocated > 0 and remaining < allocated * Decimal("0.10"):
            warnings.append(("low_remaining", _("Залишилося менше 10% бюджетної програми.")))
        if forecast is not None and forecast > allocated:
            warnings.append(("forecast_exceeds",
                             _("Прогноз до кінця року перевищує передбачену суму: потрібні додаткові кошти.")))
    return {"year": year, "line": line, "allocated": allocated, "committed": committed, "in_progress": in_progress,
            "remaining": remaining, "closed_months": closed_months, "rate": rate, "forecast": forecast,
            "method": forecast_method,
            "warnings": warnings, "months": [by_month[m] for m in range(1, 13)], "as_of": now}


# --- a hromada's line of a period down to its applications (#23 p.1) ---------------------------------------

ITEM_STATES = ("paid", "excluded", "duplicate", "adjustment")
REASON_LABELS = {
    rules.EXCLUDED: _("виключено міністерством"),
    rules.WITHDRAWN_BEFORE_REVIEW: _("відкликано до початку розгляду"),
    rules.DUPLICATE: _("повторна заява того самого заявника"),
    "late_found": _("заява закритого місяця, виявлена пізніше"),
}


def items_hromada(user: User, key: str, hromada_code: str) -> Unit:
    """The hromada whose line the user opens: NotFound outside the user's scope (or without billing rights)."""
    access.require(user, "billing.view")
    parse_period(key)
    unit = Unit.objects.filter(code=hromada_code).select_related("oblast", "raion").first()
    if unit is None or not access.hromada_in_scope(user, unit) or not access.visible(user, BillingLine).filter(
            hromada=unit).exists() and not access.may(user, "billing.run"):
        raise NotFound(_("Громаду не знайдено."), code="hromada_not_found")
    return unit


def _earlier_claims(apps: list[dict]) -> dict[int, str | None]:
    """For each duplicate, the latest earlier application of the same applicant, service and hromada (the claim it
    repeats) — one query for the whole page, however many duplicates it has."""
    if not apps:
        return {}
    candidates = list(Application.objects
                      .filter(applicant_person_id__in={a["applicant_person_id"] for a in apps},
                              hromada_id__in={a["hromada_id"] for a in apps}, first_submitted_at__isnull=False)
                      .values("id", "number", "applicant_person_id", "service_id", "hromada_id", "first_submitted_at"))
    result: dict[int, str | None] = {}
    for app in apps:
        earlier = [c for c in candidates if c["id"] != app["id"] and c["first_submitted_at"] < app["first_submitted_at"]
                   and (c["applicant_person_id"], c["service_id"], c["hromada_id"])
                   == (app["applicant_person_id"], app["service_id"], app["hromada_id"])]
        # Submitted cases only (the rule counts those): first_submitted_at is set on every one of them.
        result[app["id"]] = max(earlier, key=lambda c: c["first_submitted_at"] or app["first_submitted_at"])["number"] \
            if earlier else None
    return result


def hromada_items(user: User, key: str, hromada_code: str, *, state: str = "", service_code: str = "",
                  number: str = "") -> list[dict]:
    """Every application behind a hromada's line of a period: the items the last run paid (``paid``), the signed
    corrections of closed months booked here (``adjustment``, with the month they adjust), and the month's
    applications the rule does not pay (``excluded`` with the reason, ``duplicate`` with the earlier application).
    Filters: state, service code, a part of the number. Sorted by date, then number."""
    unit = items_hromada(user, key, hromada_code)
    year, month = parse_period(key)
    exclusions = dict(BillingExclusion.objects.filter(
        application__hromada=unit, application__first_submitted_at__isnull=False).values_list("application_id",
                                                                                             "reason"))
    rows: list[dict] = []
    paid_ids = set()
    items = (BillingItem.objects.filter(period__year=year, period__month=month, hromada=unit)
             .select_related("application", "service", "tariff", "original_period"))
    for item in items:
        is_regular = item.kind == ItemKind.REGULAR
        if is_regular:
            paid_ids.add(item.application_id)
        reason = "" if is_regular else item.reason
        rows.append({
            "application_id": item.application_id, "application_number": item.application.number,
            "service_code": item.service.code, "service": item.service.name, "event_date": item.event_date,
            "tariff": item.tariff.amount if item.tariff_id else None, "amount": item.amount,
            "state": "paid" if is_regular else "adjustment", "reason": reason,
            "reason_text": exclusions.get(item.application_id) if reason == rules.EXCLUDED else
            str(REASON_LABELS.get(reason, reason)) if reason else "",
            "duplicate_of": None, "adjusts_period": None if is_regular else item.original_period.key,
            "excluded": item.application_id in exclusions,
        })
    unpaid = list(rules.verdicts(rules.applications_of_month(year, month).filter(hromada=unit))
                  .exclude(reason=rules.PAYABLE).exclude(pk__in=paid_ids).select_related("service")
                  .values("id", "number", "service__code", "service__name_uk", "service__name_en", "event_day", "reason",
                          "applicant_person_id", "service_id", "hromada_id", "first_submitted_at"))
    repeats = _earlier_claims([a for a in unpaid if a["reason"] == rules.DUPLICATE])
    for app in unpaid:
        duplicate = app["reason"] == rules.DUPLICATE
        rows.append({
            "application_id": app["id"], "application_number": app["number"], "service_code": app["service__code"],
            "service": localized(app["service__name_uk"], app["service__name_en"]), "event_date": app["event_day"],
            "tariff": None, "amount": ZERO,
            "state": "duplicate" if duplicate else "excluded", "reason": app["reason"],
            "reason_text": exclusions.get(app["id"]) if app["reason"] == rules.EXCLUDED else
            str(REASON_LABELS.get(app["reason"], app["reason"])),
            "duplicate_of": repeats.get(app["id"]), "adjusts_period": None,
            "excluded": app["id"] in exclusions,
        })
    if state:
        rows = [r for r in rows if r["state"] == state]
    if service_code:
        rows = [r for r in rows if r["service_code"] == service_code]
    if number:
        rows = [r for r in rows if number.strip() in r["application_number"]]
    rows.sort(key=lambda r: (r["event_date"], r["application_number"], r["state"]))
    return rows
