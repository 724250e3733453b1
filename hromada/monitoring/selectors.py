"""Reads for monitoring pages and the API. Every function takes the requesting user; scope comes from
``access.scope_of`` (another oblast's unit is "not found")."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.core.errors import NotFound, ValidationFailed
from hromada.core.text import normalize_name
from hromada.offices.models import Function, Office
from hromada.territory.models import Category, Unit

from . import aggregates, indicators
from .aggregates import CHILD_LEVEL, LEVELS, Area
from .models import STEP_ORDER, OnboardingStep, OnboardingStepCode, Workplace, WorkplacePlan, WorkplaceStatus
from .periods import Period

_ALPHABET = " ʼ-абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_ORDER = {c: i for i, c in enumerate(_ALPHABET)}


def uk_key(name: str) -> tuple:
    """Ukrainian alphabetical order (code points put І, Ї, Є, Ґ after Я)."""
    return tuple(_ORDER.get(c, 100 + ord(c)) for c in normalize_name(name))


LEVEL_CATEGORIES = {"oblast": (Category.OBLAST, Category.SPECIAL_CITY), "raion": (Category.RAION,),
                    "hromada": (Category.HROMADA,)}


def resolve_area(user: User, level: str, code: str | None) -> Area:
    """The area the user asked for: 422 for a bad level or code, 404 outside the user's scope."""
    access.require(user, "monitoring.view")
    if level not in LEVELS:
        raise ValidationFailed(_("Невідомий рівень. Допустимі: country, oblast, raion, hromada."),
                               code="invalid_level", details={"allowed": list(LEVELS)})
    scope = access.scope_of(user)
    if level == "country":
        if not scope.contains_area("country", None):
            raise NotFound()
        return Area("country")
    unit = Unit.objects.filter(code=(code or "").strip().upper(), category__in=LEVEL_CATEGORIES[level]).first()
    if unit is None:
        raise ValidationFailed(_("Одиницю з кодом «%(code)s» рівня «%(level)s» не знайдено в кодифікаторі.")
                               % {"code": (code or "")[:20], "level": level}, code="unknown_unit")
    if not area_visible(user, level, unit):
        raise NotFound()
    return Area(level, unit)


def area_visible(user: User, level: str, unit: Unit) -> bool:
    return access.scope_of(user).contains_area(level, unit)


def home_area(user: User) -> Area:
    """Where a user's dashboard starts: the country, their oblast, their hromada or the hromadas they serve."""
    access.require(user, "monitoring.view")
    scope = access.scope_of(user)
    level, unit_id = scope.home()
    if level == "country":
        return Area("country")
    if level == "served":
        return Area("served", hromada_ids=scope.hromada_ids)
    if not level or unit_id is None:
        raise NotFound()
    return Area(level, Unit.objects.get(pk=unit_id))


def breadcrumbs(area: Area) -> list[Unit]:
    """Ancestors of the area's unit, top first (for drill-up links)."""
    if area.unit is None:
        return []
    ids = [i for i in (area.unit.oblast_id, area.unit.raion_id) if i and i != area.unit.pk]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def indicator_values(user: User, *, level: str, code: str | None, period: Period) -> list[dict]:
    """The API answer: every indicator's value for the area and period, from the aggregates as the last rebuild
    left them (the Celery beat rebuilds them every 15 minutes; a read never rebuilds)."""
    area = resolve_area(user, level, code)
    base = aggregates.bases(area, period)[None]
    return [{"indicator": i.code, "value": i.value(base), "unit": i.unit} for i in indicators.INDICATORS]


@dataclass
class Row:
    unit: Unit
    level: str
    values: dict


def child_rows(area: Area, period: Period) -> list[Row]:
    """One row per child unit (oblasts of the country, raions of an oblast, hromadas of a raion)."""
    child = CHILD_LEVEL[area.level]
    if child is None:
        return []
    found = aggregates.bases(area, period, group=child)
    units = Unit.objects.in_bulk(list(found))
    rows = [Row(units[k], child, indicators.values(b)) for k, b in found.items() if k in units]
    return sorted(rows, key=lambda r: uk_key(r.unit.name))


def ranking(area: Area, period: Period, indicator: indicators.Indicator, n: int = 10) -> tuple[list[Row], list[Row]]:
    """Best and worst ``n`` hromadas of the area by the indicator (hromadas without a value are left out)."""
    if area.level == "hromada":
        return [], []
    found = aggregates.bases(area, period, group="hromada")
    scored = [(k, indicator.value(b), b) for k, b in found.items()]
    scored = [s for s in scored if s[1] is not None]
    reverse = indicator.direction == "good"
    scored.sort(key=lambda s: (-s[1] if reverse else s[1], s[0]))
    # With fewer than 2n hromadas the two tables split them instead of listing the same ones twice.
    best = scored[:min(n, (len(scored) + 1) // 2)]
    worst = list(reversed(scored[len(best):]))[:n]
    units = Unit.objects.select_related("raion", "oblast").in_bulk([s[0] for s in best + worst])
    as_rows = lambda items: [Row(units[k], "hromada", indicators.values(b)) for k, _v, b in items]  # noqa: E731
    return as_rows(best), as_rows(worst)


# ---- onboarding ----------------------------------------------------------------------------------------------

def onboarding_by_oblast(user: User) -> list[dict]:
    """Per oblast in scope: hromadas (outside Crimea) and how many reached each step."""
    access.require(user, "monitoring.view")
    scope = access.scope_of(user)
    steps = access.visible(user, OnboardingStep).filter(hromada__in_crimea=False)
    counts: dict[int, dict] = {}
    for r in steps.values("hromada__oblast_id", "step").annotate(n=Count("id")):
        counts.setdefault(r["hromada__oblast_id"], {})[r["step"]] = r["n"]
    hromadas = aggregates.coverage_hromadas().filter(scope.hromada_units_q())
    totals = dict(hromadas.values("oblast_id").annotate(n=Count("id")).values_list("oblast_id", "n"))
    oblasts = Unit.objects.in_bulk(list(totals))
    out = []
    for oblast_id, total in totals.items():
        by_step = counts.get(oblast_id, {})
        out.append({"oblast": oblasts[oblast_id], "hromadas": total,
                    "steps": [(s, by_step.get(s, 0)) for s in STEP_ORDER],
                    "live_share": indicators.share(by_step.get(OnboardingStepCode.LIVE, 0), total)})
    return sorted(out, key=lambda r: uk_key(r["oblast"].name))


def onboarding_table(user: User, *, oblast: Unit | None = None, query: str = "") -> QuerySet[Unit]:
    """Hromadas in scope (outside Crimea), for paging; their steps come from ``steps_for``."""
    access.require(user, "monitoring.view")
    scope = access.scope_of(user)
    hromadas = (aggregates.coverage_hromadas().filter(scope.hromada_units_q())
                .select_related("oblast", "raion").order_by("oblast__name", "name"))
    if oblast is not None:
        hromadas = hromadas.filter(oblast=oblast)
    if query:
        hromadas = hromadas.filter(name_key__startswith=query.strip().lower())
    return hromadas


def steps_for(user: User, hromada_ids: Iterable[int]) -> dict[int, dict[str, OnboardingStep]]:
    out: dict[int, dict[str, OnboardingStep]] = {}
    for s in access.visible(user, OnboardingStep).filter(hromada_id__in=hromada_ids).select_related("recorded_by"):
        out.setdefault(s.hromada_id, {})[s.step] = s
    return out


def hromada_for(user: User, code: str) -> Unit:
    """A hromada in the user's monitoring scope, else NotFound."""
    access.require(user, "monitoring.view")
    unit = Unit.objects.select_related("oblast", "raion").filter(code=code, category=Category.HROMADA).first()
    if unit is None or not access.hromada_in_scope(user, unit):
        raise NotFound()
    return unit


# ---- workplaces ----------------------------------------------------------------------------------------------

def workplaces(user: User, *, hromada: Unit | None = None) -> QuerySet[Workplace]:
    qs = access.visible(user, Workplace).select_related("office", "office__hromada").prefetch_related("equipment")
    if hromada is not None:
        qs = qs.filter(office__hromada=hromada)
    return qs.order_by("office__hromada__name", "office__name", "inventory_number")


def workplace_for(user: User, pk: int) -> Workplace:
    return access.get_visible(user, Workplace.objects.select_related("office"), pk=pk)


def front_offices_for(user: User, hromada: Unit) -> QuerySet[Office]:
    if not access.hromada_in_scope(user, hromada):
        raise NotFound()
    return Office.objects.filter(function=Function.FRONT, hromada=hromada, is_active=True).order_by("name")


def plan_vs_actual(user: User) -> dict:
    """Per oblast in scope: plan, equipped workplaces (front offices), share; and national totals."""
    access.require(user, "monitoring.view")
    scope = access.scope_of(user)
    equipped = dict(access.visible(user, Workplace).filter(status=WorkplaceStatus.EQUIPPED)
                    .values("office__hromada__oblast_id").annotate(n=Count("id"))
                    .values_list("office__hromada__oblast_id", "n"))
    plans: dict[int | None, int] = dict(WorkplacePlan.objects.values_list("oblast_id", "planned"))
    oblasts = Unit.objects.filter(category__in=(Category.OBLAST, Category.SPECIAL_CITY), in_crimea=False)
    if scope.level != "country":
        ids = {scope.oblast_id} if scope.level == "oblast" else set(
            Unit.objects.filter(pk__in=scope.hromada_ids).values_list("oblast_id", flat=True))
        oblasts = oblasts.filter(pk__in=[i for i in ids if i is not None])
    if scope.level == "hromadas":
        plans = {}   # an oblast's plan against a few of its hromadas' workplaces would mislead
    rows = [{"oblast": o, "planned": plans.get(o.pk), "equipped": equipped.get(o.pk, 0),
             "share": indicators.share(equipped.get(o.pk, 0), plans.get(o.pk) or 0)}
            for o in sorted(oblasts, key=lambda o: uk_key(o.name))]
    national = plans.get(None)
    total = sum(r["equipped"] for r in rows)
    return {"rows": rows, "national_plan": national if scope.level == "country" else None,
            "total_equipped": total,
            "national_share": indicators.share(total, national or 0) if scope.level == "country" else None}


def social_services(area: Area, period: Period) -> dict:
    """Social-services figures (hromada.social: numbers only) for the area and one row per child unit."""
    from hromada.social import selectors as social

    start, end = period.start_end()
    where = {"country": {}, "oblast": {"oblast_id": area.unit.pk if area.unit else None},
             "raion": {"raion_id": area.unit.pk if area.unit else None},
             "hromada": {"id": area.unit.pk if area.unit else None}}.get(area.level, {"id__in": sorted(area.hromada_ids)})
    total = social.indicator_figures(where, start, end)[None]
    child = aggregates.CHILD_LEVEL[area.level]
    rows = []
    if child is not None:
        field = aggregates.GROUP_FIELDS[child][1]
        found = social.indicator_figures(where, start, end, group=field)
        units = Unit.objects.in_bulk([k for k in found if k is not None])
        rows = sorted((Row(units[k], child, v) for k, v in found.items() if k in units), key=lambda r: uk_key(r.unit.name))
    return {"total": total, "rows": rows}
