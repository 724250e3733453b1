"""A STAND-IN SMS gateway for tests and demos: it speaks the JSON protocol of channels.HttpJsonGateway but
no SMS ever reaches a phone. It says so in every answer (``"stand_in": true``) and the case card labels such
messages. Never point production at it.

    python -m hromada.notifications.standin_gateway --port 8199 --token T --report-secret S

Protocol side (what Hromada calls): ``POST /send`` with ``Authorization: Bearer <token>``.
Control side (what a test calls):
    POST /_control  {"mode": "ok" | "fail" | "reject", "fail_times": n, "delay": seconds,
                     "report": null | "delivered" | "undelivered", "report_delay": seconds,
                     "report_first": false}
        mode fail: 503 (transient) — for every message, or only the next ``fail_times`` ones, then ok;
        mode reject: 400 (permanent); delay: answer that late (a slow gateway);
        report: after accepting, POST a delivery report to the message's report_url with the secret;
        report_first: POST that report before answering the send (a fast gateway: the report comes before
        the sender has even read the message's id).
    POST /_report   {"id": "<message id>", "status": "delivered" | …}  POST a report now; answers the code Hromada
                    answered
    GET  /_messages  every message received (accepted or not), with its id and the answer given
    GET  /_reports   every delivery report sent, with the status code Hromada answered
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BANNER = "STAND-IN SMS GATEWAY (tests and demos only): no SMS reaches any phone"


class State:
    def __init__(self, token: str, report_secret: str):
        self.token, self.report_secret = token, report_secret
        self.lock = threading.Lock()
        self.control = {"mode": "ok", "fail_times": None, "delay": 0.0, "report": None, "report_delay": 0.0,
                        "report_first": False}
        self.messages: list[dict] = []
        self.reports: list[dict] = []


def send_report(state: State, message: dict, status: str, delay: float = 0.0) -> int | str:
    time.sleep(delay)
    body = json.dumps({"id": message["id"], "status": status,
                       "error": "" if status == "delivered" else "stand-in: абонент недоступний"}).encode()
    request = urllib.request.Request(message["report_url"], data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "Authorization": f"Bearer {state.report_secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (a test's own server)
            answered = response.status
    except urllib.error.HTTPError as exc:
        answered = exc.code
    except OSError as exc:
        answered = f"{type(exc).__name__}"
    with state.lock:
        state.reports.append({"id": message["id"], "status": status, "answered": answered})
    return answered


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        server_version = "HromadaStandInSms/1"

        def log_message(self, fmt, *args):      # quiet: tests read /_messages instead
            pass

        def _json(self, code: int, payload) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def do_GET(self):  # noqa: N802
            with state.lock:
                if self.path == "/_messages":
                    return self._json(200, state.messages)
                if self.path == "/_reports":
                    return self._json(200, state.reports)
            return self._json(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802
            if self.path == "/_control":
                with state.lock:
                    state.control.update(self._body())
                    return self._json(200, {**state.control, "stand_in": True})
            if self.path == "/_report":
                asked = self._body()
                with state.lock:
                    message = next((m for m in state.messages if m["id"] == asked.get("id")), None)
                if message is None or not message.get("report_url"):
                    return self._json(404, {"error": "no such message", "stand_in": True})
                return self._json(200, {"answered": send_report(state, message, asked.get("status", "delivered"))})
            if self.path != "/send":
                return self._json(404, {"error": "not found"})
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return self._json(401, {"error": "bad token", "stand_in": True})
            try:
                payload = self._body()
            except ValueError:
                return self._json(400, {"error": "not json", "stand_in": True})
            with state.lock:
                control = dict(state.control)
                message = {**payload, "id": f"standin-{uuid.uuid4().hex[:12]}"}
                mode = control["mode"]
                if mode == "fail" and control["fail_times"] is not None:
                    if control["fail_times"] > 0:
                        state.control["fail_times"] -= 1
                    else:
                        mode = "ok"
                message["answer"] = {"ok": 200, "fail": 503, "reject": 400}.get(mode, 200)
                state.messages.append(message)
            if control["delay"]:
                time.sleep(float(control["delay"]))
            if mode == "fail":
                return self._json(503, {"error": "stand-in told to fail", "stand_in": True})
            if mode == "reject":
                return self._json(400, {"error": "номер не обслуговується", "stand_in": True})
            if control["report"] and control["report_first"] and message.get("report_url"):
                send_report(state, message, control["report"], float(control["report_delay"]))
            self._json(200, {"id": message["id"], "status": "accepted", "stand_in": True})
            if control["report"] and not control["report_first"] and message.get("report_url"):
                threading.Thread(target=send_report, daemon=True,
                                 args=(state, message, control["report"], float(control["report_delay"]))).start()
            return None

    return Handler


def serve(port: int, token: str, report_secret: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(State(token, report_secret)))
    server.daemon_threads = True
    return server


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=BANNER)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--report-secret", default="")
    args = parser.parse_args(argv)
    server = serve(args.port, args.token, args.report_secret, args.host)
    print(f"{BANNER}; listening on http://{args.host}:{args.port}/send", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
