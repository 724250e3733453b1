from datetime import date

import pytest

from hromada.audit.models import AuditEntry
from hromada.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hromada.persons import demo as persons_demo
from hromada.persons import selectors, services
from hromada.persons.models import HouseholdMember, Person, PersonLink
from hromada.persons.testing import make_rnokpp

from .factories import TETERIVKA, make_person, person_data

pytestmark = pytest.mark.django_db


def audit(action, person):
    return AuditEntry.objects.filter(action=action, object_type="persons.person", object_id=str(person.pk))


def test_register_cleans_names_and_belongs_to_actors_hromada(front):
    person = make_person(front, last_name="  пʼятниця’ко  ", first_name="олена", patronymic="Іванівна")
    assert person.last_name == "пʼятницяʼко"
    assert person.name_key == "пʼятницяʼко олена іванівна"
    assert person.registered_hromada_id == front.office.hromada_id
    assert person.registered_by == front
    assert person.phone == "+380671234567"
    assert person.settlement.code == "UA18080010010059187"
    assert audit("person.register", person).count() == 1


def test_register_requires_front_office_role(back, front):
    with pytest.raises(Forbidden):
        services.register_person(actor=back, data=person_data())
    assert not Person.objects.filter(last_name="Тестенко", registered_by=back).exists()


def test_invalid_data_is_refused_without_writes(front):
    before = Person.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.register_person(actor=front, data=person_data(rnokpp="1234567890"))
    assert exc.value.code == "invalid_rnokpp"
    with pytest.raises(ValidationFailed) as exc:
        services.register_person(actor=front, data=person_data(address={"settlement_code": "UA18080010000090720"}))
    assert exc.value.code == "invalid_settlement"   # a hromada is not a settlement
    assert Person.objects.count() == before


def test_exact_rnokpp_or_document_is_always_refused(front, front2):
    existing = make_person(front)
    again = person_data(rnokpp=existing.rnokpp, last_name="Інший")
    with pytest.raises(Conflict) as exc:
        services.register_person(actor=front2, data=again, confirm_not_duplicate=True)
    assert exc.value.code == "duplicate_person"
    # Another hromada's resident: neither her id nor anything about her — only that the number is taken.
    assert exc.value.details == {"match": "rnokpp", "elsewhere": True}
    assert "Інший" not in str(exc.value.message) and existing.last_name not in str(exc.value.message)
    same_doc = person_data(id_document={"type": "id_card", "number": existing.id_document_number}, last_name="Інший")
    with pytest.raises(Conflict) as exc:
        services.register_person(actor=front, data=same_doc, confirm_not_duplicate=True)
    assert exc.value.code == "duplicate_person" and exc.value.details["match"] == "document"
    assert exc.value.details["person_id"] == existing.pk     # her own hromada's resident: shown


@pytest.mark.parametrize("variant", ["ПʼЯТНИЦЯ-Кіт", "П'ятниця-кіт", "П’ятниця-Кіт", "Пятниця-Кіт", "Пʼятнця-Кіт",
                                     "Пʼятниця-Кіт "])
def test_possible_duplicate_tolerates_case_apostrophes_typos(front, front2, variant):
    existing = make_person(front, last_name="Пʼятниця-Кіт", first_name="Ганна", patronymic="Олексіївна",
                           born=date(1950, 11, 9), sex="F")
    data = person_data(last_name=variant, first_name="ганна", patronymic="", born=date(1950, 11, 9), sex="F")
    with pytest.raises(Conflict) as exc:
        services.register_person(actor=front, data=data)
    assert exc.value.code == "possible_duplicate"
    cands = exc.value.details["candidates"]
    assert [c["id"] for c in cands] == [existing.pk]
    assert cands[0]["rnokpp"] == "******" + existing.rnokpp[-4:]
    assert cands[0]["hromada"] == "Баранівська"
    assert cands[0]["birth_date"] == "1950-11-09"
    # Another hromada's desk learns only that someone similar is registered elsewhere: no name, hromada, digits.
    with pytest.raises(Conflict) as exc:
        services.register_person(actor=front2, data=data)
    assert exc.value.code == "possible_duplicate"
    assert exc.value.details == {"candidates": [], "elsewhere": True}
    text = str(exc.value.message)
    assert "іншій громаді" in text and "документ" in text and not any(ch.isdigit() for ch in text)
    # The specialist confirms it is another person: registered, the confirmation is audited.
    other = services.register_person(actor=front2, data=data, confirm_not_duplicate=True)
    entry = audit("person.register", other).get()
    assert entry.details == {"confirmed_not_duplicate": True, "similar": [existing.pk]}


def test_different_birth_date_or_name_is_not_a_duplicate(front):
    make_person(front, last_name="Савчук", first_name="Іван", born=date(1960, 1, 1))
    for data in (person_data(last_name="Савчук", first_name="Іван", born=date(1960, 1, 2)),
                 person_data(last_name="Мельничук", first_name="Іван", born=date(1960, 1, 1)),
                 person_data(last_name="Савчук", first_name="Петро", born=date(1960, 1, 1))):
        assert services.register_person(actor=front, data=data).pk


def test_update_with_optimistic_lock(front):
    person = make_person(front)
    updated = services.update_person(actor=front, person_id=person.pk, data={"phone": "0501112233", "is_idp": True},
                                     expected_version=1)
    assert (updated.phone, updated.is_idp, updated.version) == ("+380501112233", True, 2)
    assert audit("person.change", person).get().details == {
        "fields": ["phone", "is_idp"], "version": 2,
        "changes": {"phone": [person.phone, "+380501112233"], "is_idp": [False, True]}}
    with pytest.raises(Conflict) as exc:
        services.update_person(actor=front, person_id=person.pk, data={"phone": "0501112234"}, expected_version=1)
    assert exc.value.code == "stale_version"
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(actor=front, person_id=person.pk, data={"birth_date": "1979-04-12"}, expected_version=2)
    assert exc.value.code == "rnokpp_birth_date_mismatch"
    person.refresh_from_db()
    assert person.version == 2 and person.birth_date == date(1979, 4, 11)


def test_update_outside_scope_is_not_found(front, front2):
    person = make_person(front)
    with pytest.raises(NotFound):
        services.update_person(actor=front2, person_id=person.pk, data={"phone": ""}, expected_version=1)


def test_update_cannot_take_someone_elses_rnokpp(front):
    a, b = make_person(front), make_person(front, first_name="Інший")
    with pytest.raises(Conflict) as exc:
        services.update_person(actor=front, person_id=b.pk, data={"rnokpp": a.rnokpp}, expected_version=1)
    assert exc.value.code == "duplicate_person"


def test_a_lost_race_on_a_number_names_nobody_the_desk_may_not_see(front, front2, monkeypatch):
    """Two desks at once: the number was free when checked, another hromada's desk took it before the save. The
    refusal is the pre-check's own: it tells that the number is taken elsewhere, not whose record holds it."""
    elsewhere, own = make_person(front2), make_person(front)
    real, calls = services.exact_matches, []

    def exact_matches(**kw):    # the pre-check finds nothing (the race); the check after the refused save is real
        calls.append(kw)
        return [] if len(calls) == 1 else real(**kw)

    monkeypatch.setattr(services, "exact_matches", exact_matches)
    with pytest.raises(Conflict) as exc:
        services.update_person(actor=front, person_id=own.pk, data={"rnokpp": elsewhere.rnokpp}, expected_version=1)
    assert exc.value.code == "duplicate_person"
    assert exc.value.details == {"match": "rnokpp", "elsewhere": True} and len(calls) == 2


def test_household_members(front, front2):
    head = make_person(front)
    child = make_person(front, last_name="Тестенко", first_name="Оля", born=date(2015, 6, 1), sex="F")
    link = services.add_household_member(actor=front, person_id=head.pk, member_id=child.pk, relation="child")
    assert link.relation == "child"
    assert [h.member for h in selectors.household_of(front, head)] == [child]
    with pytest.raises(Conflict):
        services.add_household_member(actor=front, person_id=head.pk, member_id=child.pk, relation="child")
    with pytest.raises(ValidationFailed) as exc:
        services.add_household_member(actor=front, person_id=head.pk, member_id=head.pk, relation="spouse")
    assert exc.value.code == "member_is_self"
    with pytest.raises(ValidationFailed) as exc:
        services.add_household_member(actor=front, person_id=head.pk, member_id=child.pk, relation="cousin")
    assert exc.value.code == "invalid_relation"
    stranger = make_person(front2, last_name="Чужий", address={"settlement_code": TETERIVKA})
    with pytest.raises(NotFound):
        services.add_household_member(actor=front, person_id=head.pk, member_id=stranger.pk, relation="other")
    with pytest.raises(NotFound):
        services.remove_household_member(actor=front2, person_id=head.pk, member_id=child.pk)
    services.remove_household_member(actor=front, person_id=head.pk, member_id=child.pk)
    assert not HouseholdMember.objects.filter(person=head).exists()
    assert audit("person.household_add", head).count() == 1
    assert audit("person.household_remove", head).count() == 1


def test_name_search_is_scoped(front, front2):
    person = make_person(front, last_name="Зеленчук", first_name="Мирослава", born=date(1990, 2, 2), sex="F")
    assert selectors.search_persons(front, q="зеленчук") == [person]
    assert selectors.search_persons(front2, q="Зеленчук") == []
    assert selectors.search_persons(front2, q="Зеленчук Мирослава") == []


@pytest.mark.parametrize("query", ["зеленчук", "ЗЕЛЕНЧУК мирослава", "Зелинчук", "Зеленчк", "Зелен", "Зленчук",
                                   "Аеленчук Мирослава", "зеленчук мирославa"[:-1]])
def test_name_search_tolerates_case_prefix_typos(front, query):
    person = make_person(front, last_name="Зеленчук", first_name="Мирослава", born=date(1990, 2, 2), sex="F")
    assert person in selectors.search_persons(front, q=query)


def test_name_search_apostrophes(front):
    person = make_person(front, last_name="Мʼякуш", first_name="Дарʼя", born=date(1991, 3, 3), sex="F")
    for query in ("м'якуш", "М’ЯКУШ дар'я", "мʼякуш", "мякуш"):
        assert person in selectors.search_persons(front, q=query), query


def test_name_search_does_not_return_unrelated(front):
    make_person(front, last_name="Зеленчук", first_name="Мирослава", born=date(1990, 2, 2), sex="F")
    assert all(p.last_name != "Зеленчук" for p in selectors.search_persons(front, q="Бондар"))


def test_birth_date_filter(front):
    a = make_person(front, last_name="Гнатюк", born=date(1970, 5, 5))
    b = make_person(front, last_name="Гнатюк", born=date(1971, 5, 5))
    assert selectors.search_persons(front, q="гнатюк", birth_date=date(1971, 5, 5)) == [b]
    assert a in selectors.search_persons(front, q="гнатюк")


def test_exact_rnokpp_search_stays_in_scope_and_never_writes(front, front2):
    person = make_person(front, last_name="Далекий", id_document={"type": "passport", "number": "ЖТ909090"})
    before = AuditEntry.objects.count()
    assert selectors.search_persons(front2, rnokpp=person.rnokpp) == []
    assert selectors.search_persons(front2, q=person.rnokpp) == []
    assert selectors.search_persons(front2, q="жт 909090") == []
    assert not PersonLink.objects.filter(person=person).exists()
    assert AuditEntry.objects.count() == before        # a selector reads only (the caller audits)
    with pytest.raises(NotFound):
        selectors.get_person(front2, person.pk)


def take(actor, person, **proof):
    return services.take_person_into_work(actor=actor, rnokpp=person.rnokpp, reason="звернення за допомогою",
                                          **proof)


def test_take_into_work_with_document_links_and_audits(front, front2):
    person = make_person(front, last_name="Далекий", id_document={"type": "passport", "number": "ЖТ909090"})
    assert take(front2, person, id_document_number="жт 909090") == person
    link = PersonLink.objects.get(person=person)
    assert (link.hromada_id, link.linked_by, link.reason) == (front2.office.hromada_id, front2, "document")
    assert link.purpose == "звернення за допомогою"
    entry = audit("person.take_into_work", person).get()
    assert entry.actor == front2 and entry.hromada_id == front2.office.hromada_id
    assert entry.details["reason"] == "звернення за допомогою" and entry.details["proof"] == "document"
    # Now in front2's scope: name search and the card work; taking again does not link twice.
    assert selectors.search_persons(front2, q="далекий") == [person]
    assert selectors.get_person(front2, person.pk) == person
    take(front2, person, id_document_number="ЖТ909090")
    assert PersonLink.objects.filter(person=person).count() == 1


def test_take_into_work_with_name_and_birth_date(front, front2):
    person = make_person(front, last_name="Пʼятерня", first_name="Олена", born=date(1981, 3, 3), sex="F")
    assert take(front2, person, last_name="П'ЯТЕРНЯ", first_name="олена", birth_date=date(1981, 3, 3)) == person
    assert PersonLink.objects.get(person=person).reason == "name_birth_date"


@pytest.mark.parametrize("proof", [
    {"id_document_number": "ЖТ000001"},                                                       # another document
    {"last_name": "Пʼятерня", "first_name": "Олена", "birth_date": date(1981, 3, 4)},         # another birth date
    {"last_name": "Інша", "first_name": "Олена", "birth_date": date(1981, 3, 3)},             # another name
])
def test_take_into_work_refuses_a_wrong_proof_like_a_missing_number(front, front2, proof):
    person = make_person(front, last_name="Пʼятерня", first_name="Олена", born=date(1981, 3, 3), sex="F",
                         id_document={"type": "passport", "number": "ЖТ454545"})
    with pytest.raises(NotFound) as wrong:
        take(front2, person, **proof)
    nobody = Person(rnokpp=make_rnokpp(date(1981, 3, 3), "F", 4876))
    with pytest.raises(NotFound) as missing:
        take(front2, nobody, **proof)
    assert wrong.value.as_dict() == missing.value.as_dict()
    assert wrong.value.code == "person_not_found"
    assert not PersonLink.objects.exists()
    # Misses are audited too (without the typed values).
    misses = AuditEntry.objects.filter(action="person.lookup_miss", actor=front2)
    assert misses.count() == 2 and all(set(e.details) == {"proof"} for e in misses)


def test_take_into_work_needs_proof_and_reason(front, front2):
    person = make_person(front)
    with pytest.raises(ValidationFailed) as exc:
        services.take_person_into_work(actor=front2, rnokpp=person.rnokpp, reason="звернення")
    assert exc.value.code == "presence_proof_required"
    with pytest.raises(ValidationFailed) as exc:
        services.take_person_into_work(actor=front2, rnokpp=person.rnokpp, reason="",
                                       id_document_number=person.id_document_number)
    assert exc.value.code == "reason_required"
    assert not PersonLink.objects.exists()


def test_take_into_work_is_for_the_front_office_only(front, back2, head):
    person = make_person(front)
    for user in (back2, head):
        with pytest.raises(Forbidden):
            take(user, person, id_document_number=person.id_document_number)


def test_back_office_exact_lookup_stays_in_scope(front, back2):
    person = make_person(front)
    assert selectors.search_persons(back2, rnokpp=person.rnokpp) == []
    assert not PersonLink.objects.filter(person=person).exists()


def test_own_scope_exact_lookup_does_not_link(front):
    person = make_person(front)
    assert selectors.search_persons(front, rnokpp=person.rnokpp) == [person]
    assert not PersonLink.objects.filter(person=person).exists()


def test_get_person_is_scoped(front, front2, ministry):
    person = make_person(front)
    assert selectors.get_person(front, person.pk) == person
    for outsider in (front2, ministry):
        with pytest.raises(NotFound):
            selectors.get_person(outsider, person.pk)


def test_find_duplicates_reports_exact_then_similar(front):
    existing = make_person(front, last_name="Кравець", first_name="Іван", born=date(1977, 7, 7))
    found = selectors.find_duplicates(data={"rnokpp": existing.rnokpp, "id_document_type": "", "id_document_number": "",
                                            "last_name": "Кравец", "first_name": "Іван", "patronymic": "",
                                            "birth_date": date(1977, 7, 7)})
    assert [(c.person, c.match) for c in found] == [(existing, "rnokpp")]
    similar = selectors.find_duplicates(data={"rnokpp": make_rnokpp(date(1977, 7, 7), "M", 4990),
                                              "last_name": "Кравец", "first_name": "іван", "birth_date": date(1977, 7, 7)})
    assert [(c.person, c.match) for c in similar] == [(existing, "name")]


def test_demo_seed_is_idempotent(demo):
    before = (Person.objects.count(), HouseholdMember.objects.count())
    people = persons_demo.seed()
    assert (Person.objects.count(), HouseholdMember.objects.count()) == before
    assert people["maria"].registered_hromada.name == "Баранівська"
    assert people["vasyl"].registered_hromada.name == "Тетерівська"
    assert people["ivan"].rnokpp is None and people["ivan"].id_document_type == "passport"
    assert {h.member for h in HouseholdMember.objects.filter(person=people["maria"])} == {people["petro"], people["sofia"]}


def test_an_edit_keeps_the_old_and_new_values_of_each_field_the_old_rnokpp_too(front):
    """#23 p.4: the audit keeps what a field was, not only that it changed — an old РНОКПП stays findable."""
    person = make_person(front)
    old_rnokpp, old_name = person.rnokpp, person.last_name
    new_rnokpp = make_rnokpp(person.birth_date, person.sex, 4917)
    services.update_person(actor=front, person_id=person.pk, expected_version=1,
                           data={"rnokpp": new_rnokpp, "last_name": "Коваленко"})
    changes = audit("person.change", person).get().details["changes"]
    assert changes["last_name"] == [old_name, "Коваленко"]
    assert changes["rnokpp"] == [old_rnokpp, new_rnokpp]
