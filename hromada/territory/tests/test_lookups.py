import pytest

from hromada.core.errors import NotFound
from hromada.territory import selectors
from hromada.territory.models import Category


def test_by_code(db):
    unit = selectors.unit_by_code(" ua18080010000090720 ")
    assert unit.name == "Баранівська"
    with pytest.raises(NotFound):
        selectors.unit_by_code("UA00000000000000000")


@pytest.mark.parametrize("prefix", ["кам'янець-под", "КАМʼЯНЕЦЬ-ПОД", "Кам’янець-под", "кам`янець-под"])
def test_prefix_is_case_and_apostrophe_tolerant(db, prefix):
    names = [u.name for u in selectors.search_units(prefix, categories=[Category.CITY])]
    assert names == ["Кам’янець-Подільський"]


def test_prefix_within_unit_and_children(db):
    zhytomyrska = selectors.unit_by_code("UA18000000000041385")
    found = selectors.search_units("баранів", categories=[Category.HROMADA], within=zhytomyrska)
    assert [u.code for u in found] == ["UA18080010000090720"]
    raions = list(selectors.children_of(zhytomyrska))
    assert {r.name for r in raions} == {"Бердичівський", "Житомирський", "Звягельський", "Коростенський"}


def test_territory_api(db, api):
    client = api()
    res = client.get("territory/units", {"q": "тетерів", "category": "H"})
    assert res.status_code == 200
    assert any(u["code"] == "UA18040530000045696" for u in res.json())
    res = client.get("territory/units/UA18040530000045696/children")
    assert res.status_code == 200 and len(res.json()) > 5
    assert client.get("territory/units/UA00000000000000000").json()["code"] == "unit_not_found"
