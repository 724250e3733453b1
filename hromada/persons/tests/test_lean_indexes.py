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


BIRTH_DATE_MIGRATION = "hromada.persons.migrations.0015_birth_date_index"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_duplicate_check_reads_the_birth_date_from_its_index_and_filters_the_surname_on_the_rows(front):
    """``persons/0015``: the name key beside the birth date was never read by the check's plan — the surname's
    patterns (a typo-tolerant LIKE on the packed key) are filtered on the rows the date finds. The date alone does
    the index's work; were the surname ever an index condition, this test would tell (and the key would be due
    back in the index)."""
    from datetime import date

    from hromada.persons import duplicates

    born = date(1961, 2, 3)
    make_person(front, born=born, last_name="Шевчук")
    make_person(front, born=born, last_name="Мельник")
    assert [(name, definition.split(" USING ")[1]) for name, definition in _indexes().items()
            if "birth_date" in definition] == [("person_birth_date", "btree (birth_date)")]
    query = Person.objects.filter(duplicates._similar_q(last_name="Шевчюк", birth_date=born))
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")   # a tiny test table would be read whole anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_birth_date" in plan and "Index Cond: (birth_date = " in plan, plan
    assert "name_key" not in plan.split("Filter:")[0], plan      # the surname: only in the filter
    found = duplicates.similar_by_name(last_name="Шевчюк", first_name="Богдан", patronymic="Ігорович", birth_date=born)
    assert [c.person.last_name for c in found] == ["Шевчук"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live database's migration (SQLite: one process)")
@pytest.mark.django_db(transaction=True)    # a concurrent build runs outside a transaction
def test_the_birth_date_migration_run_again_finds_its_work_done():
    migration = importlib.import_module(BIRTH_DATE_MIGRATION).Migration
    assert migration.atomic is False
    before = _indexes()
    run_migration_again("persons", BIRTH_DATE_MIGRATION)
    assert _indexes() == before


def test_a_household_is_read_by_its_pair_index_alone(front):
    """``persons/0016`` (both engines): the person's own index beside the unique (person, member) pair, whose first
    column she is, is gone; the pair's index finds her household (PostgreSQL: its plan says so)."""
    from hromada.persons.models import HouseholdMember

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "persons_householdmember")
    # (A unique constraint is an index too; PostgreSQL's introspection lists it among the constraints.)
    indexes = {name: c["columns"] for name, c in found.items() if c["index"] or c["unique"] and not c["primary_key"]}
    assert ["person_id"] not in indexes.values(), indexes
    assert indexes["unique_household_member"] == ["person_id", "member_id"], indexes
    if connection.vendor != "postgresql":
        return
    person = make_person(front)
    sql, params = HouseholdMember.objects.filter(person=person).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")   # a tiny test table would be read whole anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "unique_household_member" in plan and "Index Cond: (person_id = " in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live database's migration (SQLite: one process)")
@pytest.mark.django_db(transaction=True)    # a concurrent drop runs outside a transaction
def test_the_household_migration_run_again_finds_its_work_done():
    before = index_definitions("persons_householdmember")
    run_migration_again("persons", "hromada.persons.migrations.0016_household_person_index")
    assert index_definitions("persons_householdmember") == before
