"""Every indicator, read from the aggregates, equals a direct computation from raw rows, at every level."""
from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hromada.applications.models import HISTORY, Application
from hromada.billing.selectors import amounts_by_hromada
from hromada.offices.models import Function, Office, StaffPosition
from hromada.territory.models import Unit

from .. import aggregates, indicators, services
from ..aggregates import Area
from ..models import HromadaMonth, MonthRefresh, OnboardingStep, Workplace, WorkplacePlan
from ..periods import Period, add_months, current_month, parse_period
from ..tasks import refresh_aggregates
from .factories import HROMADAS, VINNYTSIA_OBLAST, ZHYTOMYR_OBLAST, ZVIAHEL_RAION, generate

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def _pct(a, b):
    return None if not b else (Decimal(a * 100) / Decimal(b)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _rank(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[max(1, math.ceil(p * len(values))) - 1]


class Raw:
    """Raw rows read once per test (plain Python lists), so the per-area computations below stay cheap."""

    def __init__(self):
        self.apps = list(Application.objects.all())
        # Granted as the case's history tells it (a grant step), not the ``granted`` column the service reads.
        self.granted_ids = {a.pk for a in self.apps if any(e.action == "grant" for e in HISTORY.decode(a.history))}
        self.offices = list(Office.objects.filter(function=Function.FRONT, is_active=True))
        self.positions = list(StaffPosition.objects.select_related("office"))
        self.workplaces = list(Workplace.objects.select_related("office"))
        self.hromadas = {u.pk: u for u in Unit.objects.filter(category="H")}


def direct(raw: Raw, hromada_ids: set[int], period: Period, plan) -> dict:
    """Indicators straight from applications, offices, staff and workplaces (no aggregates involved)."""
    months = [m for m in period.months if m <= current_month()]
    start = datetime.combine(months[0], time.min, tzinfo=TZ)
    end = datetime.combine(add_months(months[-1], 1), time.min, tzinfo=TZ)
    now = timezone.now()
    cut = min(end, now)
    as_of = timezone.localdate() if end > now else (end - timedelta(days=1)).date()
    apps = [a for a in raw.apps if a.hromada_id in hromada_ids]
    accepted = [a for a in apps if a.first_submitted_at and start <= a.first_submitted_at < end]
    decided = [a for a in apps if a.decided_at and start <= a.decided_at < end]
    on_time = [a for a in decided if a.due_date and a.decided_at.astimezone(TZ).date() <= a.due_date]
    days = [(a.decided_at.astimezone(TZ).date() - a.first_submitted_at.astimezone(TZ).date()).days for a in decided]
    overdue = [a for a in apps if a.first_submitted_at and a.first_submitted_at < cut
               and not (a.decided_at and a.decided_at < cut) and not (a.withdrawn_at and a.withdrawn_at < cut)
               and a.due_date and a.due_date < as_of]
    unissued = [a for a in apps if a.decided_at and a.decided_at < cut and not (a.issued_at and a.issued_at < cut)]
    fronts = {o.hromada_id for o in raw.offices
              if o.hromada_id in hromada_ids and (o.opened_on is None or o.opened_on <= as_of)}
    specialists = [p for p in raw.positions
                   if p.office.hromada_id in hromada_ids and p.office.function == Function.FRONT and p.office.is_active
                   and p.user_id and (p.office.opened_on is None or p.office.opened_on <= as_of)
                   and (p.since is None or p.since <= as_of) and (p.until is None or p.until >= as_of)]
    workplaces = [w for w in raw.workplaces
                  if w.office.hromada_id in hromada_ids and w.status == "equipped" and w.equipped_on <= as_of]
    billed = sum((amount for m in months for h, amount in amounts_by_hromada(m.year, m.month).items()
                  if h in hromada_ids), Decimal("0.00"))
    all_hromadas = [raw.hromadas[h] for h in hromada_ids if raw.hromadas[h].is_active
                    and not raw.hromadas[h].code.startswith(("UA01", "UA85"))]
    return {
        "accepted": len(accepted), "decided": len(decided),
        "granted_share": _pct(sum(a.pk in raw.granted_ids for a in decided), len(decided)),
        "returned_share": _pct(sum(a.return_count > 0 for a in decided), len(decided)),
        "median_days": _rank(days, 0.5), "p90_days": _rank(days, 0.9),
        "on_time_share": _pct(len(on_time), len(decided)),
        "overdue": len(overdue), "unissued": len(unissued),
        "front_office_hromadas": len(fronts), "front_office_coverage": _pct(len(fronts), len(all_hromadas)),
        "specialists": len(specialists), "workplaces_equipped": len(workplaces),
        "workplaces_plan_share": _pct(len(workplaces), plan) if plan else None,
        "billing_amount": billed,
    }


@pytest.fixture
def generated(front):
    units = generate(user=front, n=400)
    WorkplacePlan.objects.update_or_create(oblast=Unit.objects.get(code=ZHYTOMYR_OBLAST), defaults={"planned": 40})
    WorkplacePlan.objects.update_or_create(oblast=None, defaults={"planned": 7600})
    # Every month of the running year and the five before the running one (data reach back ~150 days).
    first = min(current_month().replace(month=1), add_months(current_month(), -5))
    months, m = [], first
    while m <= current_month():
        months.append(m)
        m = add_months(m, 1)
    services.refresh_aggregates(months=months)
    return units


def _periods():
    now = current_month()
    prev = add_months(now, -1)
    three = add_months(now, -3)
    return [parse_period(f"{now:%Y-%m}"), parse_period(f"{prev:%Y-%m}"), parse_period(f"{three:%Y-%m}"),
            Period("quarter", prev.year, (prev.month - 1) // 3 + 1), Period("year", now.year)]


def _check(raw: Raw, area: Area, ids: set[int], plan=None):
    for period in _periods():
        got = indicators.values(aggregates.bases(area, period)[None])
        want = direct(raw, ids, period, plan)
        for code, value in want.items():
            assert got[code] == value, (area.level, period.code, code, got[code], value)


def test_every_indicator_equals_direct_computation_at_every_level(generated):
    raw = Raw()
    hromada_units = {u.code: u for u in generated}
    for code in HROMADAS:
        u = hromada_units[code]
        _check(raw, Area("hromada", u), {u.pk})
    raion = Unit.objects.get(code=ZVIAHEL_RAION)
    _check(raw, Area("raion", raion), set(Unit.objects.filter(category="H", raion=raion).values_list("id", flat=True)))
    for code, plan in ((ZHYTOMYR_OBLAST, 40), (VINNYTSIA_OBLAST, None)):
        oblast = Unit.objects.get(code=code)
        ids = set(Unit.objects.filter(category="H", oblast=oblast).values_list("id", flat=True))
        _check(raw, Area("oblast", oblast), ids, plan)
    _check(raw, Area("country"), set(Unit.objects.filter(category="H").values_list("id", flat=True)), 7600)


def test_generated_data_is_not_trivial(generated):
    """Guards the comparison above against passing on empty figures."""
    base = aggregates.bases(Area("oblast", Unit.objects.get(code=ZHYTOMYR_OBLAST)), _periods()[3])[None]
    assert base.accepted > 20 and base.decided > 20 and 0 < base.granted < base.decided
    assert 0 < base.returned < base.decided and 0 < base.on_time < base.decided
    assert len(base.days) > 5
    country = aggregates.bases(Area("country"), _periods()[0])[None]
    assert country.overdue > 0 and country.unissued > 0 and country.front_offices >= len(HROMADAS)
    assert country.billing_amount > 0
    assert country.hromadas == 1772 - 303   # Crimea's hromadas are not in the denominator


def test_children_grouping_matches_single_area(generated):
    """The oblast table of the national page equals each oblast computed on its own."""
    period = _periods()[3]
    by_oblast = aggregates.bases(Area("country"), period, group="oblast")
    for code in (ZHYTOMYR_OBLAST, VINNYTSIA_OBLAST):
        oblast = Unit.objects.get(code=code)
        alone = indicators.values(aggregates.bases(Area("oblast", oblast), period)[None])
        assert indicators.values(by_oblast[oblast.pk]) == alone
    by_hromada = aggregates.bases(Area("raion", Unit.objects.get(code=ZVIAHEL_RAION)), period, group="hromada")
    assert sum(b.accepted for b in by_hromada.values()) == aggregates.bases(
        Area("raion", Unit.objects.get(code=ZVIAHEL_RAION)), period)[None].accepted


def test_refresh_replaces_rows_and_stale_months_are_rebuilt(generated, front):
    month = current_month()
    before = HromadaMonth.objects.filter(month=month).count()
    services.refresh_month(month=month)
    assert HromadaMonth.objects.filter(month=month).count() == before   # rebuilt, not duplicated
    MonthRefresh.objects.filter(month=month).update(refreshed_at=timezone.now() - timedelta(hours=2))
    assert services.stale_months([month, add_months(month, -2)]) == [month]
    assert services.ensure_fresh([month]) == [month]
    assert services.stale_months([month]) == []


def test_first_application_step_is_derived_from_data(generated):
    steps = OnboardingStep.objects.filter(step="first_application", hromada__in=generated)
    assert steps.count() == len(generated)
    # Баранівська's step was recorded by a person in the demo: the data never overwrite a recorded step.
    recorded = steps.get(hromada__code=HROMADAS[0])
    assert recorded.recorded_by is not None and recorded.done_on < timezone.localdate() - timedelta(days=300)
    derived = steps.filter(recorded_by__isnull=True)
    assert derived.count() == len(generated) - 1
    for s in derived:
        first = (Application.objects.filter(hromada_id=s.hromada_id, first_submitted_at__isnull=False)
                 .order_by("first_submitted_at").first())
        assert s.done_on == timezone.localdate(first.first_submitted_at)


def test_percentile_nearest_rank():
    assert indicators.percentile({}, 0.5) is None
    assert indicators.percentile({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == 2
    assert indicators.percentile({1: 9, 30: 1}, 0.9) == 1
    assert indicators.percentile({1: 8, 30: 2}, 0.9) == 30
    assert indicators.share(1, 3) == Decimal("33.3") and indicators.share(2, 3) == Decimal("66.7")
    assert indicators.share(1, 0) is None


def test_celery_task_and_management_command_rebuild_months(front):
    generate(user=front, n=30, seed=3)
    now = current_month()
    assert refresh_aggregates.delay(f"{now:%Y-%m}").get() == [f"{now:%Y-%m}"]
    assert HromadaMonth.objects.filter(month=now).exists()
    out = StringIO()
    call_command("refresh_indicators", "--all", stdout=out)
    first = Application.objects.filter(first_submitted_at__isnull=False).order_by("first_submitted_at").first()
    assert MonthRefresh.objects.filter(month=timezone.localdate(first.first_submitted_at).replace(day=1)).exists()
    assert "Оновлено місяців" in out.getvalue()
    with pytest.raises(Exception, match="Період"):
        call_command("refresh_indicators", "--period", "2026-13", stdout=StringIO())
