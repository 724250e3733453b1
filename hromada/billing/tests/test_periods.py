"""Runs are repeatable; closed periods are frozen; later discoveries become adjustments in the next open month."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from hromada.applications.models import Status
from hromada.audit.models import AuditEntry
from hromada.billing import selectors, services
from hromada.billing.models import BillingItem, BillingLine, BillingPeriod, BillingRun, ItemKind, RunStatus
from hromada.billing.tasks import run_billing_period_task
from hromada.core.errors import Conflict, Forbidden, ValidationFailed

from .factories import kyiv, make_application, tariff


@pytest.fixture
def office(front):
    return front.office


def snapshot(key):
    year, month = int(key[:4]), int(key[5:])
    return sorted((line.kind, line.hromada_id, line.service_id, line.tariff_id, line.unit_amount, line.count, line.amount)
                  for line in BillingLine.objects.filter(period__year=year, period__month=month))


def test_run_is_repeatable_and_replaces_open_lines(office, front, ministry):
    for day in (3, 4, 5):
        make_application(office=office, user=front, submitted_at=kyiv(2025, 4, day))
    first = services.run_billing_period(actor=ministry, period="2025-04")
    before = snapshot("2025-04")
    second = services.run_billing_period(actor=ministry, period="2025-04")
    assert first.status == second.status == RunStatus.DONE and first.run_id != second.run_id
    assert snapshot("2025-04") == before
    assert BillingLine.objects.filter(period__year=2025, period__month=4).count() == len(before) == 1
    # New input → new figures (the open period's lines are replaced, not appended).
    make_application(office=office, user=front, submitted_at=kyiv(2025, 4, 30))
    services.run_billing_period(actor=ministry, period="2025-04")
    (line,) = BillingLine.objects.filter(period__year=2025, period__month=4)
    assert (line.count, line.amount) == (4, Decimal("200.00"))
    assert second.progress == 100 and second.events == 3


def test_only_ministry_runs_and_closes(hadmin, oblast, front):
    for user in (hadmin, oblast, front):
        with pytest.raises(Forbidden):
            services.run_billing_period(actor=user, period="2025-04")
        with pytest.raises(Forbidden):
            services.close_billing_period(actor=user, period="2025-04")


def test_bad_and_future_periods_are_refused(ministry):
    with pytest.raises(ValidationFailed) as exc:
        services.run_billing_period(actor=ministry, period="2025-13")
    assert exc.value.code == "bad_period"
    with pytest.raises(ValidationFailed) as exc:
        services.run_billing_period(actor=ministry, period="2099-01")
    assert exc.value.code == "period_in_future"


def test_close_requires_a_finished_run_and_freezes(office, front, ministry):
    app = make_application(office=office, user=front, submitted_at=kyiv(2025, 8, 10))
    with pytest.raises(Conflict) as exc:
        services.close_billing_period(actor=ministry, period="2025-08")
    assert exc.value.code == "period_not_run"
    services.run_billing_period(actor=ministry, period="2025-08")
    services.close_billing_period(actor=ministry, period="2025-08")
    frozen = snapshot("2025-08")
    with pytest.raises(Conflict) as exc:
        services.run_billing_period(actor=ministry, period="2025-08")
    assert exc.value.code == "period_closed"
    with pytest.raises(Conflict):
        services.close_billing_period(actor=ministry, period="2025-08")
    # A later withdrawal before review of a paid application does not touch August …
    app.status, app.withdrawn_at = Status.WITHDRAWN, kyiv(2025, 9, 2)
    app.save(update_fields=["status", "withdrawn_at"])
    services.run_billing_period(actor=ministry, period="2025-09")
    assert snapshot("2025-08") == frozen
    # … it becomes a signed adjustment in September, referencing August and the application.
    (adj,) = BillingItem.objects.filter(period__year=2025, period__month=9, kind=ItemKind.ADJUSTMENT)
    assert (adj.application_id, adj.original_period.key, adj.count, adj.amount, adj.reason) == (
        app.pk, "2025-08", -1, Decimal("-50.00"), "withdrawn_before_review")
    assert AuditEntry.objects.filter(action="billing.close", object_id="2025-08").exists()


def test_late_found_submission_and_explicit_duplicate_become_adjustments(office, front, ministry):
    billed = make_application(office=office, user=front, submitted_at=kyiv(2025, 10, 1))
    services.run_billing_period(actor=ministry, period="2025-10")
    services.close_billing_period(actor=ministry, period="2025-10")
    # Discovered after closing: an October submission not seen before, and a billed one marked a duplicate.
    late = make_application(office=office, user=front, submitted_at=kyiv(2025, 10, 31, 23, 59))
    services.exclude_from_billing(actor=ministry, application_id=billed.pk, reason="дублікат, виявлено аудитом")
    services.run_billing_period(actor=ministry, period="2025-11")
    adjustments = {i.application_id: (i.count, i.amount, i.original_period.key)
                   for i in BillingItem.objects.filter(period__year=2025, period__month=11, kind=ItemKind.ADJUSTMENT)}
    assert adjustments == {late.pk: (1, Decimal("50.00"), "2025-10"), billed.pk: (-1, Decimal("-50.00"), "2025-10")}
    # Repeating the November run books the same adjustments once (not twice).
    services.run_billing_period(actor=ministry, period="2025-11")
    assert BillingItem.objects.filter(period__year=2025, period__month=11, kind=ItemKind.ADJUSTMENT).count() == 2
    # Once November is closed, December has nothing more to correct for October.
    services.close_billing_period(actor=ministry, period="2025-11")
    services.run_billing_period(actor=ministry, period="2025-12")
    assert not BillingItem.objects.filter(period__year=2025, period__month=12, kind=ItemKind.ADJUSTMENT).exists()
    act = selectors.act(ministry, "2025-11", office.hromada.code)
    assert act.adjustments_total == Decimal("0.00") and len(act.adjustments) == 2


def test_database_refuses_changes_to_closed_periods(office, front, ministry):
    make_application(office=office, user=front, submitted_at=kyiv(2025, 6, 10))
    services.run_billing_period(actor=ministry, period="2025-06")
    services.close_billing_period(actor=ministry, period="2025-06")
    period = BillingPeriod.objects.get(year=2025, month=6)
    line = period.lines.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        BillingLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        period.items.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        BillingLine.objects.create(period=period, kind=ItemKind.REGULAR, hromada=line.hromada, service=line.service,
                                   count=1, amount=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        BillingPeriod.objects.filter(pk=period.pk).update(status="open")
    line.refresh_from_db()
    assert line.amount == Decimal("50.00")


def test_tariff_cannot_change_a_closed_month(office, front, ministry):
    make_application(office=office, user=front, submitted_at=kyiv(2025, 6, 10))
    services.run_billing_period(actor=ministry, period="2025-06")
    services.close_billing_period(actor=ministry, period="2025-06")
    with pytest.raises(Conflict) as exc:
        services.set_tariff(actor=ministry, amount="70.00", effective_from=date(2025, 6, 20), basis="наказ")
    assert exc.value.code == "tariff_in_closed_period"
    new = services.set_tariff(actor=ministry, amount="70.00", effective_from=date(2025, 7, 1), basis="наказ № 1")
    old = type(new).objects.filter(service=None).exclude(pk=new.pk).order_by("-effective_from").first()
    assert old.effective_to == date(2025, 6, 30)
    with pytest.raises(ValidationFailed):
        services.set_tariff(actor=ministry, amount=70.5, effective_from=date(2025, 8, 1), basis="float")
    with pytest.raises(ValidationFailed):
        services.set_tariff(actor=ministry, amount="70.555", effective_from=date(2025, 8, 1), basis="3 decimals")


def test_a_tariff_change_keeps_the_old_and_new_amount_in_the_audit(ministry):
    first = services.set_tariff(actor=ministry, amount="80.00", effective_from=date(2031, 1, 1), basis="наказ № 7")
    entry = AuditEntry.objects.filter(action="billing.tariff_set", object_id=str(first.pk)).get()
    previous = type(first).objects.filter(service=None).exclude(pk=first.pk).order_by("-effective_from").first()
    assert entry.details["old_amount"] == (str(previous.amount) if previous else None)
    second = services.set_tariff(actor=ministry, amount="85.50", effective_from=date(2031, 2, 1), basis="наказ № 8")
    entry = AuditEntry.objects.filter(action="billing.tariff_set", object_id=str(second.pk)).get()
    assert (entry.details["old_amount"], entry.details["amount"]) == ("80.00", "85.50")


def test_tariff_history_and_permissions(ministry, hadmin):
    with pytest.raises(Forbidden):
        services.set_tariff(actor=hadmin, amount="10.00", effective_from=date(2026, 1, 1), basis="x")
    tariff("10.00", date(2024, 1, 1))
    with pytest.raises(Conflict) as exc:
        services.set_tariff(actor=ministry, amount="10.00", effective_from=date(2023, 1, 1), basis="x")
    assert exc.value.code == "tariff_overlap"


def test_amounts_by_hromada_and_budget(office, front, front2, ministry):
    make_application(office=office, user=front, submitted_at=kyiv(2025, 2, 10))
    make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 2, 11))
    make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 3, 11))
    services.run_billing_period(actor=ministry, period="2025-02")
    services.close_billing_period(actor=ministry, period="2025-02")
    services.run_billing_period(actor=ministry, period="2025-03")
    assert selectors.amounts_by_hromada(2025, 2) == {office.hromada_id: Decimal("50.00"),
                                                     front2.office.hromada_id: Decimal("50.00")}
    assert selectors.amounts_by_hromada(2025)[front2.office.hromada_id] == Decimal("100.00")
    services.set_budget_line(actor=ministry, year=2025, allocated="500.00", basis="закон про бюджет")
    status = selectors.budget_status(2025)
    assert (status["committed"], status["in_progress"], status["remaining"]) == (
        Decimal("100.00"), Decimal("50.00"), Decimal("400.00"))
    # Worked example: February 100 + March 50 = 150 over 2 months → 75 a month; April–December are 9 months to
    # come → 150 + 75 × 9 = 825 > 500: the forecast warning is raised.
    assert (status["method"]["accrued"], status["method"]["average"], status["method"]["months_to_come"]) == (
        Decimal("150.00"), Decimal("75.00"), 9)
    assert status["forecast"] == Decimal("825.00")
    assert "forecast_exceeds" in [code for code, _msg in status["warnings"]]
    services.set_budget_line(actor=ministry, year=2025, allocated="105.00", basis="закон про бюджет")
    assert "low_remaining" in [code for code, _msg in selectors.budget_status(2025)["warnings"]]


def test_management_command_runs_and_closes(office, front, ministry):
    make_application(office=office, user=front, submitted_at=kyiv(2025, 1, 20))
    call_command("run_billing_period", "2025-01", user=ministry.username, close=True)
    assert BillingPeriod.objects.get(year=2025, month=1).is_closed


def test_task_is_idempotent_and_safe_to_retry(office, front, ministry):
    make_application(office=office, user=front, submitted_at=kyiv(2025, 12, 1))
    make_application(office=office, user=front, submitted_at=kyiv(2025, 12, 2))
    run = services.run_billing_period(actor=ministry, period="2025-12")
    before = snapshot("2025-12")
    # Redelivery of a finished run (acks late): nothing changes.
    result = run_billing_period_task.apply(args=("2025-12", str(run.run_id))).get()
    assert result["status"] == "done" and snapshot("2025-12") == before
    # A worker died mid-run (the row says "running"): the retry recomputes exactly the same lines.
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=40)
    run_billing_period_task.apply(args=("2025-12", str(run.run_id))).get()
    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.DONE, 100) and snapshot("2025-12") == before
    assert BillingItem.objects.filter(period__year=2025, period__month=12).count() == 2



def _copy_rows_sql(table: str) -> str:
    """INSERT … SELECT of a period's rows into the same period under new ids; items become adjustments so the
    unique (period, application, kind) key stays free — without the guard the statement succeeds."""
    from django.db import connection

    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name != "id"]
    select = ", ".join("'adjustment'" if c == "kind" and table == "billing_billingitem" else c for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} WHERE period_id = %s"  # noqa: S608


@pytest.mark.parametrize("table", ["billing_billingitem", "billing_billingline"])
def test_database_refuses_every_statement_on_a_closed_period(office, front, ministry, table):
    """The guard holds for any code path (raw SQL here) and for set-wise statements, only for closed periods."""
    from django.db import connection

    make_application(office=office, user=front, submitted_at=kyiv(2025, 10, 6))
    make_application(office=office, user=front, submitted_at=kyiv(2025, 11, 6))
    services.run_billing_period(actor=ministry, period="2025-10")
    services.run_billing_period(actor=ministry, period="2025-11")
    services.close_billing_period(actor=ministry, period="2025-10")
    closed = BillingPeriod.objects.get(year=2025, month=10)
    open_ = BillingPeriod.objects.get(year=2025, month=11)
    frozen = snapshot("2025-10")
    refused = [
        (f"UPDATE {table} SET amount = amount + 1 WHERE period_id = %s", [closed.pk]),  # noqa: S608
        (f"DELETE FROM {table} WHERE period_id = %s", [closed.pk]),  # noqa: S608
        (f"UPDATE {table} SET period_id = %s WHERE period_id = %s", [closed.pk, open_.pk]),  # noqa: S608
        (_copy_rows_sql(table), [closed.pk]),
    ]
    for sql, params in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert snapshot("2025-10") == frozen
    with transaction.atomic(), connection.cursor() as cursor:   # the same statements on an open period work
        cursor.execute(_copy_rows_sql(table), [open_.pk])
        assert cursor.rowcount >= 1
        cursor.execute(f"UPDATE {table} SET amount = amount + 1 WHERE period_id = %s", [open_.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {table} WHERE period_id = %s", [open_.pk])  # noqa: S608
        assert cursor.rowcount >= 2


@pytest.mark.parametrize("table", ["billing_billingitem", "billing_billingline"])
def test_database_refuses_a_row_naming_no_period_and_a_named_periods_deletion(office, front, ministry, table):
    """The period keys are checked by the guard, once per statement (migration 0007), not by per-row constraints:
    a row naming no period, an adjustment naming no original period, and deleting or renumbering a period its rows
    name are refused on any path (raw SQL); a period nothing names can go."""
    from django.db import connection

    make_application(office=office, user=front, submitted_at=kyiv(2025, 11, 6))
    services.run_billing_period(actor=ministry, period="2025-11")
    period = BillingPeriod.objects.get(year=2025, month=11)
    gone = BillingPeriod.objects.order_by("-pk").first().pk + 100
    before = snapshot("2025-11")
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name != "id"]
    select = ", ".join("%s" if c == "period_id" else "'adjustment'" if c == "kind" else c for c in columns)
    refused = [
        (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} "  # noqa: S608
         f"WHERE period_id = %s", [gone, period.pk]),
        (f"UPDATE {table} SET period_id = %s WHERE period_id = %s", [gone, period.pk]),  # noqa: S608
        ("DELETE FROM billing_billingperiod WHERE id = %s", [period.pk]),
        ("UPDATE billing_billingperiod SET id = %s WHERE id = %s", [gone, period.pk]),
    ]
    if table == "billing_billingitem":
        sql = f"UPDATE {table} SET original_period_id = %s WHERE period_id = %s"  # noqa: S608
        refused.append((sql, [gone, period.pk]))
    for sql, params in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert snapshot("2025-11") == before and BillingPeriod.objects.filter(pk=period.pk).exists()
    empty = BillingPeriod.objects.create(year=2026, month=1)
    with connection.cursor() as cursor:   # a period nothing names is deleted as before
        cursor.execute("DELETE FROM billing_billingperiod WHERE id = %s", [empty.pk])
        assert cursor.rowcount == 1


def test_forecast_in_december_counts_no_months_after_december(office, front, ministry):
    """The December case (#23 p.2): one computed month, December, at 150 — nothing is left to come, the forecast is
    150 (the old formula multiplied by the 11 months never computed and showed 1 800)."""
    for day in (3, 4, 5):
        make_application(office=office, user=front, submitted_at=kyiv(2025, 12, day))
    services.run_billing_period(actor=ministry, period="2025-12")
    status = selectors.budget_status(2025)
    assert status["method"]["accrued"] == Decimal("150.00") and status["method"]["months_to_come"] == 0
    assert status["forecast"] == Decimal("150.00")


def test_forecast_method_worked_example():
    method = selectors.forecast_of([Decimal("100.00"), Decimal("50.00")], last_month=3)
    assert method == {"accrued": Decimal("150.00"), "months": 2, "average": Decimal("75.00"), "months_to_come": 9,
                      "forecast": Decimal("825.00"), "last_month": 3}
    assert selectors.forecast_of([], last_month=0)["forecast"] is None


def _items(key):
    year, month = int(key[:4]), int(key[5:])
    return {i.application_id: i for i in BillingItem.objects.filter(period__year=year, period__month=month)}


def _evidence(items):
    return sorted((i.kind, i.application_id, i.hromada_id, i.service_id, i.tariff_id, i.event_date, i.count, i.amount,
                   i.reason, i.original_period_id) for i in items.values())


def test_a_run_again_writes_only_what_changed_and_gives_what_a_fresh_run_gives(office, front, ministry):
    """The regular items of a month are kept across its runs: an application no longer payable loses its item, one
    whose evidence changed (its tariff) has it updated, a new one gets one, the rest stay as they were, row for row;
    the result is what a run of the month from nothing gives (#24: no rewrite of every item on each run)."""
    from hromada.billing.models import BillingExclusion
    from hromada.billing.tests.factories import service

    kept, dropped, repriced = (make_application(office=office, user=front, submitted_at=kyiv(2025, 4, day))
                               for day in (3, 4, 20))
    services.run_billing_period(actor=ministry, period="2025-04")
    before = _items("2025-04")
    assert set(before) == {kept.pk, dropped.pk, repriced.pk}

    BillingExclusion.objects.create(application=dropped, reason="дублікат, знайдений під час перевірки", set_by=ministry)
    tariff("70.00", date(2025, 4, 15), service_obj=service())      # the service's own tariff from the 15th
    added = make_application(office=office, user=front, submitted_at=kyiv(2025, 4, 28))
    run = services.run_billing_period(actor=ministry, period="2025-04")
    assert run.status == RunStatus.DONE and run.events == 3
    after = _items("2025-04")
    assert set(after) == {kept.pk, repriced.pk, added.pk}
    assert _evidence({0: after[kept.pk]}) == _evidence({0: before[kept.pk]})
    assert (after[kept.pk].pk, after[repriced.pk].pk) == (before[kept.pk].pk, before[repriced.pk].pk)
    assert (after[repriced.pk].amount, before[repriced.pk].amount) == (Decimal("70.00"), Decimal("50.00"))
    assert after[added.pk].amount == Decimal("70.00")
    lines = snapshot("2025-04")

    # From nothing: the same items and lines.
    BillingLine.objects.filter(period__year=2025, period__month=4).delete()
    BillingItem.objects.filter(period__year=2025, period__month=4).delete()
    services.run_billing_period(actor=ministry, period="2025-04")
    assert _evidence(_items("2025-04")) == _evidence(after) and snapshot("2025-04") == lines
