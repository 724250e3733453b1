from datetime import date

from ninja import Router, Schema

from . import selectors

ROUTER_PREFIX = "/catalog"
router = Router(tags=["catalog"])


class RequirementOut(Schema):
    code: str
    title_uk: str
    title_en: str
    hint: str
    timing: str
    required: bool
    condition: str


class ServiceOut(Schema):
    code: str
    name_uk: str
    name_en: str
    category: str
    deciding_authority: str
    legal_basis: str
    term_days: int
    term_kind: str
    late_documents_months: int
    description: str
    active_from: date | None
    active_to: date | None
    calculator: str | None
    calculated_by: str | None
    calculation_note: str
    documents: list[RequirementOut]


def _service(s) -> dict:
    return {
        "code": s.code, "name_uk": s.name_uk, "name_en": s.name_en, "category": s.category,
        "deciding_authority": s.deciding_authority,
        "legal_basis": s.legal_basis, "term_days": s.term_days, "term_kind": s.term_kind,
        "late_documents_months": s.late_documents_months, "description": s.description,
        "active_from": s.active_from, "active_to": s.active_to,
        "calculator": s.calculator or None, "calculated_by": s.calculated_by or None,
        "calculation_note": s.calculation_note,
        "documents": [{"code": d.code, "title_uk": d.title_uk, "title_en": d.title_en, "hint": d.hint,
                       "timing": d.timing, "required": d.required_before_submit, "condition": d.condition}
                      for d in s.documents.all()],
    }


@router.get("/services", auth=None, response=list[ServiceOut], summary="Каталог послуг (публічний)")
def list_services(request):
    """Service types front offices accept now, with checklists and statutory terms. Read-only, public."""
    return [_service(s) for s in selectors.active_services()]


@router.get("/services/{code}", auth=None, response=ServiceOut, summary="Одна послуга")
def get_service(request, code: str):
    return _service(selectors.service_by_code(code))
