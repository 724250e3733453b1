"""The simulator's synthetic registers, generated from the demo residents (hromada.persons.demo) so that the demo's
cases find their people — and some deliberate mismatches a specialist must see:

* Ганна Пʼятниця: her passport ЖМ765432 is reported lost (identity: mismatch ``status``), she receives an old-age
  pension and low-income family assistance in another hromada (pension: mismatch ``same_assistance``);
* Василь Бондаренко: the tax register has his birth date as 03.09.1970, not 30.09.1970 (tax: mismatch
  ``birth_date``);
* Марія Коваленко is not in the IDP register (idp: not_found); Олена Ткачук is, with an active certificate.

Besides the demo residents a few synthetic people exist only here, for tests and demos of the other answers (a
birth record with another child's name, a death record); see ``EXTRA``. Nothing here is a real person.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from hromada.persons.demo import RESIDENTS
from hromada.persons.testing import make_rnokpp

BARANIVSKA = "UA18080010000090720"
TETERIVSKA = "UA18040530000045696"
OTHER_HROMADA = "UA18080150000013123"   # a hromada where no demo front office works (for the double claim)


@dataclass
class Person:
    rnokpp: str | None
    last_name: str
    first_name: str
    patronymic: str
    birth_date: date
    sex: str
    document: tuple[str, str] | None = None

    def name(self) -> dict:
        return {"lastName": self.last_name, "firstName": self.first_name, "patronymic": self.patronymic,
                "birthDate": self.birth_date}


@dataclass
class Registers:
    people: dict[str, Person] = field(default_factory=dict)               # by РНОКПП
    documents: dict[tuple[str, str], tuple[str, Person]] = field(default_factory=dict)  # (type, number) → status
    births: dict[tuple[str, str], dict] = field(default_factory=dict)     # (series, number) → record
    deaths: dict[str, dict] = field(default_factory=dict)                 # by РНОКПП
    incomes: dict[str, list[tuple[int, int, Decimal]]] = field(default_factory=dict)
    tax_names: dict[str, Person] = field(default_factory=dict)            # what ДПС has on the person
    pensions: dict[str, dict] = field(default_factory=dict)
    idp: dict[str, dict] = field(default_factory=dict)
    registrations: list[dict] = field(default_factory=list)               # the birth feed, in sequence order


def last_quarters(today: date, n: int) -> list[tuple[int, int]]:
    """The ``n`` full quarters before the one ``today`` is in, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append((year, quarter))
    return list(reversed(out))


# Monthly income per demo resident (UAH), as ДПС would have it from the employers' and the Pension Fund's reports.
MONTHLY = {"maria": Decimal("2400.00"), "petro": Decimal("3100.00"), "hanna": Decimal("2890.00"),
           "vasyl": Decimal("9800.00"), "olena": Decimal("0")}

# People who exist only in the simulator: (key, last, first, patronymic, birth date, sex, serial, document).
EXTRA = [
    ("deceased", "Мельничук", "Степан", "Іванович", date(1941, 2, 3), "M", 901, ("passport", "ЖМ000901")),
    ("newborn", "Коваленко", "Марко", "Петрович", date.today() - timedelta(days=9), "M", 902, None),
    ("other_child", "Бондар", "Дарина", "Олегівна", date(2024, 8, 17), "F", 903, None),
]
# Birth certificates (series, number) the civil register knows besides the demo's.
EXTRA_BIRTHS = {"newborn": ("I-ЖТ", "700902"), "other_child": ("I-ЖТ", "700903")}


def build(today: date | None = None) -> Registers:
    today = today or date.today()
    regs = Registers()
    by_key: dict[str, Person] = {}
    for key, _user, last, first, patronymic, born, sex, serial, doc, _addr, _extra in RESIDENTS:
        person = Person(make_rnokpp(born, sex, serial) if serial is not None else None, last, first, patronymic, born,
                        sex, doc)
        by_key[key] = person
    for key, last, first, patronymic, born, sex, serial, doc in EXTRA:
        by_key[key] = Person(make_rnokpp(born, sex, serial), last, first, patronymic, born, sex, doc)
    for person in by_key.values():
        if person.rnokpp:
            regs.people[person.rnokpp] = person
            regs.tax_names[person.rnokpp] = person
        if person.document and person.document[0] in ("id_card", "passport"):
            regs.documents[person.document] = ("valid", person)

    # Civil status: the demo child's certificate, the simulator's own children, one death.
    for person in by_key.values():
        if person.document and person.document[0] == "birth_certificate":
            series, _sep, number = person.document[1].rpartition(" ")
            regs.births[(series, number)] = {"child": person, "act": f"{1000 + len(regs.births)}",
                                            "registered_on": person.birth_date + timedelta(days=7)}
    for key, (series, number) in EXTRA_BIRTHS.items():
        regs.births[(series, number)] = {"child": by_key[key], "act": f"{2000 + len(regs.births)}",
                                        "registered_on": min(by_key[key].birth_date + timedelta(days=5), today)}
    deceased = by_key["deceased"]
    regs.deaths[deceased.rnokpp] = {"person": deceased, "death_date": today - timedelta(days=20), "act": "3001"}

    # Incomes for the last four full quarters.
    for key, monthly in MONTHLY.items():
        person = by_key[key]
        regs.incomes[person.rnokpp] = [(y, q, monthly * 3) for y, q in last_quarters(today, 4)]
    vasyl = by_key["vasyl"]
    regs.tax_names[vasyl.rnokpp] = Person(vasyl.rnokpp, vasyl.last_name, vasyl.first_name, vasyl.patronymic,
                                          date(1970, 9, 3), vasyl.sex, vasyl.document)

    # Pensions and assistance already paid (ПФУ).
    for key, person in by_key.items():
        if person.rnokpp and key not in ("newborn", "other_child", "deceased", "sofia"):
            regs.pensions[person.rnokpp] = {"receives": False, "type": "", "benefits": []}
    hanna = by_key["hanna"]
    regs.pensions[hanna.rnokpp] = {"receives": True, "type": "за віком", "benefits": [
        {"benefitCode": "low_income_family", "katottg": OTHER_HROMADA, "since": date(today.year, 1, 1)}]}
    regs.pensions[by_key["maria"].rnokpp]["benefits"] = [
        {"benefitCode": "birth_assistance", "katottg": BARANIVSKA, "since": date(2016, 6, 1)}]
    # A document reported lost.
    regs.documents[hanna.document] = ("lost", hanna)

    # The IDP register.
    olena = by_key["olena"]
    regs.idp[olena.rnokpp] = {"number": "1803-7000012345", "issued": date(2022, 4, 11), "status": "active",
                              "katottg": TETERIVSKA}

    # The birth feed: the newborn to Марія Коваленко, registered in Баранівська hromada.
    maria = by_key["maria"]
    add_registration(regs, child=by_key["newborn"], certificate=EXTRA_BIRTHS["newborn"], mother=maria,
                     katottg=BARANIVSKA, at=datetime.combine(min(by_key["newborn"].birth_date + timedelta(days=5), today),
                                                             datetime.min.time()))
    return regs


def add_registration(regs: Registers, *, child: Person, certificate: tuple[str, str], mother: Person | None,
                     katottg: str, at: datetime) -> dict:
    """A new birth registration in the feed (and its record in the civil register)."""
    record = {"sequence": len(regs.registrations) + 1, "registeredAt": at, "katottg": katottg,
              "certificateSeries": certificate[0], "certificateNumber": certificate[1], "child": child,
              "mother": mother}
    regs.registrations.append(record)
    regs.births.setdefault(certificate, {"child": child, "act": f"{4000 + record['sequence']}",
                                         "registered_on": at.date()})
    if child.rnokpp:
        regs.people.setdefault(child.rnokpp, child)
    return record
