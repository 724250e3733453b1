"""The one exception root of Hromada.

Every business error carries a machine-readable ``code`` (a contract for API clients) and a
Ukrainian message. The API maps it once to JSON (core.api), the UI once to form errors.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class HromadaError(Exception):
    code = "error"
    status = 400
    default_message = _("Помилка обробки запиту.")

    def __init__(self, message=None, *, code: str | None = None, status: int | None = None,
                 details: Any = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            data["details"] = self.details
        return data


class ValidationFailed(HromadaError):
    """Input that breaks a domain rule (422)."""
    code = "validation_error"
    status = 422
    default_message = _("Дані заповнено з помилками.")


class NotFound(HromadaError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""
    code = "not_found"
    status = 404
    default_message = _("Об'єкт не знайдено.")


class Forbidden(HromadaError):
    """The role may not perform this action at all (the object itself is visible)."""
    code = "forbidden"
    status = 403
    default_message = _("Недостатньо прав для цієї дії.")


class Conflict(HromadaError):
    """State changed meanwhile (another user, wrong workflow state, duplicate)."""
    code = "conflict"
    status = 409
    default_message = _("Дані змінено іншим користувачем. Оновіть сторінку й спробуйте ще раз.")


class Unauthorized(HromadaError):
    code = "unauthorized"
    status = 401
    default_message = _("Потрібна автентифікація.")
