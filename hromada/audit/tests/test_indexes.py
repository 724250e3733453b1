"""The audit log's indexes are the ones its queries use (#24): the queries that need one can use it."""
from datetime import UTC

import pytest
from django.db import DatabaseError, connection, transaction

from hromada.audit.models import AuditEntry
from hromada.audit.selectors import about
from hromada.audit.services import record, verify_chain
from hromada.core import partitions
from hromada.testing import index_definitions

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans and index types")]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")   # a tiny test table would be read whole anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def test_access_report_finds_listed_ids_through_the_partial_gin_index():
    plan = _plan(about(AuditEntry.objects.all(), "persons.person", 42))
    # Both branches of the OR answered by an index (named after the partition's once the log is partitioned).
    assert "Index Cond: ((details -> 'ids'::text) @> '[42]'::jsonb)" in plan, plan
    assert "Index Cond: ((object_id)::text = '42'::text)" in plan, plan


def test_the_time_has_a_brin_index_and_the_hash_none():
    indexes = index_definitions("audit_auditentry")   # the parent's (partitioned) indexes
    assert "USING brin (at)" in indexes["audit_at_brin"]
    assert not [name for name, definition in indexes.items() if "(hash" in definition], indexes
    assert not [name for name in indexes if name.endswith("_like")], indexes


def test_the_log_is_partitioned_by_month_and_stays_append_only(front):
    assert partitions.is_partitioned(connection, "audit_auditentry")
    entry = record(actor=front, action="test.partitioned")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditentry WHERE id = %s", [entry.pk])
        [(partition,)] = cursor.fetchall()
    month = entry.at.astimezone(UTC).date().replace(day=1)   # months in UTC
    assert partition == partitions.partition_name("audit_auditentry", month)
    # The partition's name was read above; the trigger is on every partition, not only on the parent.
    refused = (f"UPDATE {partition} SET action = 'x' WHERE id = %s", f"DELETE FROM {partition} WHERE id = %s")  # noqa: S608
    for statement in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert verify_chain()[1] == []
