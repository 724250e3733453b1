"""The small tables' keys as four-byte integers (``core.migration_ops.KeyToInteger``; #24, bytes): users, offices,
the territory's units and services, and every column that points to one of them, foreign key or not."""
import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hromada.testing import migrate_all_forward

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's column types")
SMALL = {("accounts", "user"), ("offices", "office"), ("territory", "unit"), ("catalog", "servicetype")}


def _key_columns() -> list[tuple[str, str]]:
    """(table, column) of the four keys and of every model's column that names one of them."""
    columns = []
    for model in apps.get_models(include_auto_created=True):
        if (model._meta.app_label, model._meta.model_name) in SMALL:
            columns.append((model._meta.db_table, model._meta.pk.column))
        for field in model._meta.local_fields:
            target = field.related_model if field.many_to_one or field.one_to_one else None
            if target is not None and (target._meta.app_label, target._meta.model_name) in SMALL:
                columns.append((model._meta.db_table, field.column))
    return columns


def _types(columns) -> dict[tuple[str, str], str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = current_schema()")
        known = {(table, column): kind for table, column, kind in cursor.fetchall()}
    return {column: known[column] for column in columns}


@postgres_only
@pytest.mark.django_db
def test_every_key_of_a_small_table_and_every_column_naming_one_is_an_integer():
    columns = _key_columns()
    assert ("audit_auditentry", "actor_id") in columns and ("billing_billingitem", "hromada_id") in columns
    assert len(columns) > 80
    assert {column: kind for column, kind in _types(columns).items() if kind != "integer"} == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT seqtypid::regtype::text FROM pg_sequence WHERE seqrelid IN "
                       "(SELECT pg_get_serial_sequence(t, 'id')::regclass FROM unnest(%s::text[]) t)",
                       [["accounts_user", "offices_office", "territory_unit", "catalog_servicetype"]])
        assert [kind for (kind,) in cursor.fetchall()] == ["integer"] * 4


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_back_and_forth_the_columns_follow_the_key():
    services = [(table, column) for table, column in _key_columns()
                if column in ("id", "service_id") and table in ("catalog_servicetype", "applications_application",
                                                                "billing_billingitem", "billing_tariff")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("catalog", "0008_law_subsistence_minimum_2024")])
        assert {column: kind for column, kind in _types(services).items() if kind != "bigint"} == {}
    finally:
        migrate_all_forward()
    assert set(_types(services).values()) == {"integer"}


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's rebuild of a table")
@pytest.mark.django_db
def test_sqlite_keeps_the_history_trigger_the_state_alone_changes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'applications_application'")
        assert [name for (name,) in cursor.fetchall()] == ["applications_history_append_only"]
