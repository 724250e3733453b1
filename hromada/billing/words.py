"""Sums in Ukrainian words for payment documents: «одна тисяча двісті гривень 50 копійок».

Written here (not num2words) because documents need the accounting form: feminine «одна/дві» for
гривня and тисяча, the right plural of гривня/копійка, kopiyky in figures.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_UNITS_M = ["", "один", "два", "три", "чотири", "п’ять", "шість", "сім", "вісім", "дев’ять"]
_UNITS_F = ["", "одна", "дві", "три", "чотири", "п’ять", "шість", "сім", "вісім", "дев’ять"]
_TEENS = ["десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять", "п’ятнадцять", "шістнадцять",
          "сімнадцять", "вісімнадцять", "дев’ятнадцять"]
_TENS = ["", "", "двадцять", "тридцять", "сорок", "п’ятдесят", "шістдесят", "сімдесят", "вісімдесят", "дев’яносто"]
_HUNDREDS = ["", "сто", "двісті", "триста", "чотириста", "п’ятсот", "шістсот", "сімсот", "вісімсот", "дев’ятсот"]
# (forms for 1, 2–4, 5+; feminine?)
_SCALES = [
    (("тисяча", "тисячі", "тисяч"), True),
    (("мільйон", "мільйони", "мільйонів"), False),
    (("мільярд", "мільярди", "мільярдів"), False),
]
HRYVNIA = ("гривня", "гривні", "гривень")
KOPIYKA = ("копійка", "копійки", "копійок")


def plural(n: int, forms: tuple[str, str, str]) -> str:
    n = abs(n)
    if 11 <= n % 100 <= 19:
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if 2 <= n % 10 <= 4:
        return forms[1]
    return forms[2]


def _triad(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest <= 19:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_UNITS_F if feminine else _UNITS_M)[rest % 10])
    return [w for w in words if w]


def number_in_words(n: int, *, feminine: bool = False) -> str:
    """A whole number in words (up to 999 999 999 999)."""
    if n < 0:
        return "мінус " + number_in_words(-n, feminine=feminine)
    if n == 0:
        return "нуль"
    if n >= 10 ** 12:
        raise ValueError("number too large")
    words: list[str] = []
    for power in (3, 2, 1):
        chunk = n // 1000 ** power % 1000
        if chunk:
            forms, fem = _SCALES[power - 1]
            words += _triad(chunk, fem) + [plural(chunk, forms)]
    words += _triad(n % 1000, feminine)
    return " ".join(words)


def amount_in_words(amount: Decimal) -> str:
    """«одна тисяча двісті гривень 50 копійок» for Decimal('1200.50'); kopiyky exact (ROUND_HALF_UP)."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "мінус " if value < 0 else ""
    value = abs(value)
    hryvni = int(value)
    kopiyky = int((value - hryvni) * 100)
    return (f"{sign}{number_in_words(hryvni, feminine=True)} {plural(hryvni, HRYVNIA)} "
            f"{kopiyky:02d} {plural(kopiyky, KOPIYKA)}")
