"""SMS gateway interface. The backend is chosen by settings.HROMADA_SMS_BACKEND (dotted path)."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (+380XXXXXXXXX) or raise an exception."""


class ConsoleSmsBackend:
    """Development default: writes the message to the log instead of a gateway."""

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", mask_phone(phone), text)


class LocmemSmsBackend:
    """For tests: keeps messages in ``LocmemSmsBackend.outbox``."""
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        type(self).outbox.append((phone, text))


@lru_cache(maxsize=4)
def _backend_class(path: str):
    return import_string(path)


def get_backend() -> SmsBackend:
    return _backend_class(settings.HROMADA_SMS_BACKEND)()


def mask_phone(phone: str) -> str:
    return f"{phone[:4]}*****{phone[-2:]}" if len(phone) > 6 else "***"


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"
