"""GET /persons by raion and settlement (КАТОТТГ) with X-Total-Count; POST /households in one request."""
from datetime import date

import pytest

from hromada.audit.models import AuditEntry
from hromada.demo.services import BARANIVKA, TETERIVKA, ZHYTOMYR_RAION, ZVIAHEL, ZVIAHEL_RAION
from hromada.persons.models import HouseholdMember, Person

from .factories import make_person, person_data

pytestmark = pytest.mark.django_db


def _address(code):
    return {"settlement_code": code, "street": "вул. Лісова", "house": "2", "flat": ""}


@pytest.fixture
def places(front, front2):
    in_baranivka = [make_person(front, last_name="Районенко", address=_address(BARANIVKA)) for _ in range(3)]
    in_zviahel = make_person(front, last_name="Районенко", first_name="Петро", address=_address(ZVIAHEL))
    in_teterivka = make_person(front, last_name="Районенко", first_name="Іван", address=_address(TETERIVKA))
    # Another hromada's resident living in the same raion: outside front's scope, never listed.
    elsewhere = make_person(front2, last_name="Районенко", first_name="Остап", address=_address(BARANIVKA))
    return {"baranivka": in_baranivka, "zviahel": in_zviahel, "teterivka": in_teterivka, "elsewhere": elsewhere}


def _ids(res):
    return {row["id"] for row in res.json()}


def test_raion_and_settlement_filters_are_scoped_and_combine_with_q(front, api, places):
    client = api(front)
    raion = client.get("persons", {"raion": ZVIAHEL_RAION, "q": "районенко"})
    assert raion.status_code == 200
    assert _ids(raion) == {p.pk for p in places["baranivka"]} | {places["zviahel"].pk}
    village = client.get("persons", {"settlement": BARANIVKA, "q": "районенко"})
    assert _ids(village) == {p.pk for p in places["baranivka"]}
    both = client.get("persons", {"raion": ZHYTOMYR_RAION, "settlement": BARANIVKA})
    assert both.json() == []
    other = client.get("persons", {"raion": ZHYTOMYR_RAION, "q": "Районенко Іван"})
    assert _ids(other) == {places["teterivka"].pk}
    # Without q: the residents of the place, in name order.
    listed = client.get("persons", {"settlement": BARANIVKA})
    assert {p.pk for p in places["baranivka"]} <= _ids(listed)
    assert places["elsewhere"].pk not in _ids(listed)
    # A number in q is narrowed by the place too.
    rnokpp = places["zviahel"].rnokpp
    assert _ids(client.get("persons", {"q": rnokpp, "raion": ZVIAHEL_RAION})) == {places["zviahel"].pk}
    assert client.get("persons", {"q": rnokpp, "settlement": BARANIVKA}).json() == []


def test_with_total_adds_the_header_and_keeps_the_list(front, api, places):
    client = api(front)
    res = client.get("persons", {"settlement": BARANIVKA, "q": "районенко", "with_total": 1})
    assert res.status_code == 200 and isinstance(res.json(), list)
    assert res["X-Total-Count"] == "3"
    assert "X-Total-Count" not in client.get("persons", {"settlement": BARANIVKA, "q": "районенко"})
    everyone = Person.objects.filter(registered_hromada=front.office.hromada, settlement__raion__code=ZVIAHEL_RAION)
    page1 = client.get("persons", {"raion": ZVIAHEL_RAION, "with_total": "1"})
    assert int(page1["X-Total-Count"]) == everyone.count() >= 4
    assert len(page1.json()) == min(20, everyone.count())
    # The total counts only what the user may see.
    assert client.get("persons", {"q": places["elsewhere"].rnokpp, "with_total": 1})["X-Total-Count"] == "0"
    entry = AuditEntry.objects.filter(action="person.search").latest("pk")
    assert entry.details["count"] == 0


@pytest.mark.parametrize(("params", "code"), [
    ({"raion": "UA00000000000000000"}, "invalid_raion"),
    ({"raion": BARANIVKA}, "invalid_raion"),                     # a settlement is not a raion
    ({"settlement": ZVIAHEL_RAION}, "invalid_settlement"),
    ({"settlement": "nonsense"}, "invalid_settlement"),
])
def test_unknown_place_is_422_with_a_ukrainian_message(front, api, params, code):
    res = api(front).get("persons", params)
    assert res.status_code == 422
    assert res.json()["code"] == code and "КАТОТТГ" in res.json()["message"]


def _member(last, first, born, sex, serial, **over):
    return person_data(last_name=last, first_name=first, born=born, sex=sex, **over)


def test_household_in_one_request(front, front2, api):
    head = person_data(last_name="Хатенко", first_name="Марія", born=date(1985, 3, 1), sex="F")
    spouse = person_data(last_name="Хатенко", first_name="Павло", born=date(1983, 7, 9), sex="M")
    child = person_data(last_name="Хатенко", first_name="Оля", born=date(2015, 1, 2), sex="F")
    res = api(front).post("households", {"members": [head, spouse, child], "relations": [
        {"member_index": 2, "relation": "child"}, {"member_index": 1, "relation": "spouse"}]})
    assert res.status_code == 201, res.json()
    ids = res.json()["ids"]
    assert list(res.json()) == ["ids"] and len(ids) == 3
    persons = Person.objects.in_bulk(ids)
    assert [persons[i].first_name for i in ids] == ["Марія", "Павло", "Оля"]
    assert {persons[i].registered_hromada_id for i in ids} == {front.office.hromada_id}
    links = {(h.member_id, h.relation) for h in HouseholdMember.objects.filter(person_id=ids[0])}
    assert links == {(ids[1], "spouse"), (ids[2], "child")}
    assert AuditEntry.objects.filter(action="person.register", object_id__in=[str(i) for i in ids]).count() == 3
    assert AuditEntry.objects.filter(action="person.household_register", object_id=str(ids[0])).exists()
    # Scoped like every person: another hromada does not see them.
    assert api(front2).get(f"persons/{ids[1]}").status_code == 404
    household = api(front).get(f"persons/{ids[0]}/household").json()
    assert {h["member"]["id"] for h in household} == {ids[1], ids[2]}


@pytest.mark.parametrize(("relations", "code"), [
    ([{"member_index": 1, "relation": "spouse"}], "member_relation_required"),
    ([{"member_index": 1, "relation": "spouse"}, {"member_index": 2, "relation": "cousin"}], "invalid_relation"),
    ([{"member_index": 0, "relation": "spouse"}], "invalid_member_index"),
    ([{"member_index": 3, "relation": "child"}], "invalid_member_index"),
    ([{"member_index": 1, "relation": "spouse"}, {"member_index": 1, "relation": "child"}], "invalid_member_index"),
])
def test_household_relations_are_checked(front, api, relations, code):
    members = [person_data(last_name="Зв’язко", first_name=n, born=date(1980, 1, i + 1)) for i, n in
               enumerate(("Анна", "Борис", "Віра"))]
    before = Person.objects.count()
    res = api(front).post("households", {"members": members, "relations": relations})
    assert res.status_code == 422 and res.json()["code"] == code
    assert res.json()["message"]
    assert Person.objects.count() == before


def test_household_member_errors_name_the_member_and_nothing_is_saved(front, api):
    good = person_data(last_name="Цілий", born=date(1970, 5, 5))
    bad = person_data(last_name="Цілий", first_name="Борис", rnokpp="1234567890")
    before = Person.objects.count()
    res = api(front).post("households", {"members": [good, bad], "relations": [{"member_index": 1,
                                                                                "relation": "sibling"}]})
    assert res.status_code == 422
    body = res.json()
    assert body["code"] == "invalid_rnokpp" and body["details"]["member_index"] == 1
    assert body["details"]["errors"][0]["field"] == "members[1].rnokpp"
    twin = {**person_data(last_name="Цілий", first_name="Борис"), "id_document": good["id_document"]}
    res = api(front).post("households", {"members": [good, twin], "relations": [{"member_index": 1,
                                                                                 "relation": "sibling"}]})
    assert res.status_code == 422 and res.json()["code"] == "duplicate_in_household"
    existing = make_person(front, last_name="Наявний")
    again = {**person_data(last_name="Наявний"), "rnokpp": existing.rnokpp, "birth_date": "1979-04-11"}
    res = api(front).post("households", {"members": [good, again], "relations": [{"member_index": 1,
                                                                                  "relation": "other"}]})
    assert res.status_code == 409 and res.json()["code"] == "duplicate_person"
    assert res.json()["details"]["member_index"] == 1
    assert Person.objects.count() == before + 1   # only the one registered on its own


def test_household_needs_a_front_office_and_members(api, front, back):
    assert api(front).post("households", {"members": [], "relations": []}).json()["code"] == "required_field"
    res = api(back).post("households", {"members": [person_data()], "relations": []})
    assert res.status_code == 403
    assert api(None).post("households", {"members": [person_data()]}).status_code == 401


@pytest.mark.parametrize("page", ["0", "100001", str(10 ** 20)])
def test_a_page_out_of_bounds_is_a_clear_422_not_a_database_error(front, api, page):
    """The fuzzer's finding: a huge page overflowed the offset in the database (a 500 on SQLite)."""
    res = api(front).get("persons", {"q": "районенко", "page": page})
    assert res.status_code == 422 and res.json()["code"] == "validation_error"
    assert res.json()["details"][0]["loc"][-1] == "page"


def test_a_page_of_persons_is_validated_without_wrapping_each_row(front, api, places, monkeypatch):
    """The list's rows are dicts: pydantic validates them itself (``core.schemas.Out``). ninja's ``Schema`` wrapped
    each row and each nested object in a ``DjangoGetter`` (~1 ms for a page of 20, #24); the body is the same."""
    import ninja.schema

    wrapped = []
    original = ninja.schema.DjangoGetter.__init__

    def counting(self, obj, *args, **kwargs):
        wrapped.append(type(obj).__name__)
        original(self, obj, *args, **kwargs)

    monkeypatch.setattr(ninja.schema.DjangoGetter, "__init__", counting)
    res = api(front).get("persons", {"settlement": BARANIVKA, "with_total": 1})
    assert res.status_code == 200 and len(res.json()) >= 3
    row = next(r for r in res.json() if r["id"] == places["baranivka"][0].pk)
    assert row["address"]["settlement_code"] == BARANIVKA and row["rnokpp"].count("*") >= 4
    assert row["birth_date"] == places["baranivka"][0].birth_date.isoformat()
    assert wrapped == ["ResponseObject"]     # ninja's envelope of the response only, none of the rows


def test_a_full_page_carries_its_total_in_one_statement(front, places):
    """A full page and the total of a place come in one statement (the total a column of the page's rows, #24); a
    short page and an empty page past the end tell the same total their own ways."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hromada.accounts import access
    from hromada.persons import selectors

    area = selectors.area_q(settlement=BARANIVKA)
    expected = access.visible(front, Person).filter(area).count()
    assert expected >= 4
    limit = expected - 1
    access.scope_of(front)   # the user's scope is read once per request, before the list
    with CaptureQueriesContext(connection) as queries:
        full = selectors.search_page(front, area=area, limit=limit, with_total=True)
    assert [p.pk for p in full.persons] == list(access.visible(front, Person).filter(area).order_by(
        "name_key", "birth_date", "pk").values_list("pk", flat=True)[:limit])
    assert full.total == expected
    assert len(queries) == 1, [q["sql"] for q in queries]
    second = selectors.search_page(front, area=area, limit=limit, offset=limit, with_total=True)   # short
    past = selectors.search_page(front, area=area, limit=limit, offset=2 * limit, with_total=True)
    assert (len(second.persons), second.total, past.persons, past.total) == (1, expected, [], expected)
    assert selectors.search_page(front, area=area, limit=limit, with_total=False).total is None
