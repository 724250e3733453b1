"""``Person.raion`` is her settlement's (#24: a district's list reads it from the person's own indexes): kept on every
save, on a household saved in bulk, and when a settlement moves to another raion (the admin, the codifier's import)."""
import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection, models

from hromada.accounts import access
from hromada.core.migration_ops import DropFieldIndexesConcurrently
from hromada.demo.services import BARANIVKA, TETERIVKA, ZHYTOMYR_RAION, ZVIAHEL_RAION
from hromada.persons import scoping, selectors, services
from hromada.persons.models import Person
from hromada.territory.models import Unit
from hromada.territory.services import import_codifier

from .factories import make_person, person_data

pytestmark = pytest.mark.django_db


def _address(code):
    return {"settlement_code": code, "street": "вул. Лісова", "house": "2", "flat": ""}


def _raion_of(person) -> str | None:
    raion_id = Person.objects.filter(pk=person.pk).values_list("raion_id", flat=True).get()
    return Unit.objects.get(pk=raion_id).code if raion_id else None


def test_a_person_takes_her_settlements_raion_and_follows_her_moves(front):
    person = make_person(front, address=_address(BARANIVKA))
    assert _raion_of(person) == ZVIAHEL_RAION
    moved = services.update_person(actor=front, person_id=person.pk, data={"address": _address(TETERIVKA)},
                                   expected_version=person.version)
    assert _raion_of(moved) == ZHYTOMYR_RAION
    services.update_person(actor=front, person_id=person.pk, data={"address": _address("")},
                           expected_version=moved.version)
    assert _raion_of(person) is None
    # A save of other fields keeps it (and reads nothing more).
    person = Person.objects.get(pk=person.pk)
    person.settlement = Unit.objects.get(code=BARANIVKA)
    person.save()
    assert _raion_of(person) == ZVIAHEL_RAION
    person.phone = "0670000000"
    person.save(update_fields=["phone"])
    assert _raion_of(person) == ZVIAHEL_RAION


def test_a_household_saved_in_bulk_takes_the_raions_too(front):
    members = services.register_household(actor=front, members=[
        person_data(address=_address(BARANIVKA)), person_data(address=_address(TETERIVKA))],
        relations=[{"member_index": 1, "relation": "child"}])
    assert [_raion_of(p) for p in members] == [ZVIAHEL_RAION, ZHYTOMYR_RAION]


def test_a_settlement_moved_in_the_admin_moves_its_residents_only(front):
    here, there = make_person(front, address=_address(BARANIVKA)), make_person(front, address=_address(TETERIVKA))
    village = Unit.objects.get(code=BARANIVKA)
    village.raion = Unit.objects.get(code=ZHYTOMYR_RAION)
    village.save()
    assert (_raion_of(here), _raion_of(there)) == (ZHYTOMYR_RAION, ZHYTOMYR_RAION)
    # And the list by raion follows it: the settlement's residents are listed in their new raion.
    listed = selectors.search_page(front, area=selectors.area_q(raion=ZHYTOMYR_RAION), limit=100).persons
    assert {here.pk, there.pk} <= {p.pk for p in listed}
    assert here.pk not in {p.pk for p in selectors.search_page(
        front, area=selectors.area_q(raion=ZVIAHEL_RAION), limit=100).persons}


HEADER = "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта"
O, P1, P2 = "UA99000000000000001", "UA99010000000000002", "UA99020000000000003"
H1, H2, C = "UA99010010000000004", "UA99020010000000005", "UA99010010010000006"


def _codifier(tmp_path: Path, name: str, village_in: tuple[str, str]) -> Path:
    path = tmp_path / name
    lines = [HEADER, f"{O};;;;;O;Тестова", f"{O};{P1};;;;P;Перший", f"{O};{P2};;;;P;Другий",
             f"{O};{P1};{H1};;;H;Перша", f"{O};{P2};{H2};;;H;Друга", f"{O};{village_in[0]};{village_in[1]};{C};;C;Село"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_the_codifiers_import_moves_the_residents_of_a_moved_settlement(front, tmp_path):
    import_codifier(_codifier(tmp_path, "kodifikator-01-01-2030.csv", (P1, H1)), partial=True)
    resident = make_person(front, address=_address(C))
    neighbour = make_person(front, address=_address(BARANIVKA))
    assert _raion_of(resident) == P1
    # A newer edition puts the village under the other raion (bulk updates: no post_save for the units).
    moved = import_codifier(_codifier(tmp_path, "kodifikator-01-02-2030.csv", (P2, H2)), partial=True)
    assert Unit.objects.get(code=C).raion.code == P2
    assert (_raion_of(resident), _raion_of(neighbour)) == (P2, ZVIAHEL_RAION)
    assert services.follow_settlement_raions() == 0   # nothing stale is left
    # The import names the units it moved to another raion, and only their residents are followed (no scan of every
    # person after an edition that moved nothing).
    assert moved.raion_moved == [Unit.objects.get(code=C).pk]
    renamed = _codifier(tmp_path, "kodifikator-01-03-2030.csv", (P2, H2))
    renamed.write_bytes(renamed.read_bytes().replace("Село".encode(), "Нове Село".encode()))
    again = import_codifier(renamed, partial=True)
    assert (again.updated, again.raion_moved) == (1, [])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_a_districts_page_and_total_are_read_from_the_persons_own_indexes(front):
    for _ in range(3):
        make_person(front, address=_address(BARANIVKA))
    area = selectors.area_q(raion=ZVIAHEL_RAION)
    page = selectors._base(front).filter(area).order_by("name_key", "birth_date", "pk")[:20]
    parts = scoping.person_scope_cover(front, access.scope_of(front))
    home = Person.objects.filter(parts[0], area).order_by().values("pk")
    plans = {}
    for name, qs in (("page", page), ("home", home)):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")   # a tiny test table would be read whole anyway
            cursor.execute("SET LOCAL enable_sort = off")      # … and sorted rather than read in index order
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    # (The settlement is joined to show its name, not to narrow.)
    assert "Index Scan using person_raion_name" in plans["page"], plans["page"]
    assert "Index Cond: (raion_id = " in plans["page"] and ".raion_id" not in plans["page"], plans["page"]
    # Which index a tiny table takes is the planner's guess (at 5 M: ``person_home_place``, from the index alone);
    # either way the raion is the person's own column, and no unit is joined.
    assert "raion_id = " in plans["home"] and "territory_unit" not in plans["home"], plans["home"]


def test_the_migration_builds_and_drops_its_indexes_concurrently():
    """docs/operations.md, section 7: persons are a big table; no index of it is built or dropped under a lock (on
    PostgreSQL; SQLite does the plain thing), and the fill commits batch by batch."""
    from django.db.migrations import AddField, AddIndex, AlterField, RemoveIndex

    from hromada.core.migration_ops import AddFieldIfMissing, AddIndexConcurrently, RemoveIndexConcurrently

    migration = importlib.import_module("hromada.persons.migrations.0007_raion_and_names").Migration
    assert migration.atomic is False
    touching = [op for op in migration.operations if isinstance(op, AddIndex | RemoveIndex | AlterField | AddField)]
    assert len(touching) == 7
    assert all(isinstance(op, AddIndexConcurrently | RemoveIndexConcurrently | DropFieldIndexesConcurrently
                          | AddFieldIfMissing) for op in touching), touching


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's indexes of a varchar")
def test_the_name_keeps_only_its_declared_indexes():
    """The migrations ran on this test database: the two indexes Django made for ``name_key`` (the plain and the
    pattern one) are gone, the declared ones are there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'persons_person'")
        names = {name for (name,) in cursor.fetchall()}
    assert not [name for name in names if name.startswith("persons_person_name_key")], names
    assert {"person_name", "person_home_name", "person_raion_name", "person_home_place"} <= names


def test_the_nightly_task_repairs_a_raion_the_services_did_not_write(front, settings):
    """A release rolls out host by host: the older code saves persons without the raion until every host runs the
    new code. The nightly task gives them their settlement's."""
    from hromada.persons.tasks import follow_settlement_raions

    person = make_person(front, address=_address(BARANIVKA))
    Person.objects.filter(pk=person.pk).update(raion=None)          # as the older code leaves it
    other = make_person(front, address=_address(TETERIVKA))
    Person.objects.filter(pk=other.pk).update(raion=Unit.objects.get(code=ZVIAHEL_RAION))   # a stale one
    assert follow_settlement_raions.delay().get() == 2
    assert (_raion_of(person), _raion_of(other)) == (ZVIAHEL_RAION, ZHYTOMYR_RAION)
    assert settings.CELERY_BEAT_SCHEDULE["persons-follow-raions"]["task"] == follow_settlement_raions.name


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a live database's migration (SQLite: one process)")
def test_an_interrupted_migration_run_again_finds_its_work_done():
    """Not atomic, the migration is recorded only when finished: run again, each step carries on past what it finds
    (here: all of it, as on this test database)."""
    from django.db.migrations.state import ProjectState

    from hromada.core.migration_ops import AddFieldIfMissing, AddIndexConcurrently

    state = ProjectState.from_apps(django_apps)
    built = {index.name for index in Person._meta.indexes}   # not one a later migration dropped (person_home_raion)
    for name in ("0007_raion_and_names", "0008_child_case_flag"):
        migration = importlib.import_module(f"hromada.persons.migrations.{name}").Migration
        with connection.schema_editor(atomic=False) as editor:
            for op in migration.operations:
                if isinstance(op, AddFieldIfMissing) or isinstance(op, AddIndexConcurrently) and op.index.name in built:
                    op.database_forwards("persons", editor, state, state)   # no "already exists"
    assert {"raion_id", "in_child_case"} <= {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), "persons_person")}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's indexes of a varchar")
def test_dropping_the_names_indexes_is_undone_by_building_them_again():
    from django.db.migrations.state import ProjectState

    migration = importlib.import_module("hromada.persons.migrations.0007_raion_and_names").Migration
    drop = next(op for op in migration.operations if isinstance(op, DropFieldIndexesConcurrently))
    after = ProjectState.from_apps(django_apps)
    before = after.clone()   # name_key with db_index=True, as before the migration
    before.models["persons", "person"].fields["name_key"] = models.CharField(max_length=320, db_index=True,
                                                                              editable=False)
    before.reload_model("persons", "person")
    with connection.schema_editor() as editor:
        drop.database_backwards("persons", editor, after, before)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'persons_person'")
        names = {name for (name,) in cursor.fetchall()}
    assert {"persons_person_name_key_751921db", "persons_person_name_key_751921db_like"} <= names, names


def test_a_countrys_scope_counts_everyone_once(demo, front, monkeypatch):
    """The total's home part for a country's scope is everyone (an empty condition): the other parts add nobody, though
    they hold persons too (a link here). No role that sees persons has such a scope today; the count stays exact."""
    from django.db.models import Q

    from hromada import testing
    from hromada.persons.models import PersonLink

    user = testing.user("ministry")
    scope = access.scope_of(user)
    monkeypatch.setattr(scoping, "children_hidden", lambda user: False)
    assert not scoping.person_scope_cover(user, scope)[0]
    person = make_person(front)
    PersonLink.objects.create(person=person, hromada=Unit.objects.get(code=TETERIVKA).hromada, linked_by=front,
                              reason="rnokpp_document")
    assert scoping.person_scope_count(user, scope, Q()) == Person.objects.count()


def test_the_previous_release_still_inserts_persons_after_the_child_case_flag_migration(front):
    """A rolling upgrade: hosts on the previous release insert persons without naming ``in_child_case``; the database
    keeps its default (``db_default``), so their inserts go on and the person is not a child of a case."""
    model = make_person(front)
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key and f.name != "in_child_case"]
    values = dict(zip([f.attname for f in fields], Person.objects.filter(pk=model.pk).values_list(
        *[f.attname for f in fields]).get(), strict=True))
    values.update(rnokpp=None, no_rnokpp_reason="відмова", id_document_type="", id_document_number="")
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(Person._meta.db_table)} ({columns}) "  # noqa: S608 (names from the model)
                       f"VALUES ({', '.join(['%s'] * len(fields))})", params)
    flags = set(Person.objects.filter(no_rnokpp_reason="відмова").values_list("in_child_case", flat=True))
    assert flags == {False}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_a_counts_children_of_cases_are_read_from_their_own_indexes(front):
    """The count's part "children of cases taking part in a case the user sees" reads the children of the place or the
    raion from the partial indexes of flagged persons, not every resident (#24: 8 of a village's 9 ms at 5 M)."""

    for area, index in ((selectors.area_q(settlement=BARANIVKA), "person_child_place"),
                        (selectors.area_q(raion=ZVIAHEL_RAION), "person_child_raion")):
        sql, params = scoping.person_scope_count_sql(front, access.scope_of(front), area)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN SELECT {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"using {index} on persons_person" in plan, plan


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_a_hromadas_own_children_in_its_cases_are_read_from_their_own_index(front):
    """The rule's part "the hromada's own children of protection cases taking part in a case the user sees" starts
    from the partial index of the hromada's flagged persons (persons 0014), not from every resident of the hromada on
    the home index."""
    sql, params = Person.objects.filter(pk__in=scoping.case_person_ids(front)).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "using person_home_child on persons_person" in plan, plan
