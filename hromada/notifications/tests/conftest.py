"""Test doubles that speak the real protocols: a local SMTP server (aiosmtpd) and the stand-in SMS gateway run as
a separate process on a free port. Tests check what arrived there."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hromada.backoffice.tests.factories import submitted_case
from hromada.notifications.models import Consent

GATEWAY_TOKEN = "test-gateway-token"
REPORT_SECRET = "test-report-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpInbox:
    port: int
    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (with AUTH), and the settings pointing Django's SMTP backend at it."""
    inbox = SmtpInbox(port=free_port())

    def authenticate(server, session, envelope, mechanism, auth_data):
        inbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"smtp-secret")

    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "hromada", "smtp-secret"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "hromada@example.gov.ua"
    yield inbox
    controller.stop()


class Gateway:
    """Client of the stand-in gateway process: tell it how to behave, read what it received."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"

    def _call(self, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())

    def control(self, **options):
        return self._call("/_control", options)

    def messages(self) -> list[dict]:
        return self._call("/_messages")

    def reports(self) -> list[dict]:
        return self._call("/_reports")

    def report(self, message_id: str, status: str = "delivered") -> int:
        """Have the gateway post a delivery report now; the HTTP status Hromada answered."""
        return self._call("/_report", {"id": message_id, "status": status})["answered"]


@pytest.fixture
def sms_gateway(settings):
    """The stand-in gateway as its own process on a free port; settings point the HTTP JSON adapter at it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hromada.notifications.standin_gateway", "--port", str(port),
         "--token", GATEWAY_TOKEN, "--report-secret", REPORT_SECRET],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the stand-in SMS gateway did not start") from None
            time.sleep(0.05)
    settings.HROMADA_SMS_BACKEND = "hromada.notifications.channels.HttpJsonGateway"
    settings.HROMADA_SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.HROMADA_SMS_GATEWAY_TOKEN = GATEWAY_TOKEN
    settings.HROMADA_SMS_SENDER = "Hromada"
    settings.HROMADA_SMS_TIMEOUT = 2
    settings.HROMADA_SMS_REPORT_SECRET = REPORT_SECRET
    settings.HROMADA_NOTIFY_MAX_RETRIES = 3
    yield Gateway(port)
    process.terminate()
    process.wait(timeout=10)


def consent(app, *channels):
    for channel in channels:
        Consent.objects.update_or_create(person=app.applicant_person, channel=channel, defaults={
            "granted": True, "recorded_by": app.registered_by, "recorded_at": app.registered_at})


@pytest.fixture
def case(demo):
    """A submitted case whose applicant has a phone and an e-mail and agreed to both channels."""
    app = submitted_case()
    consent(app, "sms", "email")
    return app
