"""The one exception root of Hromada.

Every business error carries a machine-readable ``code`` (a contract for API clients; a member of
``ErrorCode`` — the root refuses any other) and a Ukrainian message. The API maps it once to JSON (core.api),
the UI once to form errors.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .error_codes import ErrorCode


class HromadaError(Exception):
    code: ErrorCode = ErrorCode.ERROR
    status = 400
    default_message = _("Помилка обробки запиту.")

    def __init__(self, message=None, *, code: str | None = None, status: int | None = None,
                 details: Any = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = ErrorCode(code)   # ValueError for a code outside the enum
        if status:
            self.status = status
        self.details = details
        super().__init__(str(self.message))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.code = ErrorCode(cls.code)        # a subclass's own code must be a member too

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            data["details"] = self.details
        return data


class ValidationFailed(HromadaError):
    """Input that breaks a domain rule (422)."""
    code = ErrorCode.VALIDATION_ERROR
    status = 422
    default_message = _("Дані заповнено з помилками.")


class NotFound(HromadaError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""
    code = ErrorCode.NOT_FOUND
    status = 404
    default_message = _("Об'єкт не знайдено.")


class Forbidden(HromadaError):
    """The role may not perform this action at all (the object itself is visible)."""
    code = ErrorCode.FORBIDDEN
    status = 403
    default_message = _("Недостатньо прав для цієї дії.")


class Conflict(HromadaError):
    """State changed meanwhile (another user, wrong workflow state, duplicate)."""
    code = ErrorCode.CONFLICT
    status = 409
    default_message = _("Дані змінено іншим користувачем. Оновіть сторінку й спробуйте ще раз.")


class Unauthorized(HromadaError):
    code = ErrorCode.UNAUTHORIZED
    status = 401
    default_message = _("Потрібна автентифікація.")


class RateLimited(HromadaError):
    """Too many requests of one kind by one user in a window (429): the work pauses, the attempt is audited."""
    code = "rate_limited"
    status = 429
    default_message = _("Забагато запитів за короткий час. Зачекайте кілька хвилин і спробуйте знову.")


class DatabaseUnavailable(HromadaError):
    """The database did not answer (restarted, failed over, network cut): 503, the client retries the same request
    (with the same Idempotency-Key where the operation has one: a request whose answer was lost is then replayed,
    never done twice)."""
    code = ErrorCode.DATABASE_UNAVAILABLE
    status = 503
    default_message = _("База даних тимчасово недоступна. Спробуйте ще раз за кілька секунд.")
