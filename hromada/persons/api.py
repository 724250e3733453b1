"""/api/v1/persons: the person registry of the front office (scoped by the access layer)."""
from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.schemas import Out, Page

from . import access_report as access_report_document
from . import selectors, services
from .models import HouseholdMember, Person

ROUTER_PREFIX = "/persons"

router = Router(tags=["persons"])
households = Router(tags=["persons"])
MORE_ROUTERS = {"/households": households}
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


class RegistryIdDocument(Out):
    type: str
    number: str


class RegistryAddress(Out):
    settlement_code: str | None
    settlement_name: str | None
    street: str
    house: str
    flat: str


class RegistryPerson(Out):
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


class TakeIntoWorkIn(Schema):
    rnokpp: str = Field(..., description="РНОКПП особи (10 цифр)")
    id_document_number: str = Field("", description="Номер документа, що посвідчує особу (доказ присутності)")
    last_name: str = Field("", description="Або: прізвище, ім’я та дата народження (доказ присутності)")
    first_name: str = ""
    patronymic: str = ""
    birth_date: date | None = None
    reason: str = Field(..., description="Навіщо громада бере особу в роботу (записується в журнал аудиту)")


class RegistryHouseholdIn(Schema):
    member_id: int
    relation: str = Field(..., description="spouse | child | parent | sibling | grandchild | grandparent | ward | other")


class RegistryHouseholdMember(Out):
    member: RegistryPerson
    relation: str
    relation_label: str
    since: date | None


def person_json(p: Person, *, masked: bool = False) -> dict:
    return {
        "id": p.pk, "last_name": p.last_name, "first_name": p.first_name, "patronymic": p.patronymic,
        "birth_date": p.birth_date, "sex": p.sex,
        "rnokpp": (p.masked_rnokpp if masked else p.rnokpp) or None, "no_rnokpp_reason": p.no_rnokpp_reason,
        "id_document": {"type": p.id_document_type,
                        "number": p.masked_id_document_number if masked else p.id_document_number}
        if p.id_document_type else None,
        "phone": p.phone, "email": p.email, "is_idp": p.is_idp, "version": p.version,
        "address": {"settlement_code": p.settlement.code if p.settlement_id else None,
                    "settlement_name": p.settlement.name if p.settlement_id else None,
                    "street": p.street, "house": p.house, "flat": p.flat},
    }


def household_json(h: HouseholdMember) -> dict:
    return {"member": person_json(h.member, masked=True), "relation": h.relation,
            "relation_label": str(h.get_relation_display()), "since": h.since}


@router.post("", response={201: RegistryPerson}, summary="Зареєструвати особу")
@access.api_permission("person.register")
def register(request, payload: RegistryPersonIn):
    """Validates РНОКПП (control digit, encoded birth date and sex), documents, phone; refuses a known
    РНОКПП/document (409 `duplicate_person`) and reports likely duplicates (409 `possible_duplicate`,
    `details.candidates`) unless `confirm_not_duplicate` is true."""
    data = payload.dict(exclude={"confirm_not_duplicate"})
    person = services.register_person(actor=request.user, data=data,
                                      confirm_not_duplicate=payload.confirm_not_duplicate, request=request)
    return Status(201, person_json(person))


@router.get("", response=list[RegistryPerson], summary="Пошук осіб")
@access.api_permission("person.view")
def search(request, response: HttpResponse, rnokpp: str | None = None, document: str | None = None,
           q: str | None = None, birth_date: date | None = None, page: Page = 1,
           raion: str | None = Query(None, description="Код КАТОТТГ району: особи з адресою в ньому"),
           settlement: str | None = Query(None, description="Код КАТОТТГ населеного пункту: особи з адресою в ньому"),
           with_total: bool = Query(False, description="1: кількість усіх знайдених — у заголовку X-Total-Count")):
    """Within the user's scope: exact `rnokpp`/`document`, or `q` (name, tolerant to case, apostrophes,
    typos; or a number); `raion` and `settlement` (КАТОТТГ codes, 422 `invalid_raion` / `invalid_settlement`)
    narrow any of them to residents of that place, or list its residents alone. A resident of another hromada:
    `POST /persons/take-into-work`. РНОКПП and the document number are masked in the list. 20 per page;
    `with_total=1` adds the header `X-Total-Count` (the body stays the list). Every page is audited (hit or
    miss); throttled per user (429 `rate_limited`)."""
    page = max(1, page)
    area = selectors.area_q(raion=raion, settlement=settlement)
    found = selectors.search_page(request.user, rnokpp=rnokpp, document=document, q=q, birth_date=birth_date,
                                  limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, area=area, with_total=with_total)
    kind = "rnokpp" if rnokpp else "document" if document else selectors.parse_query(q).kind
    details: dict = {"query": kind, "page": page}
    if raion or settlement:
        details["area"] = {"raion": raion, "settlement": settlement}
    audited_read(actor=request.user, action="person.search", objects=found.persons, object_type="persons.person",
                 request=request, details=details)
    if found.total is not None:
        response["X-Total-Count"] = str(found.total)
    return [person_json(p, masked=True) for p in found.persons]


@router.post("/take-into-work", response=RegistryPerson,
             summary="Взяти особу в роботу громади")
@access.api_permission("person.lookup_by_identifier")
def take_into_work(request, payload: TakeIntoWorkIn):
    """A resident of another hromada stands at the desk: РНОКПП plus the identity document's number (or
    full name and birth date) prove it, `reason` says why. A match links the person to the desk's hromada and
    returns her card; anything else is 404 `person_not_found` (no difference between "no such number" and
    "the proof does not match"). Audited, hit or miss; throttled (429 `rate_limited`, a security alert)."""
    person = services.take_person_into_work(
        actor=request.user, rnokpp=payload.rnokpp, id_document_number=payload.id_document_number,
        last_name=payload.last_name, first_name=payload.first_name, patronymic=payload.patronymic,
        birth_date=payload.birth_date, reason=payload.reason, request=request)
    return person_json(person)


@router.get("/{int:person_id}", response=RegistryPerson, summary="Картка особи")
@access.api_permission("person.view")
def detail(request, person_id: int):
    person = selectors.get_person(request.user, person_id)
    audited_read(actor=request.user, action="person.view", objects=[person], request=request)
    return person_json(person)


@router.patch("/{int:person_id}", response=RegistryPerson, summary="Змінити дані особи")
@access.api_permission("person.change")
def change(request, person_id: int, payload: RegistryPersonPatch):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    person = services.update_person(actor=request.user, person_id=person_id, data=data, expected_version=version,
                                    request=request)
    return person_json(person)


@router.get("/{int:person_id}/access-report.pdf", summary="Звіт про доступ до персональних даних особи (PDF)")
@access.api_permission("person.access_report")
def access_report(request, person_id: int):
    """The front office answers the resident's request under art. 8 of the Law «Про захист персональних даних»:
    every recorded access to her record and her cases, by any office (who — office and role —, when, what, why).
    Outside the desk's scope: 404. The generation itself is audited (``audit.access_report``)."""
    return access_report_document.response(request, person_id)


@router.get("/{int:person_id}/household", response=list[RegistryHouseholdMember], summary="Домогосподарство особи")
@access.api_permission("person.view")
def household(request, person_id: int):
    person = selectors.get_person(request.user, person_id)
    members = selectors.household_of(request.user, person)
    audited_read(actor=request.user, action="person.household_view", objects=[person] + [h.member for h in members],
                 request=request)
    return [household_json(h) for h in members]


@router.post("/{int:person_id}/household", response={201: RegistryHouseholdMember}, summary="Додати члена домогосподарства")
@access.api_permission("person.change")
def add_member(request, person_id: int, payload: RegistryHouseholdIn):
    link = services.add_household_member(actor=request.user, person_id=person_id, member_id=payload.member_id,
                                         relation=payload.relation, request=request)
    link = HouseholdMember.objects.select_related("member__settlement").get(pk=link.pk)
    return Status(201, household_json(link))


@router.delete("/{int:person_id}/household/{int:member_id}", response={204: None},
               summary="Вилучити члена домогосподарства")
@access.api_permission("person.change")
def remove_member(request, person_id: int, member_id: int):
    services.remove_household_member(actor=request.user, person_id=person_id, member_id=member_id, request=request)
    return Status(204, None)


class HouseholdRelationIn(Schema):
    member_index: int = Field(..., description="Номер особи в members (з 0); 0 — голова домогосподарства")
    relation: str = Field(..., description="Ким особа доводиться голові: spouse | child | parent | sibling | "
                                           "grandchild | grandparent | ward | other")


class HouseholdIn(Schema):
    members: list[RegistryPersonIn] = Field(..., description="Нові особи; перша — голова домогосподарства")
    relations: list[HouseholdRelationIn] = Field(default_factory=list)


class HouseholdCreated(Schema):
    ids: list[int] = Field(..., description="Id створених осіб у порядку members")


@households.post("", response={201: HouseholdCreated}, summary="Зареєструвати домогосподарство")
@access.api_permission("person.register")
def register_household(request, payload: HouseholdIn):
    """Registers a household of NEW residents in one request and one transaction: `members[0]` is the head,
    each other member has one `relations` item `{member_index, relation}` (who they are to the head). Each member
    is validated like `POST /persons` (422 codes, 409 `duplicate_person` / `possible_duplicate` unless the
    member's `confirm_not_duplicate`), the error naming the member in `details.member_index`. Other codes: 422
    `invalid_member_index`, `member_relation_required`, `invalid_relation`, `duplicate_in_household`,
    `household_too_large`. Answers 201 `{ids}` in the order of `members`."""
    persons = services.register_household(actor=request.user, members=[m.dict() for m in payload.members],
                                          relations=[r.dict() for r in payload.relations], request=request)
    return Status(201, {"ids": [p.pk for p in persons]})
