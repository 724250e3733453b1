"""The checks: which ones a case needs (``plan``), the message each sends, and how each reads the register's answer.

One small adapter per check. The request is the body of the register's SOAP operation (the WSDL's message type);
the reading returns ``(result, field, details)`` where result is match / mismatch / not_found and ``field`` names what
differs. When a real register grants its own WSDL, only its adapter (and the WSDL) changes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from hromada.core.text import normalize_name

from .models import Check, Register, Result

# Services whose decision depends on the family's income (the calculators take the incomes from ДПС).
INCOME_SERVICES = frozenset({"low_income_family", "housing_subsidy"})
BIRTH_SERVICES = frozenset({"birth_assistance"})
DEATH_SERVICES = frozenset({"funeral_assistance"})
IDP_SERVICES = frozenset({"idp_living_allowance"})
# Not a cash assistance: nothing to claim twice, no pension to look at.
NO_PENSION_CHECK = frozenset({"child_rights", "idp_certificate", "large_family_certificate"})
INCOME_QUARTERS = 2
ADULT_AGE = 18


@dataclass(frozen=True)
class Adapter:
    register: str
    check: str
    operation: str
    request: Callable[[Any], dict]                              # (person) -> body of the operation
    read: Callable[[Any, Any, dict], tuple[str, str, dict]]     # (application, person, answer) -> result


def _name_diff(person, name: dict | None) -> str:
    """The first field of the register's name block that differs from the person's card ('' when all match)."""
    if not name:
        return ""
    pairs = (("last_name", person.last_name, name.get("lastName")), ("first_name", person.first_name, name.get("firstName")),
             ("patronymic", person.patronymic, name.get("patronymic")))
    for field, ours, theirs in pairs:
        if normalize_name(ours) != normalize_name(theirs or ""):
            return field
    born = name.get("birthDate")
    if born and born != person.birth_date:
        return "birth_date"
    return ""


def _plain(name: dict | None) -> dict:
    if not name:
        return {}
    return {"last_name": name.get("lastName") or "", "first_name": name.get("firstName") or "",
            "patronymic": name.get("patronymic") or "",
            "birth_date": name["birthDate"].isoformat() if isinstance(name.get("birthDate"), date) else ""}


def split_certificate(number: str) -> tuple[str, str]:
    """"I-ЖТ 654321" → ("I-ЖТ", "654321"): the series is everything before the last space."""
    series, _sep, digits = (number or "").strip().rpartition(" ")
    return series.strip().upper(), digits.strip()


# --- civil status (ДРАЦС) ------------------------------------------------------------------------------------

def _birth_request(person) -> dict:
    series, number = split_certificate(person.id_document_number)
    return {"certificateSeries": series, "certificateNumber": number}


def _birth_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    details = {"register": _plain(answer.get("child")), "act": answer.get("actRecordNumber") or ""}
    field = _name_diff(person, answer.get("child"))
    return (Result.MISMATCH, field, details) if field else (Result.MATCH, "", details)


def _death_request(person) -> dict:
    return {"rnokpp": person.rnokpp}


def _death_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    died = answer.get("deathDate")
    details = {"register": _plain(answer.get("deceased")), "death_date": died.isoformat() if died else "",
               "act": answer.get("actRecordNumber") or ""}
    field = _name_diff(person, answer.get("deceased"))
    return (Result.MISMATCH, field, details) if field else (Result.MATCH, "", details)


# --- incomes (ДПС) ---------------------------------------------------------------------------------------------

def _incomes_request(person) -> dict:
    return {"rnokpp": person.rnokpp, "quarters": INCOME_QUARTERS}


def _incomes_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    cent = Decimal("0.01")
    rows = [{"year": int(r["year"]), "quarter": int(r["quarter"]), "amount": str(Decimal(r["amount"]).quantize(cent))}
            for r in answer.get("income") or []]
    total = sum((Decimal(r["amount"]) for r in rows), Decimal(0))
    months = 3 * max(len(rows), 1) if rows else 3 * INCOME_QUARTERS
    details = {"register": _plain(answer.get("person")), "incomes": rows, "total": str(total),
               "monthly": str((total / months).quantize(Decimal("0.01")))}
    field = _name_diff(person, answer.get("person"))
    return (Result.MISMATCH, field, details) if field else (Result.MATCH, "", details)


# --- pensions and assistance (ПФУ) ---------------------------------------------------------------------------

def _pension_request(person) -> dict:
    return {"rnokpp": person.rnokpp}


def _pension_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    benefits = [{"code": b["benefitCode"], "katottg": b["katottg"],
                 "since": b["since"].isoformat() if isinstance(b.get("since"), date) else str(b.get("since") or "")}
                for b in answer.get("benefit") or []]
    details = {"register": _plain(answer.get("person")), "receives_pension": bool(answer.get("receivesPension")),
               "pension_type": answer.get("pensionType") or "", "benefits": benefits}
    # The same assistance already paid elsewhere (another hromada): a double claim the back office must see.
    elsewhere = [b for b in benefits if b["code"] == app.service.code and b["katottg"] != app.hromada.code]
    if elsewhere:
        details["double_claim"] = elsewhere
        return Result.MISMATCH, "same_assistance", details
    field = _name_diff(person, answer.get("person"))
    return (Result.MISMATCH, field, details) if field else (Result.MATCH, "", details)


# --- the IDP register ------------------------------------------------------------------------------------------

def _idp_request(person) -> dict:
    return {"rnokpp": person.rnokpp}


def _idp_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    issued = answer.get("issuedOn")
    details = {"certificate": answer.get("certificateNumber") or "", "status": answer.get("status") or "",
               "issued_on": issued.isoformat() if issued else "", "katottg": answer.get("katottg") or ""}
    if (answer.get("status") or "") != "active":
        return Result.MISMATCH, "status", details
    return Result.MATCH, "", details


# --- identity documents (ДМС) ------------------------------------------------------------------------------------

def _identity_request(person) -> dict:
    return {"documentType": person.id_document_type, "documentNumber": person.id_document_number.replace(" ", "")}


def _identity_read(app, person, answer) -> tuple[str, str, dict]:
    if not answer.get("found"):
        return Result.NOT_FOUND, "", {}
    details = {"status": answer.get("status") or "", "register": _plain(answer.get("holder"))}
    if details["status"] != "valid":
        return Result.MISMATCH, "status", details   # lost, stolen, invalid, expired
    field = _name_diff(person, answer.get("holder"))
    return (Result.MISMATCH, field, details) if field else (Result.MATCH, "", details)


ADAPTERS: dict[str, Adapter] = {
    Check.BIRTH_RECORD: Adapter(Register.CIVIL, Check.BIRTH_RECORD, "GetBirthRecord", _birth_request, _birth_read),
    Check.DEATH_RECORD: Adapter(Register.CIVIL, Check.DEATH_RECORD, "GetDeathRecord", _death_request, _death_read),
    Check.INCOMES: Adapter(Register.TAX, Check.INCOMES, "GetIncomes", _incomes_request, _incomes_read),
    Check.PENSION_STATUS: Adapter(Register.PENSION, Check.PENSION_STATUS, "GetPensionStatus", _pension_request,
                                  _pension_read),
    Check.IDP_CERTIFICATE: Adapter(Register.IDP, Check.IDP_CERTIFICATE, "GetIdpCertificate", _idp_request, _idp_read),
    Check.IDENTITY_DOCUMENT: Adapter(Register.IDENTITY, Check.IDENTITY_DOCUMENT, "CheckIdentityDocument",
                                     _identity_request, _identity_read),
}

# What a mismatch's field means, for the screens.
FIELD_LABELS = {
    "last_name": gettext_lazy("прізвище"), "first_name": gettext_lazy("ім’я"), "patronymic": gettext_lazy("по батькові"),
    "birth_date": gettext_lazy("дата народження"), "status": gettext_lazy("статус документа"),
    "same_assistance": gettext_lazy("та сама допомога вже призначена в іншій громаді"),
}


def _age(person, on: date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def plan(app) -> list[tuple[str, Any]]:
    """(check, person) pairs the case needs: the applicant's document, pension and (for IDPs) certificate; the
    children's birth records; the deceased's death record; the adults' incomes for income-based services."""
    code = app.service.code
    participants = list(app.participants.select_related("person"))
    applicant = app.applicant_person
    # The family (not a representative or a recipient): their children, their incomes, the deceased.
    others = [p.person for p in participants if p.role in ("family_member", "dependant")]
    out: list[tuple[str, Any]] = []
    if applicant is None:
        return out
    if applicant.id_document_type in ("id_card", "passport") and applicant.id_document_number:
        out.append((Check.IDENTITY_DOCUMENT, applicant))
    if applicant.rnokpp and code not in NO_PENSION_CHECK:
        out.append((Check.PENSION_STATUS, applicant))
    if applicant.rnokpp and (code in IDP_SERVICES or applicant.is_idp):
        out.append((Check.IDP_CERTIFICATE, applicant))
    if code in BIRTH_SERVICES:
        out += [(Check.BIRTH_RECORD, p) for p in others
                if p.id_document_type == "birth_certificate" and p.id_document_number]
    if code in DEATH_SERVICES:
        out += [(Check.DEATH_RECORD, p) for p in others if p.rnokpp]
    if code in INCOME_SERVICES:
        seen = set()
        for person in [applicant, *others]:
            if person.rnokpp and person.pk not in seen and _age(person, app.application_date) >= ADULT_AGE:
                seen.add(person.pk)
                out.append((Check.INCOMES, person))
    return out
