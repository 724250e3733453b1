"""Test data for the person registry: valid API-shaped records with unique identifiers."""
from __future__ import annotations

import itertools
from datetime import date

from hromada.persons import services
from hromada.persons.testing import make_rnokpp

BARANIVKA = "UA18080010010059187"
TETERIVKA = "UA18040530010026726"
_serial = itertools.count(3000)


def person_data(**over) -> dict:
    """A new resident; identifiers are unique per call unless given."""
    n = next(_serial)
    born = over.pop("born", date(1979, 4, 11))
    sex = over.pop("sex", "M")
    data = {"last_name": "Тестенко", "first_name": "Богдан", "patronymic": "Ігорович", "birth_date": born.isoformat(),
            "sex": sex, "rnokpp": make_rnokpp(born, sex, n), "no_rnokpp_reason": "",
            "id_document": {"type": "id_card", "number": f"{700000000 + n:09d}"}, "phone": "0671234567",
            "email": "", "address": {"settlement_code": BARANIVKA, "street": "вул. Миру", "house": "1", "flat": ""},
            "is_idp": False}
    data.update(over)
    return data


def make_person(actor, **over):
    return services.register_person(actor=actor, data=person_data(**over), confirm_not_duplicate=True)
