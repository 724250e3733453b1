"""Text normalisation for Ukrainian names: case, apostrophe variants, spaces."""
import re
import unicodedata

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


def clean_name(value: str | None) -> str:
    """Display form: trimmed, single spaces, the official apostrophe ʼ."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    return _SPACE_RE.sub(" ", _APOS_RE.sub("ʼ", value)).strip()
