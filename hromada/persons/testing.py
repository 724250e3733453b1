"""Valid РНОКПП numbers for demo data, tests and the dataset generator (never for real residents)."""
from __future__ import annotations

from datetime import date

from stdnum.ua import rntrc

from .validators import RNOKPP_EPOCH


def make_rnokpp(birth_date: date, sex: str, serial: int = 0) -> str:
    """A valid number encoding ``birth_date`` and ``sex`` ("M"/"F"); ``serial`` (0–9999) varies the rest.

    Digits 1–5: days since 31.12.1899; 6–8 and the 9th: the serial, whose last digit is made odd for
    men and even for women; 10th: the control digit.
    """
    days = (birth_date - RNOKPP_EPOCH).days
    if not 0 < days < 100000:
        raise ValueError("birth date outside the range a РНОКПП can encode")
    if not 0 <= serial <= 4999:
        raise ValueError("serial must be within 0..4999")
    # Serial n → four digits (6–9th) with the 9th digit's parity set by sex.
    ninth = (serial % 5) * 2 + (1 if sex == "M" else 0)
    body = f"{days:05d}{serial // 5:03d}{ninth}"
    return body + rntrc.calc_check_digit(body)
