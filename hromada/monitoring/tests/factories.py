"""Generated monitoring data: applications across hromadas of two oblasts, offices, staff, workplaces."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from hromada.applications.models import Application, Status
from hromada.billing.models import BillingLine, BillingPeriod
from hromada.catalog.models import ServiceType
from hromada.offices.models import Function, Kind, Office, StaffPosition
from hromada.territory.models import Unit
from hromada.testing import with_history

from ..models import FundingSource, Workplace, WorkplaceStatus

ZHYTOMYR_OBLAST = "UA18000000000041385"
VINNYTSIA_OBLAST = "UA05000000000010236"
ZVIAHEL_RAION = "UA18080000000016657"
# Three hromadas of Звягельський (two raions of Житомирська in all) and three of Вінницька.
HROMADAS = ["UA18080010000090720", "UA18080030000019784", "UA18080050000083590", "UA18040530000045696",
            "UA05020010000053508", "UA05020030000031457", "UA05020050000066991"]


def generate(*, user, n: int = 400, seed: int = 7, prefix: str = "", codes=tuple(HROMADAS), days: int = 150,
             billing: bool = True) -> list[Unit]:
    """Bulk-create ``n`` applications spread over ``days`` (statuses, returns, decisions, hand-outs)."""
    rnd = random.Random(seed)
    units = list(Unit.objects.filter(code__in=codes).order_by("code"))
    service = ServiceType.objects.order_by("id").first()
    offices = {}
    for i, u in enumerate(units):
        offices[u.pk] = Office.objects.create(
            name=f"Тестовий фронт-офіс {u.name}", function=Function.FRONT, kind=Kind.CNAP, territory=u, hromada=u,
            opened_on=timezone.localdate() - timedelta(days=400 if i % 3 else 20))
    # staff: positions in some offices, one ended
    for i, u in enumerate(units):
        for j in range(i % 3 + 1):
            StaffPosition.objects.create(office=offices[u.pk], title="Фахівець", user=user,
                                         since=timezone.localdate() - timedelta(days=300),
                                         until=(timezone.localdate() - timedelta(days=40)) if j == 2 else None)
        for j in range(i % 2 + 1):
            Workplace.objects.create(office=offices[u.pk], inventory_number=f"T{prefix}-{u.code}-{j}",
                                     funding_source=FundingSource.WORLD_BANK,
                                     status=WorkplaceStatus.EQUIPPED if j == 0 else WorkplaceStatus.PLANNED,
                                     equipped_on=timezone.localdate() - timedelta(days=50 * (i + 1)) if j == 0 else None)
    now = timezone.now()
    apps = []
    for k in range(n):
        u = units[rnd.randrange(len(units))]
        first = now - timedelta(days=rnd.uniform(0.01, days))
        due = timezone.localdate(first) + timedelta(days=10)
        decided = issued = withdrawn = None
        status = Status.SUBMITTED
        returns = rnd.choice([0, 0, 0, 1, 2])
        roll = rnd.random()
        granted = rnd.random() < 0.8
        if roll < 0.65:
            decided = min(first + timedelta(days=rnd.uniform(0.1, 25)), now - timedelta(seconds=5))
            status = Status.DECIDED_GRANTED if granted else Status.DECIDED_REFUSED
            if rnd.random() < 0.6:
                issued = min(decided + timedelta(days=rnd.uniform(0.1, 10)), now - timedelta(seconds=1))
                status = Status.RESULT_ISSUED
        elif roll < 0.72:
            withdrawn = min(first + timedelta(days=rnd.uniform(0.1, 8)), now - timedelta(seconds=5))
            status = Status.WITHDRAWN
        app = Application(
            number=f"MON{prefix}-{seed}-{k:05d}", service=service, status=status, front_office=offices[u.pk], hromada=u,
            registered_by=user, application_date=timezone.localdate(first), first_submitted_at=first,
            submitted_at=first, due_date=due, decided_at=decided, issued_at=issued, withdrawn_at=withdrawn,
            return_count=returns)
        if decided is not None:
            # The decision's step as the workflow writes it: the event in the history and the ``granted`` column.
            with_history(app, [("grant", Status.DECIDED_GRANTED) if granted else ("refuse", Status.DECIDED_REFUSED)],
                         actor=user, at=decided)
        apps.append(app)
    Application.objects.bulk_create(apps)
    if billing:
        _billing_lines(units, service, rnd)
    return units


def _billing_lines(units, service, rnd) -> None:
    """Billed amounts of the running month (an open period) for most generated hromadas."""
    today = timezone.localdate()
    period, _ = BillingPeriod.objects.get_or_create(year=today.year, month=today.month)
    if period.status != "open":
        return
    BillingLine.objects.bulk_create([
        BillingLine(period=period, kind="regular", hromada=u, service=service, unit_amount=Decimal("50.00"),
                    count=n, amount=Decimal("50.00") * n)
        for u in units[1:] for n in [rnd.randrange(1, 30)]])


# Hromadas outside Житомирська (no demo offices or back offices): the browser server's demo stays intact.
BROWSER_HROMADAS = ["UA05020010000053508", "UA05020030000031457", "UA05020050000066991", "UA05020070000010139",
                    "UA05020090000067118", "UA05020110000052014", "UA07020010000096841", "UA07020030000052032",
                    "UA07020050000082369"]


def month_first(d: date) -> date:
    return d.replace(day=1)
