"""The register simulator: a stand-in for the state registers behind Трембіта, for development and tests only.

It answers the same SOAP operations as the WSDL shipped with hromada.registers, over real HTTP, with real X-Road
envelopes: the header must carry ``xrd:client`` (a SUBSYSTEM), ``xrd:service`` (a SERVICE of the register the body
belongs to, its ``serviceCode`` the body's operation), ``xrd:id``, ``xrd:userId`` and ``xrd:protocolVersion`` 4.0,
else the answer is a SOAP fault as a security server would give. The answer echoes the header and adds
``<sim:simulator>`` so that Hromada labels what came from here as "тестовий реєстр".

Latency and failures are configurable per register (``--latency``, ``--failure-rate``, or ``POST /simulator/config``
with JSON ``{"tax": {"latency": 3, "failure_rate": 0.5, "fail_next": 2}}``). ``POST /simulator/births`` adds a birth
registration to the feed; ``--births-every N`` adds one every N seconds.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

from .. import xroad
from . import data

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS, XRD, ID, SIM = xroad.NS, xroad.XROAD_NS, xroad.ID_NS, xroad.SIMULATOR_NS
OPERATIONS = {
    "GetBirthRecord": "civil", "GetDeathRecord": "civil", "GetBirthRegistrations": "civil",
    "GetIncomes": "tax", "GetPensionStatus": "pension", "GetIdpCertificate": "idp",
    "CheckIdentityDocument": "identity",
}
MAX_BODY = 1024 * 1024


class SoapFault(Exception):
    def __init__(self, code: str, message: str, status: int = 500):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Simulator:
    """The registers' state and behaviour; one per server (tests reach it directly as ``server.simulator``)."""

    def __init__(self, *, latency: float = 0.0, failure_rate: float = 0.0, seed: int | None = None,
                 services: dict[str, str] | None = None):
        self.registers = data.build()
        self.lock = threading.Lock()
        self.defaults = {"latency": latency, "failure_rate": failure_rate}
        self.config: dict[str, dict] = {r: {"latency": latency, "failure_rate": failure_rate, "fail_next": 0}
                                        for r in xroad.REGISTERS}
        self.random = random.Random(seed)
        self.requests: list[dict] = []        # what arrived (register, operation, id, userId): tests and the log
        self.services = {r: xroad.Identifier.parse((services or {}).get(r) or xroad.DEFAULT_SERVICES[r])
                         for r in xroad.REGISTERS}

    # --- behaviour ---------------------------------------------------------------------------------------

    def configure(self, changes: dict) -> dict:
        with self.lock:
            for register, values in (changes or {}).items():
                if register not in self.config:
                    raise ValueError(f"unknown register {register!r}")
                for key in ("latency", "failure_rate", "fail_next"):
                    if key in values:
                        self.config[register][key] = float(values[key]) if key != "fail_next" else int(values[key])
            return json.loads(json.dumps(self.config))

    def reset(self) -> None:
        with self.lock:
            for register in self.config:
                self.config[register] = {**self.defaults, "fail_next": 0}
            self.requests.clear()

    def _misbehave(self, register: str) -> None:
        with self.lock:
            conf = self.config[register]
            fail = conf["fail_next"] > 0 or (conf["failure_rate"] and self.random.random() < conf["failure_rate"])
            if conf["fail_next"] > 0:
                conf["fail_next"] -= 1
            latency = conf["latency"]
        if latency:
            time.sleep(latency)
        if fail:
            raise SoapFault("Server.ServerProxy.ServiceFailed", "Реєстр тимчасово недоступний (симуляція збою)",
                            status=503)

    def add_birth(self, payload: dict) -> dict:
        """A new birth in the feed: {"katottg", "child": {last_name, first_name, patronymic, birth_date, sex},
        "mother_rnokpp"?, "certificate": [series, number]?}."""
        child_in = payload.get("child") or {}
        born = date.fromisoformat(child_in.get("birth_date") or date.today().isoformat())
        with self.lock:
            serial = 950 + len(self.registers.registrations)
            sex = child_in.get("sex", "F")
            child = data.Person(data.make_rnokpp(born, sex, serial), child_in.get("last_name", "Тестова"),
                                child_in.get("first_name", "Дитина"), child_in.get("patronymic", ""), born, sex)
            mother = self.registers.people.get(payload.get("mother_rnokpp") or "")
            certificate = tuple(payload.get("certificate") or ("I-ЖТ", f"{800000 + serial}"))
            record = data.add_registration(self.registers, child=child, certificate=certificate, mother=mother,
                                           katottg=payload.get("katottg") or data.BARANIVSKA, at=datetime.now())
        return {"sequence": record["sequence"], "certificate": list(certificate), "child_rnokpp": child.rnokpp}

    # --- SOAP -----------------------------------------------------------------------------------------------

    def handle(self, raw: bytes) -> bytes:
        try:
            envelope = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            raise SoapFault("Client.InvalidSoap", "Повідомлення не є коректним XML", 400) from None
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        if body is None or len(body) == 0:
            raise SoapFault("Client.InvalidSoap", "Немає тіла SOAP-повідомлення", 400)
        request = body[0]
        qname = etree.QName(request)
        if qname.namespace != NS or qname.localname not in OPERATIONS:
            raise SoapFault("Server.ServerProxy.UnknownService", f"Невідома операція {qname.text}")
        register = OPERATIONS[qname.localname]
        info = self._check_header(header, register, qname.localname)
        with self.lock:
            self.requests.append({"register": register, "operation": qname.localname, **info})
        self._misbehave(register)
        answer = getattr(self, f"op_{qname.localname}")(_Fields(request))
        return self._response(header, qname.localname, answer)

    def _check_header(self, header, register: str, operation: str) -> dict:
        """The X-Road 4.0 header as a security server checks it."""
        if header is None:
            raise SoapFault("Client.MissingHeader", "Немає заголовка X-Road")

        def one(name):
            el = header.find(f"{{{XRD}}}{name}")
            if el is None:
                raise SoapFault("Client.MissingHeaderField", f"У заголовку X-Road немає xrd:{name}")
            return el

        def ident(el, object_type, fields):
            if el.get(f"{{{ID}}}objectType") != object_type:
                raise SoapFault("Client.InvalidClientIdentifier" if object_type == "SUBSYSTEM"
                                else "Client.InvalidServiceIdentifier",
                                f"xrd:{etree.QName(el).localname} має бути типу {object_type}")
            values = {}
            for f in fields:
                child = el.find(f"{{{ID}}}{f}")
                if child is None or not (child.text or "").strip():
                    raise SoapFault("Client.InvalidIdentifier", f"xrd:{etree.QName(el).localname}: немає id:{f}")
                values[f] = child.text.strip()
            return values

        client = ident(one("client"), "SUBSYSTEM", ("xRoadInstance", "memberClass", "memberCode", "subsystemCode"))
        service = ident(one("service"), "SERVICE", ("xRoadInstance", "memberClass", "memberCode", "subsystemCode",
                                                     "serviceCode"))
        expected = self.services[register]
        if (service["xRoadInstance"], service["memberClass"], service["memberCode"], service["subsystemCode"]) != (
                expected.instance, expected.member_class, expected.member_code, expected.subsystem):
            raise SoapFault("Server.ServerProxy.UnknownService",
                            f"Сервіс {service['memberCode']}/{service['subsystemCode']} не надає {operation}")
        if service["serviceCode"] != operation:
            raise SoapFault("Client.InvalidServiceCode", "serviceCode не відповідає операції в тілі повідомлення")
        request_id, user_id = (one("id").text or "").strip(), (one("userId").text or "").strip()
        if not request_id or not user_id:
            raise SoapFault("Client.MissingHeaderField", "xrd:id і xrd:userId мають бути заповнені")
        if (one("protocolVersion").text or "").strip() != xroad.PROTOCOL_VERSION:
            raise SoapFault("Client.InvalidProtocolVersion", "Підтримується лише xrd:protocolVersion 4.0")
        return {"id": request_id, "userId": user_id, "client": "/".join(client.values())}

    def _response(self, header, operation: str, answer: dict) -> bytes:
        nsmap = {"soap": SOAP_ENV, "xrd": XRD, "id": ID, "sim": SIM, "r": NS}
        env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
        out_header = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
        for el in header:   # X-Road: the answer repeats the request's header
            out_header.append(_copy(el))
        etree.SubElement(out_header, f"{{{SIM}}}simulator").text = "тестовий реєстр"
        body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
        _build(etree.SubElement(body, f"{{{NS}}}{operation}Response"), answer)
        return etree.tostring(env, xml_declaration=True, encoding="UTF-8")

    # --- the operations (answers as ordered dicts; lists repeat the element) -------------------------------

    def op_GetBirthRecord(self, f):
        record = self.registers.births.get((f.text("certificateSeries").upper(), f.text("certificateNumber")))
        if record is None:
            return {"found": False}
        return {"found": True, "child": record["child"].name(), "actRecordNumber": record["act"],
                "registeredOn": record["registered_on"]}

    def op_GetDeathRecord(self, f):
        record = self.registers.deaths.get(f.text("rnokpp"))
        if record is None:
            return {"found": False}
        return {"found": True, "deceased": record["person"].name(), "deathDate": record["death_date"],
                "actRecordNumber": record["act"]}

    def op_GetBirthRegistrations(self, f):
        after, katottg = int(f.text("afterSequence") or 0), f.text("katottg")
        rows = []
        for r in self.registers.registrations:
            if r["sequence"] <= after or r["katottg"] != katottg:
                continue
            row = {"sequence": r["sequence"], "registeredAt": r["registeredAt"], "katottg": r["katottg"],
                   "certificateSeries": r["certificateSeries"], "certificateNumber": r["certificateNumber"],
                   "child": r["child"].name(), "childSex": r["child"].sex}
            if r["child"].rnokpp:
                row["childRnokpp"] = r["child"].rnokpp
            if r["mother"] is not None:
                row["motherRnokpp"] = r["mother"].rnokpp
                row["mother"] = r["mother"].name()
            rows.append(row)
        return {"registration": rows}

    def op_GetIncomes(self, f):
        rnokpp, quarters = f.text("rnokpp"), max(1, min(int(f.text("quarters") or 2), 8))
        person = self.registers.tax_names.get(rnokpp)
        if person is None:
            return {"found": False}
        rows = self.registers.incomes.get(rnokpp, [])[-quarters:]
        return {"found": True, "person": person.name(),
                "income": [{"year": y, "quarter": q, "amount": a, "sign": "101"} for y, q, a in rows]}

    def op_GetPensionStatus(self, f):
        rnokpp = f.text("rnokpp")
        record, person = self.registers.pensions.get(rnokpp), self.registers.people.get(rnokpp)
        if record is None or person is None:
            return {"found": False}
        out = {"found": True, "person": person.name(), "receivesPension": record["receives"]}
        if record["type"]:
            out["pensionType"] = record["type"]
        out["benefit"] = list(record["benefits"])
        return out

    def op_GetIdpCertificate(self, f):
        record = self.registers.idp.get(f.text("rnokpp"))
        if record is None:
            return {"found": False}
        return {"found": True, "certificateNumber": record["number"], "issuedOn": record["issued"],
                "status": record["status"], "katottg": record["katottg"]}

    def op_CheckIdentityDocument(self, f):
        key = (f.text("documentType"), f.text("documentNumber").upper().replace(" ", ""))
        found = self.registers.documents.get(key)
        if found is None:
            return {"found": False}
        status, person = found
        return {"found": True, "status": status, "holder": person.name()}


class _Fields:
    def __init__(self, el):
        self.el = el

    def text(self, name: str) -> str:
        child = self.el.find(f"{{{NS}}}{name}")
        return (child.text or "").strip() if child is not None else ""


def _copy(el):
    return etree.fromstring(etree.tostring(el))


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _build(parent, answer: dict) -> None:
    for key, value in answer.items():
        for item in (value if isinstance(value, list) else [value]):
            if item is None:
                continue
            el = etree.SubElement(parent, f"{{{NS}}}{key}")
            if isinstance(item, dict):
                _build(el, item)
            else:
                el.text = _value(item)


def _fault_xml(code: str, message: str) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "sim": SIM})
    etree.SubElement(etree.SubElement(env, f"{{{SOAP_ENV}}}Header"), f"{{{SIM}}}simulator").text = "тестовий реєстр"
    fault = etree.SubElement(etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


class Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):   # quiet: one debug line, not stderr per request
        log.debug("register simulator: " + fmt, *args)

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (its timeout — what the latency setting is for): nothing to answer to.
            log.debug("register simulator: the client closed the connection before the answer")

    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False, default=str).encode(), "application/json")

    def do_GET(self):
        sim = self.server.simulator
        if self.path.split("?")[0] in ("/", "/wsdl") and ("wsdl" in self.path.lower()):
            return self._send(200, Path(xroad.WSDL).read_bytes(), "text/xml; charset=utf-8")
        if self.path == "/simulator/state":
            return self._json(200, {"simulator": "тестовий реєстр", "config": sim.config,
                                    "requests": len(sim.requests), "births": len(sim.registers.registrations)})
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        sim = self.server.simulator
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._json(413, {"error": "too large"})
        raw = self.rfile.read(length)
        if self.path == "/simulator/config":
            try:
                return self._json(200, sim.configure(json.loads(raw or b"{}")))
            except (ValueError, TypeError, AttributeError) as exc:
                return self._json(400, {"error": str(exc)})
        if self.path == "/simulator/births":
            try:
                return self._json(201, sim.add_birth(json.loads(raw or b"{}")))
            except (ValueError, TypeError, AttributeError) as exc:
                return self._json(400, {"error": str(exc)})
        if self.path == "/simulator/reset":
            sim.reset()
            return self._json(200, {"ok": True})
        try:
            payload = sim.handle(raw)
        except SoapFault as exc:
            return self._send(exc.status, _fault_xml(exc.code, exc.message), "text/xml; charset=utf-8")
        return self._send(200, payload, "text/xml; charset=utf-8")


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options):
        self.simulator = Simulator(**options)
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def serve(host: str, port: int, *, births_every: float = 0, **options) -> None:
    server = SimulatorServer(host, port, **options)
    if births_every:
        def births():
            while True:
                time.sleep(births_every)
                born = date.today() - timedelta(days=server.simulator.random.randint(1, 10))
                server.simulator.add_birth({"child": {"last_name": "Коваленко", "first_name": "Тестова",
                                                      "patronymic": "Петрівна", "birth_date": born.isoformat()},
                                            "mother_rnokpp": next(iter(server.simulator.registers.people))})
        threading.Thread(target=births, daemon=True).start()
    print(f"Тестовий реєстр (симулятор Трембіти): {server.url}  — не для справжніх даних", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
