"""#24, bytes: a decision's indexes are the ones a query reads."""
import pytest
from django.db import connection

from hromada.testing import index_definitions

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_no_index_reads_decisions_by_who_took_them():
    indexes = index_definitions("backoffice_decision")
    assert not [name for name, sql in indexes.items() if "(decided_by_id)" in sql], indexes
    # What the queries read: the decision by its case (unique), and by its id.
    assert any("UNIQUE" in sql and "(application_id)" in sql for sql in indexes.values()), indexes


def _index_columns(table: str) -> dict[str, tuple[list[str], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: (c["columns"], c["unique"]) for name, c in found.items()
            if c["index"] or c["unique"] and not c["primary_key"]}


def test_no_index_reads_return_requests_by_who_made_them():
    """``backoffice/0005`` (both engines): the case page joins from the return to the user; the returns are read by
    their case."""
    indexes = _index_columns("backoffice_returnrequest")
    assert ["returned_by_id"] not in [columns for columns, _unique in indexes.values()], indexes
    assert ["application_id"] in [columns for columns, _unique in indexes.values()], indexes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live database's migration (SQLite: one process)")
@pytest.mark.django_db(transaction=True)    # a concurrent drop runs outside a transaction
def test_the_returned_by_migration_run_again_finds_its_work_done():
    from hromada.testing import run_migration_again

    before = index_definitions("backoffice_returnrequest")
    run_migration_again("backoffice", "hromada.backoffice.migrations.0005_lean_returned_by_index")
    assert index_definitions("backoffice_returnrequest") == before
