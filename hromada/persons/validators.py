"""Validation of a person's identifiers and contacts.

Each ``clean_*`` function returns the normalised value or raises ``FieldError`` (a field, a
machine-readable code and a Ukrainian message). ``validate_person`` checks a whole record, collects
every field error and raises one ``ValidationFailed`` whose ``code`` is the most important error's
code (so API clients see ``invalid_rnokpp`` rather than a generic code) and whose
``details["errors"]`` lists all of them for forms.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ua import rntrc

from hromada.core.errors import ValidationFailed
from hromada.core.text import clean_name

from .models import IdDocumentType, Sex

# Digits 1–5 of a РНОКПП count days from this date (day 1 = 01.01.1900).
RNOKPP_EPOCH = date(1899, 12, 31)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# A person without a РНОКПП younger than this is a child identified by the birth certificate.
PASSPORT_AGE = 14
NO_NUMBER_YET_CHILD = _("РНОКПП дитині ще не присвоєно; особу дитини посвідчує свідоцтво про народження.")

UA_CAPITALS = "А-ЩЬЮЯҐЄІЇ"
_ID_CARD_RE = re.compile(r"^\d{9}$")
_PASSPORT_RE = re.compile(rf"^[{UA_CAPITALS}]{{2}}\d{{6}}$")
# Series: a Roman numeral in Latin letters, a dash, two Ukrainian capitals; then six digits.
_BIRTH_CERT_RE = re.compile(rf"^(?P<roman>[IVXLC]+)-(?P<letters>[{UA_CAPITALS}]{{2}}) ?(?P<number>\d{{6}})$")
_ROMAN_RE = re.compile(r"^(?=[IVXLC])L?X{0,3}(IX|IV|V?I{0,3})$")
_NAME_RE = re.compile(r"^[A-Za-zА-ЯҐЄІЇа-яґєії]+(?:[ʼ\- ][A-Za-zА-ЯҐЄІЇа-яґєії]+)*$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-()]")


class FieldError(ValidationFailed):
    """One field's error (its code a member of ErrorCode); usually gathered into ``combined_error``."""

    def __init__(self, field: str, code: str, message):
        super().__init__(message, code=code)
        self.field = field

    def __eq__(self, other) -> bool:
        return isinstance(other, FieldError) and (self.field, self.code, str(self.message)) == (
            other.field, other.code, str(other.message))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {str(self.code)!r}, {str(self.message)!r})"

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


# The order in which codes win the top-level ``code`` of a combined error.
_CODE_PRIORITY = ["invalid_rnokpp", "rnokpp_birth_date_mismatch", "rnokpp_sex_mismatch",
                  "rnokpp_refusal_requires_passport", "no_rnokpp_reason_required", "invalid_id_document",
                  "invalid_birth_date", "required_field", "invalid_name", "invalid_sex", "invalid_phone",
                  "invalid_email", "invalid_settlement"]


def combined_error(errors: list[FieldError]) -> ValidationFailed:
    ranked = sorted(errors, key=lambda e: _CODE_PRIORITY.index(e.code) if e.code in _CODE_PRIORITY else 99)
    first = ranked[0]
    return ValidationFailed(first.message, code=first.code, details={"errors": [e.as_dict() for e in errors]})


def clean_rnokpp(value: str | None) -> str | None:
    """10 digits with a valid control digit (stdnum), or None when empty."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    try:
        return rntrc.validate(value)
    except StdnumError:
        raise FieldError("rnokpp", "invalid_rnokpp",
                         _("РНОКПП має складатися з 10 цифр із правильною контрольною цифрою.")) from None


def rnokpp_birth_date(rnokpp: str) -> date:
    return RNOKPP_EPOCH + timedelta(days=int(rnokpp[:5]))


def rnokpp_sex(rnokpp: str) -> str:
    return Sex.MALE if int(rnokpp[8]) % 2 else Sex.FEMALE


def check_rnokpp_matches(rnokpp: str, *, birth_date: date | None, sex: str | None) -> None:
    """The birth date (digits 1–5) and sex (9th digit: odd = male) encoded in the number must agree."""
    if birth_date is not None and rnokpp_birth_date(rnokpp) != birth_date:
        raise FieldError("rnokpp", "rnokpp_birth_date_mismatch",
                         _("Дата народження, закодована в РНОКПП, не збігається з указаною датою народження."))
    if sex in (Sex.MALE, Sex.FEMALE) and rnokpp_sex(rnokpp) != sex:
        raise FieldError("rnokpp", "rnokpp_sex_mismatch",
                         _("Стать, закодована в РНОКПП (9-та цифра), не збігається з указаною статтю."))


def clean_birth_date(value, *, today: date | None = None) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise FieldError("birth_date", "invalid_birth_date", _("Вкажіть дату народження у форматі РРРР-ММ-ДД."))
    today = today or date.today()
    if value > today:
        raise FieldError("birth_date", "invalid_birth_date", _("Дата народження не може бути в майбутньому."))
    if value < EARLIEST_BIRTH_DATE:
        raise FieldError("birth_date", "invalid_birth_date", _("Дата народження не може бути раніше 1900 року."))
    return value


def clean_id_document(doc_type: str | None, number: str | None) -> tuple[str, str]:
    """Normalised (type, number) or ("", "") when no document is given.

    Latin look-alike letters in a passport series are refused, not silently replaced: the number must be
    retyped from the document, so a wrong keyboard layout is noticed by the specialist.
    """
    doc_type = (doc_type or "").strip()
    number = (number or "").strip()
    if not doc_type and not number:
        return "", ""
    if doc_type not in IdDocumentType.values:
        raise FieldError("id_document", "invalid_id_document",
                         _("Оберіть тип документа: ID-картка, паспорт або свідоцтво про народження."))
    if not number:
        raise FieldError("id_document", "invalid_id_document", _("Вкажіть номер документа, що посвідчує особу."))
    if doc_type == IdDocumentType.ID_CARD:
        number = number.replace(" ", "")
        if not _ID_CARD_RE.match(number):
            raise FieldError("id_document", "invalid_id_document", _("Номер ID-картки — 9 цифр."))
    elif doc_type == IdDocumentType.PASSPORT:
        number = number.replace(" ", "").upper()
        if not _PASSPORT_RE.match(number):
            raise FieldError("id_document", "invalid_id_document",
                             _("Паспорт (книжечка): дві українські великі літери та 6 цифр, наприклад АБ123456. "
                               "Латинські літери не допускаються."))
    else:
        compact = re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", number.upper()))
        match = _BIRTH_CERT_RE.match(compact)
        if not match or not _ROMAN_RE.match(match["roman"]):
            raise FieldError("id_document", "invalid_id_document",
                             _("Свідоцтво про народження: серія з римської цифри латинськими літерами, дефісу та "
                               "двох українських великих літер, потім 6 цифр, наприклад I-ЖТ 123456."))
        number = f"{match['roman']}-{match['letters']} {match['number']}"
    return doc_type, number


def clean_phone(value: str | None) -> str:
    """+380XXXXXXXXX; 0XXXXXXXXX and 380XXXXXXXXX are accepted and normalised."""
    value = _PHONE_SEPARATORS_RE.sub("", value or "")
    if not value:
        return ""
    if re.fullmatch(r"0\d{9}", value):
        value = "+38" + value
    elif re.fullmatch(r"380\d{9}", value):
        value = "+" + value
    if not re.fullmatch(r"\+380\d{9}", value):
        raise FieldError("phone", "invalid_phone", _("Телефон: +380 і 9 цифр, наприклад +380671234567."))
    return value


def clean_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except DjangoValidationError:
        raise FieldError("email", "invalid_email", _("Вкажіть правильну адресу ел. пошти.")) from None
    return value.lower()


def clean_person_name(field: str, value: str | None, *, required: bool) -> str:
    value = clean_name(value)
    if not value:
        if required:
            raise FieldError(field, "required_field", _("Це поле обов’язкове."))
        return ""
    if len(value) > 100 or not _NAME_RE.match(value):
        raise FieldError(field, "invalid_name",
                         _("Ім’я може містити лише літери, апостроф, дефіс і пробіл (до 100 символів)."))
    return value


_LATIN_RE = re.compile(r"[A-Za-z]")


def latin_letters_warning(last_name: str | None) -> str:
    """A warning (not an error: a foreigner's name may be Latin) when a surname holds Latin letters — most often
    look-alikes (a, c, e, i, o, p, x) typed on the wrong keyboard layout, which break every later search."""
    letters = sorted(set(_LATIN_RE.findall(last_name or "")))
    if not letters:
        return ""
    return _("У прізвищі «%(name)s» є латинські літери (%(letters)s). Українське прізвище пишуть кирилицею: "
             "перевірте розкладку клавіатури.") % {"name": last_name, "letters": ", ".join(letters)}


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_person(data: dict, *, today: date | None = None) -> dict:
    """Check and normalise a person's record (the API shape, see ``services``); return clean fields.

    Raises ``ValidationFailed`` listing every field error. The settlement is not resolved here
    (that needs the database); ``services`` does it.
    """
    today = today or date.today()
    errors: list[FieldError] = []
    clean: dict = {}

    def run(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FieldError as exc:
            errors.append(exc)
            return None

    clean["last_name"] = run(clean_person_name, "last_name", data.get("last_name"), required=True)
    clean["first_name"] = run(clean_person_name, "first_name", data.get("first_name"), required=True)
    clean["patronymic"] = run(clean_person_name, "patronymic", data.get("patronymic"), required=False) or ""
    clean["birth_date"] = run(clean_birth_date, data.get("birth_date"), today=today)
    sex = data.get("sex")
    if sex not in Sex.values:
        errors.append(FieldError("sex", "invalid_sex", _("Вкажіть стать: M (чоловіча) або F (жіноча).")))
        sex = None
    clean["sex"] = sex
    document = data.get("id_document") or {}
    doc = run(clean_id_document, document.get("type"), document.get("number")) or ("", "")
    clean["id_document_type"], clean["id_document_number"] = doc
    rnokpp = run(clean_rnokpp, data.get("rnokpp"))
    clean["rnokpp"] = rnokpp
    reason = " ".join((data.get("no_rnokpp_reason") or "").split())[:255]
    if rnokpp:
        run(check_rnokpp_matches, rnokpp, birth_date=clean["birth_date"], sex=sex)
        reason = ""  # a number was given: there is no refusal to record
    elif not any(e.field == "rnokpp" for e in errors):
        is_child = clean["birth_date"] is not None and age_on(clean["birth_date"], today) < PASSPORT_AGE
        if not reason and is_child and doc[0] == IdDocumentType.BIRTH_CERTIFICATE:
            # A newborn often has no number yet: the birth certificate identifies the child, and what is recorded
            # is that fact, not a "refusal" the desk would have to invent.
            reason = str(NO_NUMBER_YET_CHILD)
        if not reason:
            errors.append(FieldError("no_rnokpp_reason", "no_rnokpp_reason_required",
                                     _("Вкажіть РНОКПП або зафіксуйте причину його відсутності (відмова від номера).")))
        elif doc[0] != IdDocumentType.PASSPORT and not (is_child and doc[0] == IdDocumentType.BIRTH_CERTIFICATE):
            # The law identifies a person who refused the number by the passport booklet (with a mark);
            # a child without a number is identified by the birth certificate.
            errors.append(FieldError("id_document", "rnokpp_refusal_requires_passport",
                                     _("Особу без РНОКПП ідентифікують за паспортом (книжечкою): "
                                       "вкажіть серію та номер паспорта.")))
    clean["no_rnokpp_reason"] = reason
    clean["phone"] = run(clean_phone, data.get("phone")) or ""
    clean["email"] = run(clean_email, data.get("email")) or ""
    clean["is_idp"] = bool(data.get("is_idp"))
    address = data.get("address") or {}
    clean["settlement_code"] = (address.get("settlement_code") or "").strip().upper()
    for field, limit in (("street", 200), ("house", 20), ("flat", 20)):
        value = " ".join((address.get(field) or "").split())
        if len(value) > limit:
            errors.append(FieldError(f"address.{field}", "invalid_address",
                                     _("Надто довге значення в адресі.")))
        clean[field] = value[:limit]
    if errors:
        raise combined_error(errors)
    return clean
