"""A bounded load generator for the cluster tests: front-office desks sending complete intakes through the balancer.

One intake = one ``POST /api/v1/offline/intake`` (register the person, create, fill and submit the application in one
transaction, exactly once per ``client_key``). Each client retries a failed send with the SAME key (and the same
``Idempotency-Key`` header) — as the offline desk does — for at most ``retry_seconds``; every fifth acknowledged
intake is sent once more, as by a client that lost the answer, and must be answered ``replayed`` with the same case.
The load stops by itself after ``seconds`` (or ``max_intakes``). Then ``verify`` counts, from the primary:
duplicates (a resident with more than one application, or the key's case not the acknowledged one) and lost
(acknowledged, not in the database) — both must be 0.
"""
from __future__ import annotations

import io
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

CLEAN_BALANCER = (502, 503, 504)  # HAProxy's own answers while a host is gone: retried


def _png(color) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "PNG")
    return buf.getvalue()


SCANS = {"application_form": _png((10, 20, 30)), "identity_document": _png((40, 50, 60)),
         "child_birth_certificate": _png((70, 80, 90))}


@dataclass
class Figures:
    name: str
    sent: int = 0                 # intakes attempted (unique keys)
    requests: int = 0             # HTTP attempts, retries and re-sends included
    acknowledged: int = 0         # 200 with the case
    clean_errors: int = 0         # 503 database_unavailable / balancer 502–504 / connection refused: retried
    kinds: dict = field(default_factory=dict)     # clean error → how many
    gave_up: int = 0              # not acknowledged within the retry window (each ended on a clean error)
    unclean: list = field(default_factory=list)   # anything else (a 500 page, a wrong code): must stay empty
    resent: int = 0               # acknowledged intakes sent again with the same key
    replayed_ok: int = 0          # … answered replayed, with the same case
    duplicates: int = -1
    lost: int = -1
    seconds: float = 0.0
    acked: dict = field(default_factory=dict)     # key → application id
    rnokpps: dict = field(default_factory=dict)   # key → РНОКПП

    @property
    def throughput(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"[{self.name}] sent {self.sent}, requests {self.requests}, acknowledged {self.acknowledged}, "
                f"failed with a clean error {self.clean_errors} {self.kinds or ''} (gave up {self.gave_up}), "
                f"unclean {len(self.unclean)}, "
                f"re-sent {self.resent} (replayed {self.replayed_ok}), duplicates {self.duplicates}, "
                f"lost {self.lost}; {self.throughput:.2f} intakes/s over {self.seconds:.0f} s")


class Load:
    def __init__(self, url: str, token: str, author_id: int, desk_id: int, *, clients: int = 3,
                 seconds: float = 20, max_intakes: int | None = None, retry_seconds: float = 40, name: str = "load"):
        self.url, self.token, self.author_id, self.desk_id = url, token, author_id, desk_id
        self.clients, self.seconds, self.max_intakes, self.retry_seconds = clients, seconds, max_intakes, retry_seconds
        self.figures = Figures(name)
        self.lock = threading.Lock()
        self.stop_at = 0.0
        self.run_id = uuid.uuid4().hex[:8]
        self.rng = random.Random()

    def _payload(self, key: str) -> tuple[dict, str]:
        from hromada.demo.dataset import make_rnokpp

        with self.lock:
            birth = date(1950, 1, 1) + timedelta(days=self.rng.randrange(20000))
            serial = self.rng.randrange(5000)
            doc = f"{self.rng.randrange(10**9):09d}"
        rnokpp = make_rnokpp(birth, "F", serial)
        person = {"last_name": "Кластерна", "first_name": "Олена", "patronymic": "Тестівна",
                  "birth_date": birth.isoformat(), "sex": "F", "rnokpp": rnokpp,
                  "id_document": {"type": "id_card", "number": doc}, "phone": "+380671234567", "is_idp": False,
                  "address": {"settlement_code": None}}
        return {"person": person, "service_code": "birth_assistance", "channel": "in_person"}, rnokpp

    def _send(self, session, key: str, payload: dict) -> tuple[str, object]:
        """One HTTP attempt: ("ok", body) | ("clean", reason) | ("unclean", reason)."""
        form = {"client_key": key, "payload": json.dumps(payload), "author_id": str(self.author_id),
                "desk_id": str(self.desk_id), "confirm_not_duplicate": "1"}
        files = [(f"file:{code}", (f"{code}.png", content, "image/png")) for code, content in SCANS.items()]
        with self.lock:
            self.figures.requests += 1
        try:
            response = session.post(f"{self.url}/api/v1/offline/intake", data=form, files=files, timeout=60,
                                    headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
        except Exception as exc:  # noqa: BLE001 (a refused or reset connection: the client retries)
            return "clean", exc.__class__.__name__
        if response.status_code == 200:
            return "ok", response.json()
        if response.status_code == 503 and response.headers.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            if body.get("code") == "database_unavailable" and "спробуйте ще раз" in body.get("message", "").lower():
                return "clean", "database_unavailable"
        if response.status_code in CLEAN_BALANCER and "gunicorn" not in response.headers.get("Server", ""):
            return "clean", f"balancer {response.status_code}"
        return "unclean", f"{response.status_code} {response.text[:300]}"

    def _until_answered(self, session, key: str, payload: dict) -> tuple[str, object]:
        """Send, and on a clean error send again with the same key until answered or the retry window ends."""
        deadline = time.monotonic() + self.retry_seconds
        while True:
            outcome, detail = self._send(session, key, payload)
            if outcome != "clean":
                return outcome, detail
            with self.lock:
                self.figures.clean_errors += 1
                self.figures.kinds[detail] = self.figures.kinds.get(detail, 0) + 1
            if time.monotonic() > deadline:
                return "gave up", detail
            time.sleep(0.5)

    def _intake(self, session, n: int) -> None:
        key = f"cl-{self.run_id}-{n}"
        payload, rnokpp = self._payload(key)
        with self.lock:
            self.figures.sent += 1
            self.figures.rnokpps[key] = rnokpp
        outcome, detail = self._until_answered(session, key, payload)
        with self.lock:
            if outcome == "unclean":
                self.figures.unclean.append(detail)
            elif outcome == "gave up":
                self.figures.gave_up += 1
            else:
                self.figures.acknowledged += 1
                self.figures.acked[key] = detail["id"]
            resend = outcome == "ok" and self.figures.acknowledged % 5 == 0
        if resend:  # the client lost the answer and sends the same case again
            again, body = self._until_answered(session, key, payload)
            with self.lock:
                self.figures.resent += 1
                if again == "ok" and body["replayed"] and body["id"] == detail["id"]:
                    self.figures.replayed_ok += 1
                elif again == "unclean":
                    self.figures.unclean.append(body)

    def _client(self, index: int) -> None:
        import requests

        session = requests.Session()
        n = index
        while time.monotonic() < self.stop_at:
            if self.max_intakes is not None:
                with self.lock:
                    if self.figures.sent >= self.max_intakes:
                        break
            self._intake(session, n)
            n += self.clients
        session.close()

    def run(self, during=None) -> Figures:
        """Run the load; ``during(elapsed)`` is called about every 0.2 s meanwhile (the fault injection)."""
        begun = time.monotonic()
        self.stop_at = begun + self.seconds
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            if during is not None:
                during(time.monotonic() - begun)
            time.sleep(0.2)
        self.figures.seconds = time.monotonic() - begun
        return self.figures


def verify(figures: Figures, sql) -> Figures:
    """Duplicates and lost intakes, counted on the primary (``sql(query, params) → rows``)."""
    keys = list(figures.rnokpps)
    stored = dict(sql("SELECT key, application_id FROM applications_idempotencyrecord "
                      "WHERE scope = 'offline_intake' AND key = ANY(%s)", (keys,)))
    figures.lost = sum(1 for key, app_id in figures.acked.items() if stored.get(key) != app_id)
    per_resident = sql("SELECT p.rnokpp, count(a.id) FROM persons_person p "
                       "JOIN applications_application a ON a.applicant_person_id = p.id "
                       "WHERE p.rnokpp = ANY(%s) GROUP BY p.rnokpp", (list(figures.rnokpps.values()),))
    persons = sql("SELECT rnokpp, count(*) FROM persons_person WHERE rnokpp = ANY(%s) GROUP BY rnokpp",
                  (list(figures.rnokpps.values()),))
    figures.duplicates = sum(count - 1 for _rnokpp, count in per_resident if count > 1) + \
        sum(count - 1 for _rnokpp, count in persons if count > 1)
    return figures
