"""The request id of the work being done now: an HTTP request or a Celery task it started.

A contextvar (not a thread-local) so gunicorn threads and Celery tasks each see their own value.
"""
from __future__ import annotations

import re
import secrets
import time
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("hromada_request_id", default="")

# Accept a caller's id only when it looks like an id: it goes into logs and response headers.
_VALID = re.compile(r"[A-Za-z0-9._:-]{8,64}")   # fullmatch: "$" would let a trailing newline through

HEADER = "X-Request-ID"
CELERY_HEADER = "hromada_request_id"


def uuid7_hex(ms: int, rand: int) -> str:
    """A UUID of version 7 (RFC 9562) as 32 hex digits: 48 bits of Unix time in milliseconds, then the 74 bits of
    ``rand`` around the version and the variant. Ids sort by the time they were made, and the audit's packed blocks
    keep only their random part (``hromada.audit.blocks``)."""
    value = ((ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62
             | rand & ((1 << 62) - 1))
    return f"{value:032x}"


def new_request_id() -> str:
    return uuid7_hex(time.time_ns() // 1_000_000, secrets.randbits(74))


def accept_or_new(value: str | None) -> str:
    """The caller's X-Request-ID when well-formed (a load balancer's id keeps one trace), else a fresh one."""
    if value and _VALID.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str:
    return request_id_var.get()
