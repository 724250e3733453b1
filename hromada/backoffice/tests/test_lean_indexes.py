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
