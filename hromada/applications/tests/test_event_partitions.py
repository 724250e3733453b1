"""Application events partitioned by month on PostgreSQL (issue #24, point 3): the migration, the months kept
ahead, the DEFAULT partition, and a case's history across partitions."""
import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from hromada.applications import selectors, workflow
from hromada.applications.models import Event
from hromada.core import partitions
from hromada.ops import tasks

TABLE = Event._meta.db_table
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")
migration = importlib.import_module("hromada.applications.migrations.0011_parts_partition_events")


def _sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _partition_of(event_id):
    return _sql(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event_id])[0][0]  # noqa: S608


def _month(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{TABLE}_p{moment.year:04d}{moment.month:02d}"


def _events(app, moments):
    """One event per moment, written by the one history writer, then dated (``at`` is set on insert)."""
    ids = []
    for n, moment in enumerate(moments):
        event = workflow.record_event(app, "document_added", comment=f"подія {n}")
        Event.objects.filter(pk=event.pk).update(at=moment)
        ids.append(event.pk)
    return ids


@pg_only
@pytest.mark.django_db
def test_the_migration_left_events_partitioned_months_ahead_and_a_default():
    assert _sql("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE]) == [("r",)]
    names = {name for (name,) in _sql("SELECT inhrelid::regclass::text FROM pg_inherits "
                                      "WHERE inhparent = %s::regclass", [TABLE])}
    today = datetime.now(UTC).date()
    ahead = [date(today.year + (today.month - 1 + k) // 12, (today.month - 1 + k) % 12 + 1, 1) for k in range(4)]
    assert {partitions.partition_name(TABLE, month) for month in ahead} | {f"{TABLE}_default"} <= names
    # Django's state is untouched: id is still the model's key. The database's key (id, at), which 0011 made a
    # unique index, went in 0019: no query reads an event by id. Events are read by case, and only by case.
    assert Event._meta.pk.name == "id"
    [(definition,)] = _sql("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
    assert definition.startswith(f"CREATE INDEX {TABLE}_application_id_") and definition.endswith(
        f"ON ONLY public.{TABLE} USING btree (application_id)")


@pg_only
@pytest.mark.django_db
def test_the_readers_of_events_go_by_case(draft, front):
    """The plans of the queries that read events use the case's index: a case's history, its last return, the
    billing rule's "was it reviewed" and the billing and monitoring rules' "was it granted". The key dropped in 0019
    was never what they needed."""
    from hromada.billing.rules import REVIEW_ACTIONS

    _events(draft, [timezone.now()] * 3)
    queries = [Event.objects.filter(application=draft).select_related("actor").order_by("at", "id"),
               Event.objects.filter(application=draft, action="return").order_by("-at", "-id")[:1],
               Event.objects.filter(application_id=draft.pk, action__in=REVIEW_ACTIONS)[:1],
               Event.objects.filter(application_id=draft.pk, action="grant")[:1]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")   # a test's table is tiny: ask which index a plan can take
        for query in queries:
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "_application_id_" in plan and "Seq Scan" not in plan, plan
        cursor.execute("RESET enable_seqscan")
    assert len(selectors.history(front, draft.pk)) >= 3


@pg_only
@pytest.mark.django_db
def test_events_land_in_their_months_and_the_history_reads_in_order(draft, front):
    now = timezone.now()
    moments = [now - timedelta(days=400), now - timedelta(days=60), now - timedelta(days=59)]
    partitions.ensure_month_partitions(connection, TABLE, moments[0].date(), now.date())
    ids = _events(draft, [moments[2], moments[0], moments[1]])

    assert [_partition_of(i) for i in ids] == [_month(moments[2]), _month(moments[0]), _month(moments[1])]
    history = selectors.history(front, draft.pk)
    assert [e.pk for e in history if e.pk in ids] == [ids[1], ids[2], ids[0]]
    assert [e.at for e in history] == sorted(e.at for e in history)


@pg_only
@pytest.mark.django_db
def test_the_default_catches_a_far_event_and_ensure_partitions_gives_it_its_month(draft, front):
    far = timezone.now() + timedelta(days=250)      # beyond the 3 months kept ahead
    before = Event.objects.count()
    [event_id] = _events(draft, [far])
    assert _partition_of(event_id) == f"{TABLE}_default"

    call_command("ensure_partitions", "--months-ahead", "9")

    assert _partition_of(event_id) == _month(far)
    assert Event.objects.count() == before + 1
    assert Event.objects.get(pk=event_id).at == far
    assert selectors.history(front, draft.pk)[-1].pk == event_id


@pg_only
@pytest.mark.django_db
def test_the_conversion_keeps_every_row_and_the_sequence_continues(draft, front):
    # The table as migration 0001 made it (plain), rebuilt inside this test's transaction (rolled back after).
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    _sql(f"DROP TABLE {TABLE}")
    with connection.schema_editor() as editor:
        editor.create_model(Event)
    assert not partitions.is_partitioned(connection, TABLE)
    now = timezone.now()
    ids = _events(draft, [now - timedelta(days=700), now - timedelta(days=35), now, now - timedelta(days=1)])
    Event.objects.filter(pk=ids[-1]).delete()       # the sequence stands past the largest id left
    rows = list(Event.objects.order_by("id").values_list("id", "application_id", "action", "at", "comment"))
    _sql("SET CONSTRAINTS ALL IMMEDIATE")

    migration.partition_events(None, connection.schema_editor())

    assert partitions.is_partitioned(connection, TABLE)
    assert list(Event.objects.order_by("id").values_list("id", "application_id", "action", "at", "comment")) == rows
    assert _partition_of(ids[0]) == _month(now - timedelta(days=700))   # from the oldest event's month
    new = workflow.record_event(draft, "document_added")
    assert new.pk > ids[-1]
    assert [e.pk for e in selectors.history(front, draft.pk)] == [ids[0], ids[1], ids[2], new.pk]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op path is for other databases")
@pytest.mark.django_db
def test_other_databases_keep_a_plain_table_and_the_command_says_so(draft, front, capsys):
    migration.partition_events(None, connection.schema_editor())
    assert not partitions.is_partitioned(connection, TABLE)
    call_command("ensure_partitions")
    assert "Розділених таблиць немає" in capsys.readouterr().out
    [event_id] = _events(draft, [timezone.now() + timedelta(days=3650)])
    assert selectors.history(front, draft.pk)[-1].pk == event_id


def test_a_daily_beat_entry_keeps_the_partitions_ahead():
    entry = settings.CELERY_BEAT_SCHEDULE["ensure-partitions"]
    assert entry["task"] == tasks.ensure_partitions.name
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {45}


@pg_only
def test_the_dataset_generator_writes_its_events_into_their_months(demo):
    from hromada.demo.dataset import Options, generate

    generate(Options(applications=120, persons=100, seed=5, as_of=date(2026, 11, 20), months=24, staff=0))

    placed = dict(_sql(f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} GROUP BY 1"))  # noqa: S608
    assert f"{TABLE}_default" not in placed
    assert {partitions.partition_name(TABLE, date(2024, 12, 1)), partitions.partition_name(TABLE, date(2026, 11, 1))
            } <= set(placed)
    # The audit entries it writes for each intake, too (the audit log is partitioned the same way: audit/0006).
    audit = dict(_sql("SELECT tableoid::regclass::text, count(*) FROM audit_auditentry GROUP BY 1"))
    assert "audit_auditentry_default" not in audit
    assert partitions.partition_name("audit_auditentry", date(2026, 11, 1)) in audit
