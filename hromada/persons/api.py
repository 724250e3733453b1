"""/api/v1/persons: the person registry of the front office (scoped by the access layer)."""
from __future__ import annotations

from datetime import date

from ninja import Field, Router, Schema, Status

from hromada.accounts import access

from . import selectors, services
from .models import HouseholdMember, Person

ROUTER_PREFIX = "/persons"
router = Router(tags=["persons"])
PAGE_SIZE = 20


class RegistryIdDocumentIn(Schema):
    type: str = Field("", description="id_card | passport | birth_certificate")
    number: str = ""


class RegistryAddressIn(Schema):
    settlement_code: str = Field("", description="Код КАТОТТГ населеного пункту (категорії M, X, C, K)")
    street: str = ""
    house: str = ""
    flat: str = ""


class RegistryPersonIn(Schema):
    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: str = Field(..., description="РРРР-ММ-ДД")
    sex: str = Field(..., description='"M" | "F"')
    rnokpp: str | None = None
    no_rnokpp_reason: str = Field("", description="Причина відсутності РНОКПП (відмова від номера)")
    id_document: RegistryIdDocumentIn | None = None
    phone: str = Field("", description="+380XXXXXXXXX (0XXXXXXXXX теж приймається)")
    email: str = ""
    address: RegistryAddressIn | None = None
    is_idp: bool = False
    confirm_not_duplicate: bool = Field(False, description="Фахівець підтвердив, що схожі записи — інші особи")


class RegistryPersonPatch(Schema):
    version: int = Field(..., description="Версія, яку редагували (оптимістичне блокування)")
    last_name: str | None = None
    first_name: str | None = None
    patronymic: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    rnokpp: str | None = None
    no_rnokpp_reason: str | None = None
    id_document: RegistryIdDocumentIn | None = None
    phone: str | None = None
    email: str | None = None
    address: RegistryAddressIn | None = None
    is_idp: bool | None = None


class RegistryIdDocument(Schema):
    type: str
    number: str


class RegistryAddress(Schema):
    settlement_code: str | None
    settlement_name: str | None
    street: str
    house: str
    flat: str


class RegistryPerson(Schema):
    id: int
    last_name: str
    first_name: str
    patronymic: str
    birth_date: date
    sex: str
    rnokpp: str | None
    no_rnokpp_reason: str
    id_document: RegistryIdDocument | None
    phone: str
    email: str
    address: RegistryAddress
    is_idp: bool
    version: int


class RegistryHouseholdIn(Schema):
    member_id: int
    relation: str = Field(..., description="spouse | child | parent | sibling | grandchild | grandparent | ward | other")


class RegistryHouseholdMember(Schema):
    member: RegistryPerson
    relation: str
    relation_label: str
    since: date | None


def person_json(p: Person, *, masked: bool = False) -> dict:
    return {
        "id": p.pk, "last_name": p.last_name, "first_name": p.first_name, "patronymic": p.patronymic,
        "birth_date": p.birth_date, "sex": p.sex,
        "rnokpp": (p.masked_rnokpp if masked else p.rnokpp) or None, "no_rnokpp_reason": p.no_rnokpp_reason,
        "id_document": {"type": p.id_document_type, "number": p.id_document_number} if p.id_document_type else None,
        "phone": p.phone, "email": p.email, "is_idp": p.is_idp, "version": p.version,
        "address": {"settlement_code": p.settlement.code if p.settlement_id else None,
                    "settlement_name": p.settlement.name if p.settlement_id else None,
                    "street": p.street, "house": p.house, "flat": p.flat},
    }


def household_json(h: HouseholdMember) -> dict:
    return {"member": person_json(h.member, masked=True), "relation": h.relation,
            "relation_label": str(h.get_relation_display()), "since": h.since}


@router.post("", response={201: RegistryPerson}, summary="Зареєструвати особу")
def register(request, payload: RegistryPersonIn):
    """Validates РНОКПП (control digit, encoded birth date and sex), documents, phone; refuses a known
    РНОКПП/document (409 `duplicate_person`) and reports likely duplicates (409 `possible_duplicate`,
    `details.candidates`) unless `confirm_not_duplicate` is true."""
    data = payload.dict(exclude={"confirm_not_duplicate"})
    person = services.register_person(actor=request.user, data=data,
                                      confirm_not_duplicate=payload.confirm_not_duplicate, request=request)
    return Status(201, person_json(person))


@router.get("", response=list[RegistryPerson], summary="Пошук осіб")
def search(request, rnokpp: str | None = None, document: str | None = None, q: str | None = None,
           birth_date: date | None = None, page: int = 1):
    """Exact `rnokpp`/`document`: country-wide for a front-office specialist (the person is then linked to
    the specialist's hromada, audited); `q` (name, tolerant to case, apostrophes, typos; or a number):
    within the scope. РНОКПП is masked in the list. 20 per page."""
    access.require(request.user, "person.view")
    page = max(1, page)
    persons = selectors.search_persons(request.user, rnokpp=rnokpp, document=document, q=q, birth_date=birth_date,
                                       limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, request=request)
    return [person_json(p, masked=True) for p in persons]


@router.get("/{int:person_id}", response=RegistryPerson, summary="Картка особи")
def detail(request, person_id: int):
    return person_json(selectors.get_person(request.user, person_id, request=request))


@router.patch("/{int:person_id}", response=RegistryPerson, summary="Змінити дані особи")
def change(request, person_id: int, payload: RegistryPersonPatch):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    person = services.update_person(actor=request.user, person_id=person_id, data=data, expected_version=version,
                                    request=request)
    return person_json(person)


@router.get("/{int:person_id}/household", response=list[RegistryHouseholdMember], summary="Домогосподарство особи")
def household(request, person_id: int):
    person = selectors.get_person(request.user, person_id, request=request)
    return [household_json(h) for h in selectors.household_of(request.user, person)]


@router.post("/{int:person_id}/household", response={201: RegistryHouseholdMember}, summary="Додати члена домогосподарства")
def add_member(request, person_id: int, payload: RegistryHouseholdIn):
    link = services.add_household_member(actor=request.user, person_id=person_id, member_id=payload.member_id,
                                         relation=payload.relation, request=request)
    link = HouseholdMember.objects.select_related("member__settlement").get(pk=link.pk)
    return Status(201, household_json(link))


@router.delete("/{int:person_id}/household/{int:member_id}", response={204: None},
               summary="Вилучити члена домогосподарства")
def remove_member(request, person_id: int, member_id: int):
    services.remove_household_member(actor=request.user, person_id=person_id, member_id=member_id, request=request)
    return Status(204, None)
