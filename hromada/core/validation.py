"""The small checks every workflow's services make on a form (social services, children's cases): a required
text, a date not in the future, and the one way to refuse with a field — a ``ValidationFailed`` whose message is
translated (gettext, named placeholders) and whose code is a member of ``ErrorCode``."""
from __future__ import annotations

from datetime import date
from typing import NoReturn

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationFailed


def fail(message: str, code: str, field: str | None = None) -> NoReturn:
    """Refuse with ``message`` (already translated), the error ``code`` and the form ``field`` it is about."""
    raise ValidationFailed(message, code=code, details={"field": field} if field else None)


def required(value: str | None, field: str, label: str) -> str:
    """The stripped text, or a refusal naming the field's label (``label`` is translated by the caller)."""
    value = (value or "").strip()
    if not value:
        fail(_("Заповніть поле «%(label)s».") % {"label": label}, "required", field)
    return value


def not_future(day: date | None, field: str, label: str) -> date:
    """The day (today when none is given), refused when it lies in the future."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        fail(_("%(label)s: дата не може бути в майбутньому.") % {"label": label}, "date_in_future", field)
    return day
