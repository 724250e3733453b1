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
def test_postgresql_prepares_repeated_statements_and_plans_each_run_for_its_values():
    """A statement run a fifth time on a connection is prepared (no parse and analysis on later runs), its parameters
    bound by the server; each run is still planned for its own values (hromada.settings, HROMADA_PG_PREPARED)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (the PostgreSQL run of the suite checks it)")
    from hromada.territory.models import Unit

    for code in ("UA0", "UA1", "UA2", "UA3", "UA4", "UA5"):
        list(Unit.objects.filter(code__startswith=code).values_list("id")[:1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"territory_unit"' in text and "$1" in text for text in prepared), prepared
