"""``applications/0020``: a case's scans are read by the case's own index, and no index holds their hashes (#24,
bytes); the services refuse the same file twice (``test_documents``, ``test_concurrency``)."""
import importlib

import pytest
from django.db import connection

from hromada.core.migration_ops import AddIndexConcurrently, RemoveConstraintIfExists
from hromada.testing import index_definitions, run_migration_again

pytestmark = pytest.mark.django_db
MIGRATION = "hromada.applications.migrations.0020_lean_scan_hashes"


def _indexes() -> dict[str, str]:
    return index_definitions("applications_document")


def test_the_index_is_built_before_the_constraint_goes():
    migration = importlib.import_module(MIGRATION).Migration
    assert migration.atomic is False
    assert [type(op) for op in migration.operations] == [AddIndexConcurrently, RemoveConstraintIfExists]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_the_case_index_and_no_hash_index():
    indexes = _indexes()
    assert indexes["document_application"].endswith("USING btree (application_id)")
    assert not [name for name, definition in indexes.items() if "sha256" in definition], indexes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live database's migration (SQLite: one process)")
@pytest.mark.django_db(transaction=True)    # a concurrent build runs outside a transaction
def test_run_again_the_migration_finds_its_work_done():
    """Not atomic, it is recorded only when finished: an interrupted run is run again from its first step, and
    finds the index built and the constraint gone."""
    before = _indexes()
    run_migration_again("applications", MIGRATION)
    assert _indexes() == before
