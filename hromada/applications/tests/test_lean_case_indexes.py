"""``applications/0024``: no index of a case's front office, service or due date, and its assignee's only among the
cases a back office holds (#24, bytes); on SQLite the drop rebuilds nothing, so the history's trigger stays."""
import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.state import ProjectState

from hromada.applications.models import Application
from hromada.applications.workflow import BACK_OFFICE_STATES
from hromada.core.migration_ops import DropFieldIndexesConcurrently
from hromada.testing import index_definitions, run_migration_again

pytestmark = pytest.mark.django_db
MIGRATION = "hromada.applications.migrations.0024_lean_case_indexes"
GONE = ("front_office_id", "service_id", "due_date", "assigned_to_id")


def test_the_assignee_index_holds_the_cases_a_back_office_holds():
    index = next(i for i in Application._meta.indexes if i.name == "application_open_assignee")
    condition = dict(index.condition.children)
    assert set(condition["status__in"]) == set(BACK_OFFICE_STATES)
    assert condition["assigned_to__isnull"] is False


def _sqlite_schema(kind: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = %s AND tbl_name = 'applications_application'",
                       [kind])
        return dict(cursor.fetchall())


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's indexes")
def test_only_the_indexes_a_query_reads():
    indexes = index_definitions("applications_application")
    single = {d[d.index("(") + 1:d.rindex(")")] for d in indexes.values()}
    assert not single & set(GONE), indexes
    definition = indexes["application_open_assignee"]
    assert "(assigned_to_id) WHERE ((assigned_to_id IS NOT NULL) AND ((status)::text = ANY" in definition
    assert all(f"'{state}'" in definition for state in BACK_OFFICE_STATES), definition


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a concurrent build and drop")
@pytest.mark.django_db(transaction=True)
def test_run_again_the_migration_finds_its_work_done():
    before = index_definitions("applications_application")
    run_migration_again("applications", MIGRATION)
    assert index_definitions("applications_application") == before


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's rebuild of a table")
@pytest.mark.django_db(transaction=True)
def test_sqlite_drops_and_builds_the_index_without_rebuilding_the_table():
    triggers = _sqlite_schema("trigger")
    assert "applications_history_append_only" in triggers
    assert not [name for name, sql in _sqlite_schema("index").items() if sql and '("due_date")' in sql]
    state = ProjectState.from_apps(django_apps)
    with_index = state.clone()
    op = DropFieldIndexesConcurrently(model_name="application", name="due_date",
                                      field=Application._meta.get_field("due_date").clone())
    back = Application._meta.get_field("due_date").clone()
    back.db_index = True
    with_index.models["applications", "application"].fields["due_date"] = back
    with connection.schema_editor(atomic=False) as editor:
        op.database_backwards("applications", editor, state, with_index)
    try:
        assert [name for name, sql in _sqlite_schema("index").items() if sql and '("due_date")' in sql]
    finally:
        with connection.schema_editor(atomic=False) as editor:
            op.database_forwards("applications", editor, with_index, state)
    assert not [name for name, sql in _sqlite_schema("index").items() if sql and '("due_date")' in sql]
    assert _sqlite_schema("trigger") == triggers
