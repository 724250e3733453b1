"""``applications/0018``: a case keeps the indexes its queries read and none that repeat one (#24, bytes)."""
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from hromada.testing import index_definitions, run_migration_again

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's indexes and their drop")]
MIGRATION = "hromada.applications.migrations.0018_lean_application_indexes"


def _indexes() -> dict[str, str]:
    return index_definitions("applications_application")


def _columns(definition: str) -> str:
    return definition[definition.index("(") + 1:definition.rindex(")")]


def test_each_column_read_alone_has_an_index_that_leads_with_it_and_none_repeats_one():
    by_columns = {_columns(d): name for name, d in _indexes().items()}
    for gone in ("hromada_id", "back_office_id", "registered_by_id", "status varchar_pattern_ops"):
        assert gone not in by_columns, by_columns
    assert by_columns["status"] == "application_status_idx"
    # What the dropped ones answered is answered by these (scope, queue, billing, monitoring, PROTECT checks).
    assert by_columns["hromada_id, status"] and by_columns["hromada_id, first_submitted_at"]
    assert by_columns["back_office_id, status, due_date, id"] == "applications_queue_idx"


@pytest.mark.django_db(transaction=True)    # a concurrent drop runs outside a transaction
def test_run_again_the_migration_finds_its_work_done():
    """Not atomic, it is recorded only when finished: an interrupted run is run again from its first step."""
    before = _indexes()
    run_migration_again("applications", MIGRATION)
    assert _indexes() == before


@pytest.mark.django_db(transaction=True)
def test_backwards_gives_the_indexes_back():
    migration = importlib.import_module(MIGRATION)
    with connection.schema_editor(atomic=False) as editor:
        migration.status_two_indexes(django_apps, editor)
    try:
        assert "status varchar_pattern_ops" in {_columns(d) for d in _indexes().values()}
        assert "application_status_idx" not in _indexes()
    finally:
        with connection.schema_editor(atomic=False) as editor:
            migration.status_one_index(django_apps, editor)
    assert _indexes()["application_status_idx"]
