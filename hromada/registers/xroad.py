"""The one exchange client for Трембіта (X-Road message protocol 4.0 over SOAP 1.1), built on zeep.

Every message goes to the own security server (``HROMADA_TREMBITA_URL``) with the X-Road header: our subsystem
(``xrd:client``), the register's service (``xrd:service``), a unique ``xrd:id``, ``xrd:userId`` (the specialist who
asked) and ``xrd:protocolVersion`` 4.0. The security server routes by the header; the WSDL shipped beside this file
describes the bodies. This module only talks: the circuit breaker and the log on the case are in ``services``.
"""
from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from lxml import etree
from zeep import Client, Plugin
from zeep.exceptions import Fault, TransportError, XMLSyntaxError
from zeep.helpers import serialize_object
from zeep.transports import Transport

WSDL = Path(__file__).resolve().parent / "wsdl" / "registers.wsdl"
NS = "urn:ua:hromada:registers:v1"
XROAD_NS = "http://x-road.eu/xsd/xroad.xsd"
ID_NS = "http://x-road.eu/xsd/identifiers"
PROTOCOL_VERSION = "4.0"
# Present in every answer of the register simulator (hromada.registers.simulator), never in a real register's.
SIMULATOR_NS = "urn:ua:hromada:register-simulator"

REGISTERS = ("civil", "tax", "pension", "idp", "identity")
BINDINGS = {"civil": "CivilBinding", "tax": "TaxBinding", "pension": "PensionBinding", "idp": "IdpBinding",
            "identity": "IdentityBinding"}
# The providers' subsystems as Hromada expects them in the Трембіта catalogue (INSTANCE/CLASS/CODE/SUBSYSTEM);
# the member codes are the institutions' ЄДРПОУ codes. Confirm them (and the subsystem codes) with the
# service descriptions granted with the access, and set HROMADA_TREMBITA_SERVICE_<REGISTER> where they differ.
DEFAULT_SERVICES = {
    "civil": "UA/GOV/00015622/DRACS",        # Міністерство юстиції: Державний реєстр актів цивільного стану
    "tax": "UA/GOV/43005393/DRFO",           # ДПС: Державний реєстр фізичних осіб — платників податків
    "pension": "UA/GOV/00035323/PFU",        # Пенсійний фонд України
    "idp": "UA/GOV/37567866/EIBD-VPO",       # Мінсоцполітики: ЄІБД внутрішньо переміщених осіб
    "identity": "UA/GOV/37508470/EDDR",      # ДМС: Єдиний державний демографічний реєстр
}
SERVICE_VERSION = "v1"
TRANSIENT_HTTP = frozenset({502, 503, 504})
# X-Road faults of the path, not of the message (the provider failed or could not be reached): worth a retry.
TRANSIENT_FAULTS = ("ServiceFailed", "NetworkError", "Timeout")


@dataclass(frozen=True)
class Identifier:
    instance: str
    member_class: str
    member_code: str
    subsystem: str

    @classmethod
    def parse(cls, text: str) -> Identifier:
        parts = [p.strip() for p in (text or "").split("/")]
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"an X-Road subsystem is INSTANCE/CLASS/MEMBER_CODE/SUBSYSTEM, not {text!r}")
        return cls(*parts)

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem}"

    def as_client(self) -> dict:
        return {"objectType": "SUBSYSTEM", "xRoadInstance": self.instance, "memberClass": self.member_class,
                "memberCode": self.member_code, "subsystemCode": self.subsystem}

    def as_service(self, service_code: str) -> dict:
        return {"objectType": "SERVICE", "xRoadInstance": self.instance, "memberClass": self.member_class,
                "memberCode": self.member_code, "subsystemCode": self.subsystem, "serviceCode": service_code,
                "serviceVersion": SERVICE_VERSION}


@dataclass(frozen=True)
class Config:
    url: str
    client: Identifier | None
    services: dict[str, Identifier]
    simulator: bool
    connect_timeout: float
    timeout: float
    retries: int
    retry_delay: float

    @property
    def configured(self) -> bool:
        return bool(self.url) and self.client is not None


def config() -> Config:
    """The exchange's settings now (read on every call: tests and operators change them)."""
    client_text = settings.HROMADA_TREMBITA_CLIENT
    services = {r: Identifier.parse((settings.HROMADA_TREMBITA_SERVICES or {}).get(r) or DEFAULT_SERVICES[r])
                for r in REGISTERS}
    return Config(url=settings.HROMADA_TREMBITA_URL, client=Identifier.parse(client_text) if client_text else None,
                  services=services, simulator=settings.HROMADA_TREMBITA_SIMULATOR,
                  connect_timeout=settings.HROMADA_TREMBITA_CONNECT_TIMEOUT, timeout=settings.HROMADA_TREMBITA_TIMEOUT,
                  retries=settings.HROMADA_TREMBITA_RETRIES, retry_delay=settings.HROMADA_TREMBITA_RETRY_DELAY)


@dataclass
class Exchange:
    """One request/response pair as it went over the wire (one attempt)."""
    register: str
    service: str
    request_id: str
    user_id: str
    sent_at: float
    duration_ms: int = 0
    outcome: str = "ok"          # ok | fault | http_error | timeout | connection_error | bad_response
    http_status: int | None = None
    response_sha256: str = ""
    detail: str = ""
    via_simulator: bool = False

    @property
    def transient(self) -> bool:
        return self.outcome in ("timeout", "connection_error") or (
            self.outcome == "http_error" and self.http_status in TRANSIENT_HTTP) or (
            self.outcome == "fault" and any(code in self.detail.split(":")[0] for code in TRANSIENT_FAULTS))


@dataclass
class CallResult:
    ok: bool
    body: dict[str, Any] | None
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def last(self) -> Exchange:
        return self.exchanges[-1]


class _Capture(Plugin):
    """Keeps the raw answer (for its hash) and notes the simulator's mark in its header."""

    def __init__(self):
        self.received: bytes = b""
        self.simulator = False

    def ingress(self, envelope, http_headers, operation):
        self.received = etree.tostring(envelope, method="c14n")
        self.simulator = envelope.find(f".//{{{SIMULATOR_NS}}}simulator") is not None
        return envelope, http_headers


_local = threading.local()


def _client() -> Client:
    # Parsing the WSDL is the slow part: one parsed client per thread (its transport and plugins are set per call).
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = Client(str(WSDL), transport=Transport(session=_session()))
    return client


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False   # the security server is addressed directly, never through a proxy from the env
    if settings.HROMADA_TREMBITA_CA_BUNDLE:
        session.verify = settings.HROMADA_TREMBITA_CA_BUNDLE   # the security server's certificate authority
    return session


def call(register: str, operation: str, *, user_id: str, cfg: Config | None = None, **body: Any) -> CallResult:
    """Send ``operation`` of ``register`` with the X-Road header; transient failures (timeout, connection refused,
    HTTP 502/503/504) are tried again at once up to ``HROMADA_TREMBITA_RETRIES`` times, each try with its own
    ``xrd:id``. Never raises for the exchange's own failures: the result says what happened."""
    cfg = cfg or config()
    if not cfg.configured:
        raise RuntimeError("the Трембіта exchange is not configured (HROMADA_TREMBITA_URL, HROMADA_TREMBITA_CLIENT)")
    result = CallResult(ok=False, body=None)
    for attempt in range(cfg.retries + 1):
        if attempt:
            time.sleep(cfg.retry_delay * 2 ** (attempt - 1))
        exchange, body_out = _attempt(register, operation, user_id=user_id, cfg=cfg, body=body)
        result.exchanges.append(exchange)
        if exchange.outcome == "ok":
            result.ok, result.body = True, body_out
            return result
        if not exchange.transient:
            return result
    return result


def _attempt(register: str, operation: str, *, user_id: str, cfg: Config, body: dict) -> tuple[Exchange, dict | None]:
    client = _client()
    capture = _Capture()
    client.transport = Transport(session=_session(), timeout=cfg.connect_timeout, operation_timeout=cfg.timeout)
    client.plugins = [capture]
    service = client.create_service(f"{{{NS}}}{BINDINGS[register]}", cfg.url)
    request_id = str(uuid.uuid4())
    headers = {"client": cfg.client.as_client(), "service": cfg.services[register].as_service(operation),
               "userId": user_id[:100] or "system", "id": request_id, "protocolVersion": PROTOCOL_VERSION}
    exchange = Exchange(register=register, service=operation, request_id=request_id, user_id=headers["userId"],
                        sent_at=time.time())
    started = time.monotonic()
    answer = None
    try:
        answer = getattr(service, operation)(**body, _soapheaders=headers)
    except requests.Timeout as exc:
        exchange.outcome, exchange.detail = "timeout", type(exc).__name__
    except requests.ConnectionError as exc:
        exchange.outcome, exchange.detail = "connection_error", type(exc).__name__
    except TransportError as exc:
        exchange.outcome, exchange.http_status = "http_error", exc.status_code
        exchange.detail = f"HTTP {exc.status_code}"
        capture.received = capture.received or (exc.content or b"")
    except Fault as exc:
        exchange.outcome, exchange.detail = "fault", f"{exc.code}: {exc.message}"[:500]
    except (XMLSyntaxError, ValueError, etree.XMLSyntaxError) as exc:
        exchange.outcome, exchange.detail = "bad_response", str(exc)[:500]
    exchange.duration_ms = int((time.monotonic() - started) * 1000)
    if capture.received:
        exchange.response_sha256 = hashlib.sha256(capture.received).hexdigest()
    exchange.via_simulator = capture.simulator
    if exchange.outcome == "ok":
        data = serialize_object(answer, dict)
        # With the X-Road header declared for the answer too, zeep returns {"header": …, "body": …}.
        if isinstance(data, dict) and "body" in data and "header" in data:
            data = data["body"]
        return exchange, data
    return exchange, None
