"""The channels a message really leaves through: e-mail over SMTP, SMS over an HTTP JSON gateway.

Each adapter raises ``TransientError`` (worth retrying: network, timeout, 5xx, 429, SMTP 4xx) or
``PermanentError`` (retrying cannot help: 4xx, a refused recipient, a bad configuration). A channel that is
not configured says why (``unconfigured_reason``): the message is then recorded as not sent, never as sent.

The SMS gateway protocol (one documented JSON protocol; adapters for a concrete provider may be added beside
``HttpJsonGateway`` and chosen with HROMADA_SMS_BACKEND) — see docs/operations.md, "Сповіщення заявників":

    POST <HROMADA_SMS_GATEWAY_URL>
    Authorization: Bearer <HROMADA_SMS_GATEWAY_TOKEN>
    {"to": "+380…", "sender": "<HROMADA_SMS_SENDER>", "text": "…", "reference": "<our id>",
     "report_url": "<HROMADA_PUBLIC_URL>/api/v1/public/sms/delivery-report"}
    → 2xx {"id": "<gateway message id>", "status": "accepted"}   (+ "stand_in": true from the test stand-in)

    Delivery report (the gateway calls us):
    POST /api/v1/public/sms/delivery-report
    Authorization: Bearer <HROMADA_SMS_REPORT_SECRET>
    {"id": "<gateway message id>", "status": "delivered" | "undelivered" | "failed" | "expired" | "rejected",
     "error": "<optional text>"}
    → 200 {"state": "delivered" | "failed" | …}, or 202 {"state": "pending"} for an id not recorded yet
"""
from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# Django e-mail backends that do not deliver anything to anybody.
NON_DELIVERING_EMAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "hromada.notifications.channels.UnconfiguredEmailBackend",
}


class ChannelError(Exception):
    def __init__(self, message: str, *, stand_in: bool = False):
        super().__init__(message)
        self.stand_in = stand_in    # the answer came from the test/demo stand-in gateway


class TransientError(ChannelError):
    """The channel may work later: retry with back-off."""


class PermanentError(ChannelError):
    """Retrying cannot help."""


class UnconfiguredEmailBackend(BaseEmailBackend):
    """Production default without EMAIL_HOST: nothing is sent and the log says so (never "sent")."""

    def send_messages(self, email_messages):
        if email_messages:
            log.warning("e-mail is not configured (EMAIL_HOST): %s message(s) not sent", len(email_messages))
        return 0


# --- e-mail --------------------------------------------------------------------------------------------------


def email_unconfigured_reason() -> str:
    if settings.EMAIL_BACKEND in NON_DELIVERING_EMAIL:
        return _("Ел. пошту не налаштовано (EMAIL_HOST): лист не надсилався.")
    return ""


def send_email(*, to: str, subject: str, body: str) -> str:
    """Hand the message to the SMTP server; returns "" (SMTP gives no message id to follow)."""
    try:
        sent = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
                            connection=get_connection(fail_silently=False)).send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()] or [0]
        if all(400 <= c < 500 for c in codes):
            raise TransientError(_("Поштовий сервер тимчасово не приймає лист (SMTP %(code)s).") % {
                "code": codes[0]}) from exc
        raise PermanentError(_("Поштовий сервер відхилив адресу заявника (SMTP %(code)s).") % {
            "code": codes[0]}) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentError(_("Поштовий сервер не прийняв логін або пароль (SMTP %(code)s).") % {
            "code": exc.smtp_code}) from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientError(_("Поштовий сервер тимчасово не приймає лист (SMTP %(code)s).") % {
                "code": exc.smtp_code}) from exc
        raise PermanentError(_("Поштовий сервер відмовив (SMTP %(code)s).") % {"code": exc.smtp_code}) from exc
    except (smtplib.SMTPException, OSError) as exc:   # refused, disconnected, timeout, DNS
        raise TransientError(_("Немає зв’язку з поштовим сервером (%(reason)s).") % {
            "reason": type(exc).__name__}) from exc
    if sent != 1:
        raise PermanentError(_("Поштовий сервер не прийняв лист."))
    return ""


# --- SMS -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    message_id: str
    stand_in: bool = False      # the test/demo stand-in took it: no phone will receive it


class SmsGateway(Protocol):
    #: False for a gateway that does not reach a phone (the developer console): nothing is recorded as sent.
    delivers: bool

    def send(self, *, phone: str, text: str, reference: str) -> Accepted:
        """Hand ``text`` for ``phone`` (+380XXXXXXXXX) to the gateway; returns the gateway's message id."""


class ConsoleSms:
    """Development only (DEBUG): writes the message to the log. The notification is recorded as not sent."""
    delivers = False

    def send(self, *, phone: str, text: str, reference: str) -> Accepted:
        log.warning("SMS (development console, not sent) to %s: %s", mask_phone(phone), text)
        return Accepted(message_id="")


class HttpJsonGateway:
    """The documented JSON protocol (module docstring), configured from HROMADA_SMS_GATEWAY_*."""
    delivers = True

    def __init__(self):
        self.url = settings.HROMADA_SMS_GATEWAY_URL
        self.token = settings.HROMADA_SMS_GATEWAY_TOKEN
        self.sender = settings.HROMADA_SMS_SENDER
        self.timeout = settings.HROMADA_SMS_TIMEOUT

    def send(self, *, phone: str, text: str, reference: str) -> Accepted:
        body = json.dumps({"to": phone, "sender": self.sender, "text": text, "reference": reference,
                           "report_url": settings.HROMADA_PUBLIC_URL.rstrip("/") + reverse("api:sms_report")},
                          ensure_ascii=False).encode()
        if not self.url.startswith(("https://", "http://")):
            raise PermanentError(_("Адреса SMS-шлюзу має починатися з https:// або http://."))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={  # noqa: S310 (checked above)
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
            "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (URL from settings)
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            text, stand_in = _gateway_error(exc)
            if exc.code in (408, 425, 429) or exc.code >= 500:
                raise TransientError(_("SMS-шлюз тимчасово недоступний (HTTP %(code)s).") % {"code": exc.code},
                                     stand_in=stand_in) from exc
            raise PermanentError((_("SMS-шлюз відмовив (HTTP %(code)s).") % {"code": exc.code}
                                  + (f" {text}" if text else ""))[:255], stand_in=stand_in) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientError((_("Немає зв’язку з SMS-шлюзом (%(reason)s).") % {
                "reason": f"{type(reason).__name__}: {reason}"})[:255]) from exc
        except ValueError as exc:
            raise PermanentError(_("Шлюз відповів не JSON.")) from exc
        message_id = str(payload.get("id") or "") if isinstance(payload, dict) else ""
        if not message_id:
            raise PermanentError(_("Шлюз не повернув ідентифікатор повідомлення."))
        return Accepted(message_id=message_id[:128], stand_in=payload.get("stand_in") is True)


def _gateway_error(exc: urllib.error.HTTPError) -> tuple[str, bool]:
    """The error text of a refusal and whether the stand-in said it."""
    try:
        data = json.loads(exc.read() or b"{}")
    except ValueError:
        return "", False
    if not isinstance(data, dict):
        return "", False
    return str(data.get("error") or data.get("message") or ""), data.get("stand_in") is True


@lru_cache(maxsize=4)
def _gateway_class(path: str):
    return import_string(path)


def sms_gateway() -> SmsGateway | None:
    """The configured gateway, or None (no HROMADA_SMS_BACKEND / HROMADA_SMS_GATEWAY_URL)."""
    path = settings.HROMADA_SMS_BACKEND
    return _gateway_class(path)() if path else None


def sms_unconfigured_reason() -> str:
    gateway = sms_gateway()
    if gateway is None:
        return _("SMS-шлюз не налаштовано (HROMADA_SMS_GATEWAY_URL): SMS не надсилалося.")
    if not gateway.delivers:
        return _("SMS-шлюз не налаштовано: повідомлення лише записано в журнал розробника, SMS не надсилалося.")
    return ""


def mask_phone(phone: str) -> str:
    return f"{phone[:4]}*****{phone[-2:]}" if len(phone) > 6 else "***"


def mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"
