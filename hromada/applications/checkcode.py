"""The check code printed on the receipt: with the case number it opens the public status page.

Random (``secrets``), never derived from the number; from an alphabet without look-alikes (no 0/O, 1/I/L,
2/Z, 5/S, 8/B), so it can be read aloud on the phone and typed by an elderly resident. A resident typing on a
Ukrainian layout produces Cyrillic letters that look like the Latin ones: ``normalize`` maps them back.
"""
from __future__ import annotations

import hmac
import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 8
# Cyrillic letters a resident may type for the Latin ones of the alphabet (same shape on the keyboard).
_CYRILLIC = str.maketrans("АСЕНКМРТХУасенкмртху", "ACEHKMPTXYACEHKMPTXY")


def new_check_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(value: str | None) -> str:
    """What the resident typed, as stored: upper case, Cyrillic look-alikes mapped, spaces and dashes dropped."""
    return "".join(ch for ch in (value or "").translate(_CYRILLIC).upper() if ch not in " -\t")


def matches(stored: str, typed: str | None) -> bool:
    """Constant-time comparison (the code is a secret)."""
    return bool(stored) and hmac.compare_digest(stored.encode(), normalize(typed).encode())


def display(code: str) -> str:
    """Printed in two groups of four: easier to read and dictate."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code
