"""Amounts in words, Ukrainian, for decisions and other legal documents: «сорок одна тисяча двісті вісімдесят
гривень 00 копійок». Hryvnia and thousand are feminine (одна, дві), million and milliard masculine."""
from __future__ import annotations

from decimal import Decimal

from .money import money

_ONES_M = ["", "один", "два", "три", "чотири", "п’ять", "шість", "сім", "вісім", "дев’ять"]
_ONES_F = ["", "одна", "дві", "три", "чотири", "п’ять", "шість", "сім", "вісім", "дев’ять"]
_TEENS = ["десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять", "п’ятнадцять", "шістнадцять",
          "сімнадцять", "вісімнадцять", "дев’ятнадцять"]
_TENS = ["", "", "двадцять", "тридцять", "сорок", "п’ятдесят", "шістдесят", "сімдесят", "вісімдесят", "дев’яносто"]
_HUNDREDS = ["", "сто", "двісті", "триста", "чотириста", "п’ятсот", "шістсот", "сімсот", "вісімсот", "дев’ятсот"]
# (one, two–four, five and more), feminine?
_SCALES = [(("гривня", "гривні", "гривень"), True), (("тисяча", "тисячі", "тисяч"), True),
           (("мільйон", "мільйони", "мільйонів"), False), (("мільярд", "мільярди", "мільярдів"), False)]


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Ukrainian form for ``n``: 1 гривня, 2 гривні, 5 гривень, 11 гривень, 21 гривня."""
    if n % 100 in range(11, 20):
        return forms[2]
    return forms[0] if n % 10 == 1 else forms[1] if n % 10 in (2, 3, 4) else forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_ONES_F if feminine else _ONES_M)[rest % 10])
    return [w for w in words if w]


def integer_in_words(n: int, *, feminine: bool = False) -> str:
    if n == 0:
        return "нуль"
    if n < 0 or n >= 10 ** 12:
        raise ValueError("amount out of range")
    parts: list[str] = []
    for scale, (forms, fem) in enumerate(_SCALES):
        chunk = (n // 1000 ** scale) % 1000
        if not chunk:
            continue
        words = _triple(chunk, feminine if scale == 0 else fem)
        if scale:
            words.append(plural(chunk, forms))
        parts = words + parts
    return " ".join(parts)


def amount_in_words(amount: Decimal) -> str:
    """«41 280,00» → «сорок одна тисяча двісті вісімдесят гривень 00 копійок»."""
    value = money(amount)
    if value < 0:
        raise ValueError("a negative amount has no words on a decision")
    hryvnias = int(value)
    kopecks = int((value - hryvnias) * 100)
    words = integer_in_words(hryvnias, feminine=True)
    return (f"{words} {plural(hryvnias, _SCALES[0][0])} {kopecks:02d} "
            f"{plural(kopecks, ('копійка', 'копійки', 'копійок'))}")
