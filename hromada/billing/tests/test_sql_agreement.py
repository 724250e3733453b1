"""The run's amounts agree to the kopiyka with an independent raw-SQL aggregation over generated data."""
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from hromada.applications.models import Application, Status
from hromada.billing import selectors, services
from hromada.billing.models import BillingExclusion, BillingLine, BillingRun, ItemKind, Tariff
from hromada.billing.rules import month_bounds
from hromada.catalog.models import ServiceType
from hromada.persons.models import Person
from hromada.territory.models import Unit
from hromada.testing import with_history

from .factories import build_application, front_office_for

MONTHS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4)]
SERVICES = ["birth_assistance", "low_income_family", "idp_living_allowance", "housing_subsidy", "care_allowance"]


def _day_sql(column):
    # UTC calendar date of an instant; the generated instants are at 12:00 UTC, so it is also the Kyiv date.
    if connection.vendor == "postgresql":
        return f"CAST({column} AT TIME ZONE 'UTC' AS date)"
    return f"date({column})"


def _minus_30_days(column):
    if connection.vendor == "postgresql":
        return f"({column} - INTERVAL '30 days')"
    return f"datetime({column}, '-30 days')"


def raw_sql_totals(year, month) -> dict[int, tuple[int, Decimal]]:
    start, end = (connection.ops.adapt_datetimefield_value(x) for x in month_bounds(year, month))
    # Only constant vendor fragments are interpolated; values are query parameters. The back office's review
    # started when the case was taken or assigned (both steps set ``assigned_to``, nothing clears it); a decision's
    # outcome is the ``granted`` column (grant: true, refuse: false, otherwise NULL).
    sql = f"""
    WITH sub AS (
      SELECT a.id, a.hromada_id, a.service_id, a.first_submitted_at AS fs, {_day_sql('a.first_submitted_at')} AS d,
             a.status, a.decided_at, a.withdrawn_at, a.assigned_to_id, a.granted, a.applicant_person_id AS person_id
      FROM applications_application a
      WHERE a.first_submitted_at IS NOT NULL
    ), counted AS (
      SELECT s.* FROM sub s
      WHERE NOT (s.status = 'withdrawn' AND s.assigned_to_id IS NULL)
        AND NOT EXISTS (SELECT 1 FROM billing_billingexclusion x WHERE x.application_id = s.id)
    ), payable AS (
      SELECT c.* FROM counted c
      WHERE c.fs >= %s AND c.fs < %s
        AND NOT EXISTS (
          SELECT 1 FROM counted e
          WHERE c.person_id IS NOT NULL AND e.person_id = c.person_id AND e.service_id = c.service_id
            AND e.hromada_id = c.hromada_id AND (e.fs < c.fs OR (e.fs = c.fs AND e.id < c.id))
            AND (((e.decided_at IS NULL OR e.decided_at > c.fs) AND (e.withdrawn_at IS NULL OR e.withdrawn_at > c.fs))
                 OR (e.granted IS TRUE AND e.decided_at <= c.fs AND e.decided_at >= {_minus_30_days('c.fs')})))
    )
    SELECT p.hromada_id, COUNT(*), SUM(CAST(ROUND(t.amount * 100) AS INTEGER))
    FROM payable p
    JOIN billing_tariff t ON t.id = (
      SELECT t2.id FROM billing_tariff t2
      WHERE (t2.service_id = p.service_id OR t2.service_id IS NULL)
        AND t2.effective_from <= p.d AND (t2.effective_to IS NULL OR t2.effective_to >= p.d)
      ORDER BY CASE WHEN t2.service_id IS NULL THEN 1 ELSE 0 END
      LIMIT 1)
    GROUP BY p.hromada_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        return {hromada_id: (count, Decimal(kop) / 100) for hromada_id, count, kop in cursor.fetchall()}


def generate(front, rng: random.Random) -> int:
    hromadas = [front.office.hromada, Unit.objects.get(code="UA18040530000045696")]
    others = Unit.objects.filter(category="H").exclude(oblast_id=front.office.hromada.oblast_id).order_by("code")
    hromadas += [others[0], others[400], others[900]]
    offices = [front_office_for(h) for h in hromadas]
    services_ = list(ServiceType.objects.filter(code__in=SERVICES))
    # Tariffs: the default changes on 15.02, one service's tariff on 10.03 (mid-month both).
    Tariff.objects.filter(service=None, effective_to__isnull=True).update(effective_to=date(2025, 2, 14))
    Tariff.objects.create(service=None, amount=Decimal("37.33"), effective_from=date(2025, 2, 15), basis="т")
    low_income = next(s for s in services_ if s.code == "low_income_family")
    Tariff.objects.create(service=low_income, amount=Decimal("81.17"), effective_from=date(2024, 1, 1),
                          effective_to=date(2025, 3, 9), basis="т")
    Tariff.objects.create(service=low_income, amount=Decimal("99.99"), effective_from=date(2025, 3, 10), basis="т")

    people = Person.objects.bulk_create([
        Person(last_name=f"Генеренко{i}", first_name="Олена", birth_date=date(1990, 1, 1), sex="F",
               no_rnokpp_reason="відмова", name_key=f"генеренко{i} олена", registered_hromada=hromadas[i % 5],
               id_document_type="passport", id_document_number=f"ГГ{i:06d}")
        for i in range(70)])
    apps = []
    for _ in range(420):
        office = rng.choice(offices)
        year, month = rng.choice(MONTHS)
        at = datetime(year, month, rng.randint(1, 28), 12, 0, rng.randint(0, 59), tzinfo=UTC)
        fate = rng.choice(["open", "open", "granted", "refused", "withdrawn_early", "withdrawn_late", "returned"])
        app = build_application(office=office, user=front, service_obj=rng.choice(services_), submitted_at=at)
        events = ["submit"]
        if fate == "granted":
            app.status, app.decided_at = Status.DECIDED_GRANTED, at + timedelta(days=rng.randint(1, 20))
            events += ["take", "grant"]
        elif fate == "refused":
            app.status, app.decided_at = Status.DECIDED_REFUSED, at + timedelta(days=rng.randint(1, 20))
            events += ["take", "refuse"]
        elif fate == "withdrawn_early":
            app.status, app.withdrawn_at = Status.WITHDRAWN, at + timedelta(days=rng.randint(0, 5))
            events += ["withdraw"]
        elif fate == "withdrawn_late":
            app.status, app.withdrawn_at = Status.WITHDRAWN, at + timedelta(days=rng.randint(2, 9))
            events += [rng.choice(["take", "assign"]), "withdraw"]
        elif fate == "returned":
            app.status = Status.RESUBMITTED
            events += ["take", "return", "resubmit"]
        app.applicant_person = rng.choice([p for p in people if p.registered_hromada_id == office.hromada_id])
        apps.append(app)
        # The history and the columns its steps write: take and assign set ``assigned_to``, grant and refuse
        # ``granted``.
        with_history(app, events, actor=front, at=at)
    Application.objects.bulk_create(apps)
    BillingExclusion.objects.bulk_create([BillingExclusion(application=a, reason="дублікат", set_by=front)
                                          for a in rng.sample(apps, 12)])
    return len(apps)


def test_amounts_agree_with_raw_sql(front, ministry):
    generate(front, random.Random(20250101))
    grand = Decimal("0")
    for year, month in MONTHS:
        run = services.run_billing_period(actor=ministry, period=f"{year}-{month:02d}")
        assert run.status == "done", run.error
        expected = raw_sql_totals(year, month)
        got: dict[int, list] = {}
        for line in BillingLine.objects.filter(period__year=year, period__month=month, kind=ItemKind.REGULAR):
            entry = got.setdefault(line.hromada_id, [0, Decimal("0")])
            entry[0] += line.count
            entry[1] += line.amount
        assert {h: (c, a) for h, (c, a) in got.items()} == expected
        assert selectors.amounts_by_hromada(year, month) == {h: a for h, (_c, a) in expected.items()}
        assert sum(c for c, _a in expected.values()) > 40            # the data really exercise the month
        grand += sum((a for _c, a in expected.values()), Decimal("0"))
    # The rule excluded something of every kind (otherwise the agreement would prove little).
    generated = Application.objects.filter(first_submitted_at__year=2025)
    assert generated.filter(status=Status.WITHDRAWN, assigned_to__isnull=True).exists()    # before review
    assert generated.filter(status=Status.WITHDRAWN, assigned_to__isnull=False).exists()   # after take or assign
    assert generated.filter(granted=True).exists() and generated.filter(granted=False).exists()
    assert sum(r.excluded for r in BillingRun.objects.filter(period__year=2025)) > 30
    assert sum(selectors.amounts_by_hromada(2025).values()) == grand
