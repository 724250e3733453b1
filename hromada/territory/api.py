from ninja import Router, Schema

from . import selectors

ROUTER_PREFIX = "/territory"
router = Router(tags=["territory"])


class UnitOut(Schema):
    code: str
    category: str
    name: str
    full_name: str
    parent_code: str | None
    oblast_code: str | None
    is_active: bool


def _unit(u) -> dict:
    return {"code": u.code, "category": u.category, "name": u.name, "full_name": u.full_name,
            "parent_code": u.parent.code if u.parent_id else None,
            "oblast_code": u.oblast.code if u.oblast_id else None, "is_active": u.is_active}


@router.get("/units", auth=None, response=list[UnitOut], summary="Пошук одиниць КАТОТТГ за початком назви")
def search(request, q: str = "", category: str | None = None, within: str | None = None, limit: int = 20):
    within_unit = selectors.unit_by_code(within) if within else None
    units = selectors.search_units(q, categories=list(category) if category else None, within=within_unit,
                                   limit=max(1, min(limit, 100)))
    return [_unit(u) for u in units.select_related("parent")]


@router.get("/units/{code}", auth=None, response=UnitOut, summary="Одиниця за кодом")
def by_code(request, code: str):
    return _unit(selectors.unit_by_code(code))


@router.get("/units/{code}/children", auth=None, response=list[UnitOut], summary="Дочірні одиниці")
def children(request, code: str):
    unit = selectors.unit_by_code(code)
    return [_unit(u) for u in selectors.children_of(unit).select_related("parent", "oblast", "raion")]
