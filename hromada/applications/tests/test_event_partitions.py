"""The month partitions kept ahead (issue #24, point 3) for the tables still partitioned by month on PostgreSQL (the
audit log, audit/0006). A case's events were partitioned too (0011) until their table went: a case's history is
in its own row now (migration 0022, docs/decisions/0004), so the tests of that table's partitions went with it."""
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from hromada.core import partitions
from hromada.ops import tasks

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")


def _sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op path is for other databases")
@pytest.mark.django_db
def test_other_databases_have_no_partitioned_table_and_the_command_says_so(capsys):
    assert partitions.partitioned_tables(connection) == []
    call_command("ensure_partitions")
    assert "Розділених таблиць немає" in capsys.readouterr().out


def test_a_daily_beat_entry_keeps_the_partitions_ahead():
    entry = settings.CELERY_BEAT_SCHEDULE["ensure-partitions"]
    assert entry["task"] == tasks.ensure_partitions.name
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {45}


@pg_only
def test_the_dataset_generator_writes_its_audit_entries_into_their_months(demo):
    """The audit entries it writes for each intake land in their months' partitions (audit/0006), not the
    DEFAULT one."""
    from hromada.demo.dataset import Options, generate

    generate(Options(applications=120, persons=100, seed=5, as_of=date(2026, 11, 20), months=24, staff=0))

    audit = dict(_sql("SELECT tableoid::regclass::text, count(*) FROM audit_auditentry GROUP BY 1"))
    assert "audit_auditentry_default" not in audit
    assert partitions.partition_name("audit_auditentry", date(2026, 11, 1)) in audit
