from datetime import date

import pytest

from hromada.core.errors import ValidationFailed
from hromada.persons.testing import make_rnokpp
from hromada.persons.validators import (
    FieldError,
    clean_birth_date,
    clean_id_document,
    clean_phone,
    clean_rnokpp,
    rnokpp_birth_date,
    rnokpp_sex,
    validate_person,
)

BORN = date(1985, 3, 14)
TODAY = date(2026, 11, 23)


def person(**over):
    data = {"last_name": "Коваленко", "first_name": "Марія", "patronymic": "Іванівна", "birth_date": "1985-03-14",
            "sex": "F", "rnokpp": make_rnokpp(BORN, "F", 7), "id_document": {"type": "id_card", "number": "001234567"}}
    data.update(over)
    return data


def codes(exc):
    return [e["code"] for e in exc.value.details["errors"]]


def test_make_rnokpp_encodes_birth_date_and_sex():
    for sex in "MF":
        for serial in (0, 1, 4, 5, 999, 4999):
            number = make_rnokpp(BORN, sex, serial)
            assert clean_rnokpp(number) == number
            assert rnokpp_birth_date(number) == BORN
            assert rnokpp_sex(number) == sex
    assert len({make_rnokpp(BORN, "M", s) for s in range(50)}) == 50


def test_known_valid_number_from_stdnum_docs():
    assert clean_rnokpp(" 1759013776 ") == "1759013776"
    # 1900-01-01 is day 1; 1948-01-01 is day 17532 (48 years, 11 leap days), so day 17590 is 28.02.1948.
    assert rnokpp_birth_date("1759013776") == date(1948, 2, 28)


@pytest.mark.parametrize("bad", ["1759013770", "175901377", "17590137760", "17590A3776"])
def test_invalid_rnokpp(bad):
    with pytest.raises(FieldError) as exc:
        clean_rnokpp(bad)
    assert exc.value.code == "invalid_rnokpp"


def test_valid_person_is_normalised():
    clean = validate_person(person(last_name="  пʼятниця'ко ", first_name="Марія  Анна", phone="067 123-45-67",
                                   email="Maria@Example.COM", address={"settlement_code": "ua18080010010059187"}),
                            today=TODAY)
    assert clean["last_name"] == "пʼятницяʼко"
    assert clean["first_name"] == "Марія Анна"
    assert clean["phone"] == "+380671234567"
    assert clean["email"] == "maria@example.com"
    assert clean["settlement_code"] == "UA18080010010059187"
    assert clean["birth_date"] == BORN


def test_wrong_control_digit():
    good = make_rnokpp(BORN, "F", 7)
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(rnokpp=bad), today=TODAY)
    assert exc.value.code == "invalid_rnokpp"
    assert exc.value.status == 422


def test_birth_date_mismatch():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(birth_date="1985-03-15"), today=TODAY)
    assert exc.value.code == "rnokpp_birth_date_mismatch"


def test_sex_mismatch():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(sex="M"), today=TODAY)
    assert exc.value.code == "rnokpp_sex_mismatch"


def test_refusal_requires_reason_and_passport():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(rnokpp=None), today=TODAY)
    assert exc.value.code == "no_rnokpp_reason_required"
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(rnokpp=None, no_rnokpp_reason="релігійні переконання"), today=TODAY)
    assert exc.value.code == "rnokpp_refusal_requires_passport"
    clean = validate_person(person(rnokpp=None, no_rnokpp_reason="релігійні переконання",
                                   id_document={"type": "passport", "number": "жт 123456"}), today=TODAY)
    assert clean["rnokpp"] is None and clean["id_document_number"] == "ЖТ123456"


def test_child_without_number_is_identified_by_birth_certificate():
    clean = validate_person(person(rnokpp="", birth_date="2020-01-01", no_rnokpp_reason="номер не присвоєно",
                                   id_document={"type": "birth_certificate", "number": "I-ЖТ 123456"}), today=TODAY)
    assert clean["id_document_type"] == "birth_certificate"


def test_newborn_without_number_is_registered_with_the_birth_certificate_alone():
    """No "refusal" reason is demanded of a newborn: the missing number is recorded as not yet assigned."""
    clean = validate_person(person(rnokpp="", birth_date="2026-11-01", no_rnokpp_reason="",
                                   id_document={"type": "birth_certificate", "number": "I-ЖТ 123456"}), today=TODAY)
    assert clean["rnokpp"] is None and "ще не присвоєно" in clean["no_rnokpp_reason"]
    # An adult (or a child with an ID card) still needs the number or a recorded refusal.
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(rnokpp="", no_rnokpp_reason=""), today=TODAY)
    assert exc.value.code == "no_rnokpp_reason_required"


@pytest.mark.parametrize(("doc_type", "number", "expected"), [
    ("id_card", "001234567", "001234567"),
    ("id_card", "001 234 567", "001234567"),
    ("passport", "ЖТ123456", "ЖТ123456"),
    ("passport", "жт 123456", "ЖТ123456"),
    ("passport", "ЇҐ000001", "ЇҐ000001"),
    ("birth_certificate", "I-ЖТ 123456", "I-ЖТ 123456"),
    ("birth_certificate", "iii - жт123456", "III-ЖТ 123456"),
    ("birth_certificate", "IV-АБ  000001", "IV-АБ 000001"),
    ("birth_certificate", "XII-ЖТ 123456", "XII-ЖТ 123456"),
])
def test_document_formats_valid(doc_type, number, expected):
    assert clean_id_document(doc_type, number) == (doc_type, expected)


@pytest.mark.parametrize(("doc_type", "number"), [
    ("id_card", "12345678"), ("id_card", "1234567890"), ("id_card", "AB1234567"),
    ("passport", "AB123456"),        # Latin look-alikes are refused
    ("passport", "ЖT123456"),        # one Latin T
    ("passport", "ЖТ12345"), ("passport", "ЫЭ123456"), ("passport", "123456"),
    ("birth_certificate", "І-ЖТ 123456"),   # Cyrillic І instead of the Latin numeral
    ("birth_certificate", "IIII-ЖТ 123456"), ("birth_certificate", "I-ZT 123456"),
    ("birth_certificate", "I-ЖТ 12345"), ("birth_certificate", "ЖТ 123456"),
    ("driving_licence", "123456789"), ("passport", ""),
])
def test_document_formats_invalid(doc_type, number):
    with pytest.raises(FieldError) as exc:
        clean_id_document(doc_type, number)
    assert exc.value.code == "invalid_id_document"


def test_invalid_document_in_person():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(id_document={"type": "passport", "number": "AB123456"}), today=TODAY)
    assert exc.value.code == "invalid_id_document"


@pytest.mark.parametrize(("raw", "expected"), [("+380671234567", "+380671234567"), ("0671234567", "+380671234567"),
                                               ("380 67 123 45 67", "+380671234567"), ("(067) 123-45-67", "+380671234567"),
                                               ("", "")])
def test_phone_normalised(raw, expected):
    assert clean_phone(raw) == expected


@pytest.mark.parametrize("raw", ["+38067123456", "+4916012345678", "067123456", "phone"])
def test_phone_invalid(raw):
    with pytest.raises(FieldError) as exc:
        clean_phone(raw)
    assert exc.value.code == "invalid_phone"


@pytest.mark.parametrize("raw", ["2030-01-01", "1899-12-31", "14.03.1985", "", None])
def test_birth_date_bounds(raw):
    with pytest.raises(FieldError) as exc:
        clean_birth_date(raw, today=TODAY)
    assert exc.value.code == "invalid_birth_date"


def test_every_error_is_listed_with_its_field():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(last_name="", sex="X", email="not-an-email", phone="12"), today=TODAY)
    assert set(codes(exc)) == {"required_field", "invalid_sex", "invalid_email", "invalid_phone"}
    fields = {e["field"] for e in exc.value.details["errors"]}
    assert fields == {"last_name", "sex", "email", "phone"}
    assert all(e["message"] for e in exc.value.details["errors"])


def test_name_with_digits_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        validate_person(person(first_name="Марія2"), today=TODAY)
    assert exc.value.code == "invalid_name"
