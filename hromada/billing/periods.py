"""Period keys, money parsing and rounding shared by billing services and the run."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.core.errors import ValidationFailed
from hromada.core.money import money

from . import rules
from .models import BillingPeriod, PeriodStatus

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_money(value, *, code: str) -> Decimal:
    """A positive/zero amount with at most two decimals; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise ValidationFailed(_("Суму потрібно передати рядком або десятковим числом, не float."), code=code)
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Неправильна сума."), code=code) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValidationFailed(_("Сума має бути в гривнях з точністю до копійки."), code=code)
    return money(amount)


def parse_period(key: str) -> tuple[int, int]:
    match = _PERIOD_RE.match(key or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed(_("Період задається як РРРР-ММ, наприклад 2026-03."), code="bad_period")
    return int(match.group(1)), int(match.group(2))


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_has_ended(year: int, month: int, now=None) -> bool:
    return (now or timezone.now()) >= rules.month_bounds(year, month)[1]


def latest_closed() -> BillingPeriod | None:
    return BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-year", "-month").first()


