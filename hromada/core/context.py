"""The request id of the work being done now: an HTTP request or a Celery task it started.

A contextvar (not a thread-local) so gunicorn threads and Celery tasks each see their own value.
"""
from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("hromada_request_id", default="")

# Accept a caller's id only when it looks like an id: it goes into logs and response headers.
_VALID = re.compile(r"[A-Za-z0-9._:-]{8,64}")   # fullmatch: "$" would let a trailing newline through

HEADER = "X-Request-ID"
CELERY_HEADER = "hromada_request_id"


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_or_new(value: str | None) -> str:
    """The caller's X-Request-ID when well-formed (a load balancer's id keeps one trace), else a fresh one."""
    if value and _VALID.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str:
    return request_id_var.get()
