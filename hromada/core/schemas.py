"""API schemas shared by every router: the one error body, the bounded page and offset of lists."""
from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import Field

from .error_codes import ErrorCode


class ErrorOut(Schema):
    """Every error answer of the API: ``code`` (one of ``ErrorCode``), a Ukrainian ``message``, optional details."""
    code: ErrorCode
    message: str
    details: dict | list | None = None


# A list's page and offset are bounded: a number past them is a 422, never an integer overflow in the database.
MAX_PAGE = 100_000
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="Сторінка списку, від 1")]
Offset = Annotated[int, Field(ge=0, le=10_000_000, description="Скільки рядків пропустити")]
