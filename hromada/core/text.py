"""Text normalisation for Ukrainian names: case, apostrophe variants, spaces."""
import re
import unicodedata

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# ʼ (U+02BC, the official one), ’ (U+2019), ' (U+0027), ` and ‘ are all typed for the apostrophe.
APOSTROPHES = "ʼ’'`‘ʹ"
_APOS_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_SPACE_RE = re.compile(r"\s+")


def normalize_name(value: str | None) -> str:
    """Lower-case, one apostrophe (ʼ), single spaces, NFC: the key used for lookups."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _APOS_RE.sub("ʼ", value)
    value = _SPACE_RE.sub(" ", value).strip()
    return value.lower()


# A person's name key (``normalize_name``) as it is stored: each Ukrainian letter, the apostrophe and the hyphen one
# byte, where UTF-8 spends two on a Cyrillic letter. The key is in the five indexes that find and order residents by
# name; at 25 letters a name, one byte a letter takes about a third off each of their entries (#24, bytes). The codes
# follow the Ukrainian alphabet, so a byte-wise order (the column's "C" collation, ``core.fields.NameKeyField``) is
# А…Я with Ґ, Є, І, Ї in place. Space and Latin letters stay themselves; any character that is itself a code, and the escape
# ``~``, is written after ``~``. A letter-for-letter map: a prefix or a part of a name is a prefix or a part of its
# packed key, so LIKE and equality on packed keys find what they found before.
NAME_KEY_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
NAME_KEY_CODES = "#$&'()*+,-./0123456789:;<=>?@[]^`"
NAME_KEY_ESCAPE = "~"
_NAME_KEY_MAP = {"-": "!", "ʼ": '"', **dict(zip(NAME_KEY_LETTERS, NAME_KEY_CODES, strict=True))}
# Characters written after the escape: every code, and the escape, unless the character is mapped itself (the hyphen).
NAME_KEY_ESCAPED = "".join(sorted(({*_NAME_KEY_MAP.values(), NAME_KEY_ESCAPE}) - _NAME_KEY_MAP.keys()))
_PACK = str.maketrans({**{c: NAME_KEY_ESCAPE + c for c in NAME_KEY_ESCAPED}, **_NAME_KEY_MAP})
_UNPACK = {code: letter for letter, code in _NAME_KEY_MAP.items()}
_UNPACK_TABLE = str.maketrans(_UNPACK)


def pack_name_key(key: str) -> str:
    """A name key (``normalize_name``'s form) as ``persons.Person.name_key`` stores it."""
    return key.translate(_PACK)


def unpack_name_key(stored: str) -> str:
    """``pack_name_key`` undone."""
    if NAME_KEY_ESCAPE not in stored:
        return stored.translate(_UNPACK_TABLE)
    out, escaped = [], False
    for c in stored:
        if escaped:
            out.append(c)
            escaped = False
        elif c == NAME_KEY_ESCAPE:
            escaped = True
        else:
            out.append(_UNPACK.get(c, c))
    return "".join(out)


def clean_name(value: str | None) -> str:
    """Display form: trimmed, single spaces, the official apostrophe ʼ."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    return _SPACE_RE.sub(" ", _APOS_RE.sub("ʼ", value)).strip()


def format_file_size(size: int) -> str:
    """A size as the interface shows it: "20 МБ", "1,5 МБ", "350 КБ", "900 Б" (binary units, a decimal comma, no
    trailing ",0" — Django's filesizeformat gives "20,0 МБ")."""
    for unit, factor in ((_("ГБ"), 1024 ** 3), (_("МБ"), 1024 ** 2), (_("КБ"), 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{value}\u00a0{unit}"
    return f"{size}\u00a0{_('Б')}"


_UK_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_UK_ORDER = {c: i for i, c in enumerate(_UK_ALPHABET)}


def uk_sort_key(value: str | None) -> tuple:
    """Ukrainian alphabetical order, А…Я with Ґ, Є, І, Ї in place (code points put Є, І, Ї before А and Ґ after
    Я); the apostrophe and case are ignored, other characters follow the alphabet."""
    key = normalize_name(value).replace("ʼ", "")
    return tuple(_UK_ORDER.get(c, 100 + ord(c)) for c in key)


def localized(uk: str, en: str) -> str:
    """The one choice between a data item's Ukrainian and English text (catalogue, rules files): English only when
    the interface is English and the item has an English text (without one, Ukrainian — never an empty label)."""
    return en if en and (get_language() or "uk").startswith("en") else uk
