"""Money is ``Decimal`` in hryvnias, rounded once, the same way everywhere (formatting: core.pdf.fmt_money)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """``value`` as hryvnias with kopecks, half up (never a float in, never more than two decimals out)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
