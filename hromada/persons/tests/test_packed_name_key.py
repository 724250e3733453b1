"""#24, bytes: a person's name key is stored one byte a Ukrainian letter (migration 0011, ``core.fields.NameKeyField``)
and read, written and looked up as the key."""
import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import FieldError
from django.db import connection

from hromada.core import text
from hromada.core.text import normalize_name, pack_name_key, uk_sort_key, unpack_name_key
from hromada.persons import selectors
from hromada.persons.models import Person

from .factories import make_person

migration = importlib.import_module("hromada.persons.migrations.0011_packed_name_key")

# Every character a stored key may hold, and those it may not but an old row or a test's key might.
ALPHABET = text.NAME_KEY_LETTERS + "ʼ- abcxyzёъыэ" + "!\"#$%&'()*+,./0123456789:;<=>?@[\\]^_`{|}~AZé"


def _stored(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_key FROM persons_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_map_is_the_migrations_and_each_ukrainian_letter_takes_one_byte():
    assert (text.NAME_KEY_LETTERS, text.NAME_KEY_CODES, text.NAME_KEY_ESCAPE) == (
        migration.LETTERS, migration.CODES, migration.ESCAPE)
    key = normalize_name("Пʼятничук-Ґудзь Євгенія Їжакова")
    assert len(pack_name_key(key).encode()) == len(key) < len(key.encode())
    assert migration.pack(key) == pack_name_key(key)


def test_any_key_comes_back_and_keeps_its_prefixes_and_parts():
    rng = random.Random(24)
    for _ in range(3000):
        a = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        assert unpack_name_key(pack_name_key(a)) == a == migration.unpack(migration.pack(a))
        assert (pack_name_key(a) == pack_name_key(b)) == (a == b)
        assert pack_name_key(a + b).startswith(pack_name_key(a))
        assert pack_name_key(a + b + a) .find(pack_name_key(b)) >= 0


def test_packed_keys_sort_in_the_ukrainian_alphabet():
    names = ["Яковенко Ян", "Ґава Іван", "Гава Олег", "Євтушенко Ірина", "Ємець Ганна", "Іваненко Петро",
             "Їжак Марія", "Йосипенко Ада", "Иванів Ігор", "Абрамович Юлія", "Аб Юлія", "Жук Ніна", "Щур Тарас",
             "Ющенко Ілля", "Ьо Ян", "Ігнатенко Ілля", "Зуб Іра"]
    # Word by word: a shorter surname before a longer one it begins (space is below every code).
    assert sorted(names, key=lambda n: pack_name_key(normalize_name(n))) == sorted(
        names, key=lambda n: [uk_sort_key(word) for word in n.split()])


@pytest.mark.django_db
def test_a_key_is_stored_packed_and_read_and_looked_up_as_the_key(front):
    person = make_person(front, last_name="Пʼятничук", first_name="Євгенія", patronymic="Іллівна")
    key = "пʼятничук євгенія іллівна"
    assert Person.objects.get(pk=person.pk).name_key == key
    assert _stored(person.pk) == pack_name_key(key) and len(_stored(person.pk).encode()) == len(key)
    keys = dict(Person.objects.values_list("pk", "name_key"))    # every person's, read back as keys
    for lookup, value, holds, hers in (
            ("exact", key, key.__eq__, True), ("in", [key, "x"], key.__eq__, True),
            ("startswith", "пʼятн", lambda k: k.startswith("пʼятн"), True),
            ("contains", "євгенія", lambda k: "євгенія" in k, True),
            ("startswith", "євгенія", lambda k: k.startswith("євгенія"), False)):
        found = set(Person.objects.filter(**{f"name_key__{lookup}": value}).values_list("pk", flat=True))
        assert found == {pk for pk, k in keys.items() if holds(k)}, lookup
        assert (person.pk in found) == hers, lookup
    assert list(Person.objects.filter(pk=person.pk).values_list("name_key", flat=True)) == [key]
    with pytest.raises(FieldError):   # it would compare with the packed form's case
        Person.objects.filter(name_key__icontains="ПʼЯТН").exists()


@pytest.mark.django_db
def test_a_list_by_name_follows_the_alphabet(front):
    """Є after Е, І and Ї after И, Ґ after Г, as the ministry's lists read (the code points put them after Я)."""
    for last in ("Ящук", "Ґонта", "Гонта", "Єгоров", "Енко", "Іщенко", "Їжак", "Иваненко", "Жук"):
        make_person(front, last_name=last)
    page = selectors._base(front).filter(last_name__in=["Ящук", "Ґонта", "Гонта", "Єгоров", "Енко", "Іщенко", "Їжак",
                                                        "Иваненко", "Жук"]).order_by("name_key", "pk")
    assert [p.last_name for p in page] == ["Гонта", "Ґонта", "Енко", "Єгоров", "Жук", "Иваненко", "Іщенко", "Їжак",
                                           "Ящук"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's collations (SQLite compares bytes)")
def test_the_key_is_ordered_byte_by_byte_whatever_the_database_collation():
    with connection.cursor() as cursor:
        cursor.execute("SELECT collation_name FROM information_schema.columns WHERE table_name = 'persons_person' "
                       "AND column_name = 'name_key'")
        assert cursor.fetchone() == ("C",)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'persons_person' AND indexdef LIKE "
                       "'%name_key%' ORDER BY indexname")
        indexes = [row[0] for row in cursor.fetchall()]
        # Each index on the key compares it as the column does (an index keeps the collation it was built with).
        cursor.execute("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "JOIN pg_collation k ON k.oid = ANY(i.indcollation::oid[]) "
                       "WHERE c.relname = ANY(%s) AND k.collname = 'C'", [indexes])
        assert cursor.fetchone()[0] == len(indexes), indexes
    # (The duplicate check's index holds the birth date alone since persons/0015.)
    assert indexes == ["person_child_id", "person_home_name", "person_name", "person_place_name", "person_raion_name"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_packs_the_keys_and_back(front):
    odd = "тест~!#1 z-ʼё"    # an escape, codes and characters no valid name holds: each comes back as it was
    people = [make_person(front, last_name="Пʼятничук", first_name="Ґанна"), make_person(front, last_name="Ярош")]
    Person.objects.filter(pk=people[1].pk).update(name_key=odd)
    before = list(Person.objects.order_by("id").values_list("id", "name_key"))
    stored = {pk: _stored(pk) for pk, _key in before}
    with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
        migration.to_text(django_apps, editor)
    assert {pk: _stored(pk) for pk, _key in before} == dict(before)
    with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
        migration.to_packed(django_apps, editor)
    assert {pk: _stored(pk) for pk, _key in before} == stored
    assert list(Person.objects.order_by("id").values_list("id", "name_key")) == before
