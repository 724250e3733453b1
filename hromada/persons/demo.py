"""Demo residents of Баранівська and Тетерівська hromadas (valid-looking but invented identifiers)."""
from __future__ import annotations

from datetime import date

from hromada.accounts.models import User

from . import services
from .models import HouseholdMember, Person
from .testing import make_rnokpp

BARANIVKA = "UA18080010010059187"
TETERIVKA = "UA18040530010026726"

# (key, registering user, last, first, patronymic, birth date, sex, serial or None, document, address, extra)
RESIDENTS = [
    ("maria", "front_demo", "Коваленко", "Марія", "Іванівна", date(1985, 3, 14), "F", 101,
     ("id_card", "001234567"), (BARANIVKA, "вул. Соборна", "5", "3"), {"phone": "+380671234501"}),
    ("petro", "front_demo", "Коваленко", "Петро", "Сергійович", date(1983, 7, 2), "M", 102,
     ("passport", "ЖТ123456"), (BARANIVKA, "вул. Соборна", "5", "3"), {"phone": "+380671234502"}),
    ("sofia", "front_demo", "Коваленко", "Софія", "Петрівна", date(2016, 5, 20), "F", 103,
     ("birth_certificate", "I-ЖТ 654321"), (BARANIVKA, "вул. Соборна", "5", "3"), {}),
    ("hanna", "front_demo", "Пʼятниця", "Ганна", "Олексіївна", date(1950, 11, 8), "F", 104,
     ("passport", "ЖМ765432"), (BARANIVKA, "вул. Шевченка", "12", ""), {"phone": "+380412345678"}),
    ("ivan", "front_demo", "Григорчук", "Іван", "Миколайович", date(1948, 1, 15), "M", None,
     ("passport", "ЖМ654321"), (BARANIVKA, "вул. Лесі Українки", "7", ""),
     {"no_rnokpp_reason": "Відмова від РНОКПП через релігійні переконання (відмітка в паспорті)"}),
    ("vasyl", "front2_demo", "Бондаренко", "Василь", "Петрович", date(1970, 9, 30), "M", 105,
     ("id_card", "009876543"), (TETERIVKA, "вул. Центральна", "14", ""), {"phone": "+380501112233"}),
    ("olena", "front2_demo", "Ткачук", "Олена", "Вікторівна", date(1992, 12, 1), "F", 106,
     ("id_card", "004455667"), (TETERIVKA, "вул. Садова", "3", ""), {"is_idp": True}),
]
HOUSEHOLDS = [("maria", "petro", "spouse"), ("maria", "sofia", "child")]


def seed() -> dict[str, Person]:
    """Register the residents through the service (validation, audit) unless already there."""
    people: dict[str, Person] = {}
    for key, username, last, first, patronymic, born, sex, serial, doc, addr, extra in RESIDENTS:
        existing = Person.objects.filter(id_document_type=doc[0], id_document_number=doc[1]).first()
        if existing is not None:
            people[key] = existing
            continue
        actor = User.objects.select_related("office").get(username=username)
        data = {"last_name": last, "first_name": first, "patronymic": patronymic, "birth_date": born, "sex": sex,
                "rnokpp": make_rnokpp(born, sex, serial) if serial is not None else None,
                "id_document": {"type": doc[0], "number": doc[1]},
                "address": {"settlement_code": addr[0], "street": addr[1], "house": addr[2], "flat": addr[3]},
                **extra}
        people[key] = services.register_person(actor=actor, data=data, confirm_not_duplicate=True)
    for head, member, relation in HOUSEHOLDS:
        person = people[head]
        if not HouseholdMember.objects.filter(person=person, member=people[member]).exists():
            actor = User.objects.select_related("office").get(username="front_demo")
            services.add_household_member(actor=actor, person_id=person.pk, member_id=people[member].pk,
                                          relation=relation)
    return people
