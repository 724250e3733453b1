"""``persons/0010``: the РНОКПП keeps one unique index (no pattern-ops twin) and the registrar's index is gone, by
operations fit for a live database (#24, bytes)."""
import importlib

import pytest
from django.db import IntegrityError, connection, transaction

from hromada.core.migration_ops import DropFieldIndexesConcurrently, UniqueFieldToConstraint
from hromada.persons.models import Person
from hromada.testing import index_definitions, run_migration_again

from .factories import make_person

pytestmark = pytest.mark.django_db
MIGRATION = "hromada.persons.migrations.0010_lean_rnokpp_index"


def _indexes() -> dict[str, str]:
    return index_definitions("persons_person")


def test_the_migration_drops_concurrently_and_keeps_the_unique_index():
    migration = importlib.import_module(MIGRATION).Migration
    assert migration.atomic is False
    assert [type(op) for op in migration.operations] == [DropFieldIndexesConcurrently, UniqueFieldToConstraint]


def test_a_number_held_by_another_person_is_refused_by_the_database(front):
    person = make_person(front)
    other = make_person(front)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=other.pk).update(rnokpp=person.rnokpp)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes of a varchar")
def test_one_index_for_the_number_and_none_for_the_registrar():
    indexes = _indexes()
    on_number = [name for name, definition in indexes.items() if definition.endswith("(rnokpp)")
                 or "(rnokpp varchar_pattern_ops)" in definition]
    assert on_number == ["unique_rnokpp"], indexes
    assert not [name for name in indexes if "registered_by" in name], indexes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live database's migration (SQLite: one process)")
@pytest.mark.django_db(transaction=True)    # a concurrent drop runs outside a transaction
def test_run_again_the_migration_finds_its_work_done():
    """Not atomic, it is recorded only when finished: an interrupted run is run again from its first step."""
    before = _indexes()
    run_migration_again("persons", MIGRATION)
    assert _indexes() == before
