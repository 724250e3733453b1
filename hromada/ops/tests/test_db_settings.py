import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """JIT compilation cost more than it saved on this application's queries (bench/README.md, the national run):
    every connection turns it off unless HROMADA_PG_JIT=1."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (the PostgreSQL run of the suite checks it)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
