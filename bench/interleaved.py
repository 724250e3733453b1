"""Interleaved HTTP A/B of one signed-in page between two running servers (issue #24's fair comparisons).

Runs one after the other on a 2-core machine differ by 5-13 %; two servers measured request by request, the order
alternating, do not. Start two servers on the same database (e.g. two checkouts, each
``gunicorn hromada.wsgi -b 127.0.0.1:PORT -w 1 --threads 1`` with the same DATABASE_URL and REDIS_URL), then:

    python bench/interleaved.py 8101 8102 "/back/?status=submitted" b6_0,b6_2 b6_1,b6_3 120

signs in as each side's user of a round (password ``dataset12345``, the generated staff's; a user per side per round:
the read limit is 300 in five minutes), sends 20 untimed requests per side, then N per side, and prints p50 / p95 ms.
"""
from __future__ import annotations

import http.client
import re
import sys
import time
import urllib.parse


class Client:
    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes, float]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=sent)
        response = self.conn.getresponse()
        data = response.read()
        ms = (time.perf_counter() - start) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, val = value.split(";")[0].split("=", 1)
                self.cookies[key] = val
        return response.status, data, ms

    def login(self, username: str) -> Client:
        _status, html, _ms = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, "no login form"
        body = urllib.parse.urlencode({"username": username, "password": "dataset12345",
                                       "csrfmiddlewaretoken": token.group(1).decode()})
        status, _data, _ms = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"})
        assert status == 302, f"sign-in of {username} answered {status}"
        return self


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main(port_a: str, port_b: str, path: str, users_a: str, users_b: str, requests: str) -> None:
    for number, (user_a, user_b) in enumerate(zip(users_a.split(","), users_b.split(","), strict=True)):
        a, b = Client(int(port_a)).login(user_a), Client(int(port_b)).login(user_b)
        for _ in range(20):
            assert a.request("GET", path)[0] == 200 and b.request("GET", path)[0] == 200
        times: dict[Client, list[float]] = {a: [], b: []}
        for i in range(int(requests)):
            for client in ((a, b) if (i + number) % 2 == 0 else (b, a)):
                status, _data, ms = client.request("GET", path)
                assert status == 200, status
                times[client].append(ms)
        pa, pb = percentile(times[a], 50), percentile(times[b], 50)
        print(f"round {number + 1}: A {pa:.2f} / {percentile(times[a], 95):.2f}   "
              f"B {pb:.2f} / {percentile(times[b], 95):.2f}   p50 change {100 * (pb / pa - 1):+.0f} %", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7])
