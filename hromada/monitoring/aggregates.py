"""Reading the monthly aggregates: base figures of an area for a period, optionally per child unit.

Every function here reads only HromadaMonth / DecisionDays / MonthRefresh / WorkplacePlan and the
codifier — never applications — so a national page costs a handful of grouped queries.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from hromada.territory.models import Category, Unit

from .indicators import Base
from .models import DecisionDays, HromadaMonth, MonthRefresh, WorkplacePlan
from .periods import Period, add_months

LEVELS = ("country", "oblast", "raion", "hromada")
CHILD_LEVEL = {"country": "oblast", "oblast": "raion", "raion": "hromada", "served": "hromada", "hromada": None}
# group → (field on aggregate rows, field on hromada Units)
GROUP_FIELDS = {"oblast": ("hromada__oblast_id", "oblast_id"), "raion": ("hromada__raion_id", "raion_id"),
                "hromada": ("hromada_id", "id")}
FLOW_FIELDS = ("accepted", "decided", "granted", "returned", "on_time", "billing_amount")
STOCK_FIELDS = ("overdue", "unissued", "specialists", "workplaces_equipped")


@dataclass(frozen=True)
class Area:
    """A set of hromadas: the country, an oblast, a raion, a hromada, or those a back office serves."""
    level: str                       # LEVELS or "served"
    unit: Unit | None = None
    hromada_ids: frozenset[int] = frozenset()

    @property
    def code(self) -> str:
        return self.unit.code if self.unit else ""

    def rows_q(self) -> Q:
        """Filter for aggregate rows (they have a ``hromada`` FK)."""
        if self.level == "country":
            return Q()
        if self.level == "oblast":
            return Q(hromada__oblast_id=self.unit.pk)
        if self.level == "raion":
            return Q(hromada__raion_id=self.unit.pk)
        if self.level == "hromada":
            return Q(hromada_id=self.unit.pk)
        return Q(hromada_id__in=sorted(self.hromada_ids))

    def units_q(self) -> Q:
        """Filter for the hromada Units of the area."""
        if self.level == "country":
            return Q()
        if self.level == "oblast":
            return Q(oblast_id=self.unit.pk)
        if self.level == "raion":
            return Q(raion_id=self.unit.pk)
        if self.level == "hromada":
            return Q(pk=self.unit.pk)
        return Q(pk__in=sorted(self.hromada_ids))


def coverage_hromadas():
    """Hromadas counted in coverage denominators: active, outside temporarily occupied Crimea."""
    return Unit.objects.filter(category=Category.HROMADA, is_active=True, in_crimea=False)


def _grouped(qs, group_field: str | None, **aggregates) -> dict:
    if group_field is None:
        return {None: qs.aggregate(**aggregates)}
    return {r.pop(group_field): r for r in qs.values(group_field).annotate(**aggregates)}


def bases(area: Area, period: Period, group: str | None = None) -> dict[int | None, Base]:
    """Base figures of ``area`` for ``period``: one Base (key None), or one per child unit of ``group``."""
    row_field, unit_field = GROUP_FIELDS[group] if group else (None, None)
    months = period.reported_months
    rows = HromadaMonth.objects.filter(area.rows_q())
    flows = _grouped(rows.filter(month__in=months), row_field, **{f: Sum(f) for f in FLOW_FIELDS})
    stocks = _grouped(rows.filter(month=period.stock_month), row_field,
                      front_offices=Count("id", filter=Q(front_office_active=True)),
                      **{f: Sum(f) for f in STOCK_FIELDS})
    denominators = _grouped(coverage_hromadas().filter(area.units_q()), unit_field, hromadas=Count("id"))
    result: dict[int | None, Base] = defaultdict(Base)
    for key, figures in flows.items():
        b = result[key]
        for f in FLOW_FIELDS:
            setattr(b, f, figures[f] or (Decimal("0.00") if f == "billing_amount" else 0))
    for key, figures in stocks.items():
        b = result[key]
        b.front_offices = figures["front_offices"] or 0
        for f in STOCK_FIELDS:
            setattr(b, f, figures[f] or 0)
    for key, figures in denominators.items():
        result[key].hromadas = figures["hromadas"] or 0
    hist = DecisionDays.objects.filter(area.rows_q(), month__in=months)
    hist_rows = (hist.values(row_field, "days") if row_field else hist.values("days")).annotate(n=Sum("count"))
    for r in hist_rows:
        days = result[r.get(row_field) if row_field else None].days
        days[r["days"]] = days.get(r["days"], 0) + r["n"]
    if group:
        result.pop(None, None)        # rows of a unit without that ancestor (none in the codifier)
    else:
        result[None]                  # noqa: B018 - defaultdict: the area always has a Base
    _attach_plans(area, group, result)
    return dict(result)


def _attach_plans(area: Area, group: str | None, result: dict) -> None:
    """Workplace plans exist for oblasts and for the country; lower levels have none."""
    if group == "oblast":
        plans = dict(WorkplacePlan.objects.filter(oblast__isnull=False).values_list("oblast_id", "planned"))
        for key, b in result.items():
            b.workplace_plan = plans.get(key)
    elif group is None and area.level == "oblast":
        result[None].workplace_plan = (WorkplacePlan.objects.filter(oblast=area.unit)
                                       .values_list("planned", flat=True).first())
    elif group is None and area.level == "country":
        plans = dict(WorkplacePlan.objects.values_list("oblast_id", "planned"))
        # The national plan is its own row (7,600); without it, the oblast plans add up.
        result[None].workplace_plan = plans[None] if None in plans else (sum(plans.values()) or None)


def series_months(last_month: date, n: int = 12) -> list[date]:
    return [add_months(last_month, -i) for i in range(n - 1, -1, -1)]


def series(area: Area, last_month: date, n: int = 12) -> list[dict]:
    """Monthly flows of the area for the ``n`` months up to ``last_month`` (one query)."""
    months = series_months(last_month, n)
    got = {r["month"]: r for r in HromadaMonth.objects.filter(area.rows_q(), month__in=months)
           .values("month").annotate(accepted=Sum("accepted"), decided=Sum("decided"), on_time=Sum("on_time"),
                                     overdue=Sum("overdue"))}
    out = []
    for m in months:
        r = got.get(m, {})
        out.append({"month": m, "accepted": r.get("accepted") or 0, "decided": r.get("decided") or 0,
                    "on_time": r.get("on_time") or 0, "overdue": r.get("overdue") or 0})
    return out


@dataclass(frozen=True)
class Freshness:
    """How fresh the figures of some months are: when the oldest of them was rebuilt, and which are not built yet."""
    at: datetime | None
    missing: list[date]


def freshness(months: list[date]) -> Freshness:
    """The dashboard says how fresh its figures are (one query); it never rebuilds them itself."""
    built = dict(MonthRefresh.objects.filter(month__in=months).values_list("month", "refreshed_at"))
    return Freshness(at=min(built.values()) if built else None, missing=[m for m in months if m not in built])
