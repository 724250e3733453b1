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


@pytest.mark.django_db
def test_a_statement_prepared_once_per_connection_runs_one_generic_plan():
    """``core.db.prepared`` prepares only statements whose values do not skew their plan: each runs one generic plan
    from its first run, never planned again (PostgreSQL's own choice replanned the РНОКПП lookup on every request
    once its generic plan was costed above the custom ones, #24)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (the PostgreSQL run of the suite checks it)")
    from hromada.core.db import prepared
    from hromada.persons.models import Person

    # A statement of its own (the connection may have prepared others on persons in earlier tests).
    with prepared():
        for rnokpp in ("1234567890", "2345678901", "3456789012"):
            assert not Person.objects.filter(rnokpp=rnokpp, patronymic="Генерикович").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ['%"persons_person"."patronymic" = $%'])
        assert cursor.fetchall() == [(3, 0)]
