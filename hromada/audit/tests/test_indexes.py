"""The audit log's indexes are the ones its queries use (#24): the queries that need one can use it."""
import pytest
from django.db import connection

from hromada.audit.models import AuditEntry
from hromada.audit.selectors import about

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
    assert "audit_listed_ids" in plan and "audit_object_idx" in plan, plan


def test_the_time_has_a_brin_index_and_the_hash_none():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditentry'")
        indexes = dict(cursor.fetchall())
    assert "USING brin (at)" in indexes["audit_at_brin"]
    assert not [name for name, definition in indexes.items() if "(hash" in definition], indexes
    assert not [name for name in indexes if name.endswith("_like")], indexes
