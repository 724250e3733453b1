"""Page weight of the main screens: bytes and requests of an uncached load, with a budget; report in var/.

Measured in Chromium with the browser cache disabled (DevTools protocol), from the Performance API
(``transferSize`` = bytes on the wire incl. headers, ``encodedBodySize`` = body as sent, ``decodedBodySize``).
The test server serves static files uncompressed (whitenoise finders, no collectstatic): the gzip column is
what the same bodies weigh compressed, as whitenoise serves them in production (see test_compressed_static).
"""
from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hromada.browser_testing import ROOT

from .conftest import settle

BUDGET_BYTES = 350 * 1024       # uncached, as served by the test server (uncompressed static)
BUDGET_REQUESTS = 25
REPORT = ROOT / "var" / "page-weight.json"

# (screen, user, path or a callable of deep ids)
SCREENS = [
    ("Вхід", None, "/accounts/login/"),
    ("Головна (фронт-офіс)", "front_demo", "/"),
    ("Особи: пошук", "front_demo", "/persons/?q=Коваленко"),
    ("Особа: реєстрація", "front_demo", "/persons/new/"),
    ("Нова заява: послуга", "front_demo", "/front/new/"),
    ("Заява: сім’я та документи", "front_demo", lambda ids: f"/front/{ids['draft']}/edit/"),
    ("Заява: перевірка", "front_demo", lambda ids: f"/front/{ids['draft']}/review/"),
    ("Заяви громади", "front_demo", "/front/"),
    ("Прийом без зв’язку", "front_demo", "/front/offline/"),
    ("Бек-офіс: черга", "back_demo", "/back/"),
    ("Моніторинг: країна (Chart.js)", "ministry_demo", "/monitoring/"),
    ("Оплата громадам", "ministry_demo", "/billing/"),
    ("Справи дітей", "child_demo", "/children/"),
]

RESOURCES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const rows = [nav, ...performance.getEntriesByType('resource')];
    return rows.map(e => ({url: e.name, type: e.initiatorType || 'navigation', transfer: e.transferSize,
                           encoded: e.encodedBodySize, decoded: e.decodedBodySize}));
}"""


def measure(page, url: str) -> dict:
    bodies: dict[str, bytes] = {}

    def keep(response):
        with contextlib.suppress(Exception):   # redirects and aborted requests have no body
            bodies[response.url] = response.body()

    page.on("response", keep)
    page.goto(url)
    settle(page)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", keep)
    rows = page.evaluate(RESOURCES)
    gz = sum(len(gzip.compress(bodies.get(r["url"], b""), 6)) for r in rows)
    return {"requests": len(rows), "transfer": sum(r["transfer"] for r in rows),
            "encoded": sum(r["encoded"] for r in rows), "decoded": sum(r["decoded"] for r in rows), "gzip": gz,
            "largest": sorted(((r["encoded"], r["url"].split("?")[0].rsplit("/", 1)[-1]) for r in rows), reverse=True)[:3]}


@pytest.mark.browser
def test_page_weight(context, sign_in, live_server_url, deep_ids):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    report, over = [], []
    current = None
    for name, username, path in SCREENS:
        if username != current:
            context.clear_cookies()
            if username:
                sign_in(page, username)
            current = username
        path = path(deep_ids) if callable(path) else path
        row = {"screen": name, "path": path, "user": username or "—", **measure(page, live_server_url + path)}
        report.append(row)
        if row["transfer"] > BUDGET_BYTES or row["requests"] > BUDGET_REQUESTS:
            over.append(f"{name} ({path}): {row['transfer'] / 1024:.0f} KB, {row['requests']} requests; "
                        f"largest: {row['largest']}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"budget": {"bytes": BUDGET_BYTES, "requests": BUDGET_REQUESTS}, "pages": report},
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    assert all(r["requests"] >= 2 for r in report), "each page loads at least its HTML and CSS"
    assert not over, f"over budget ({BUDGET_BYTES // 1024} KB / {BUDGET_REQUESTS} requests):\n  " + "\n  ".join(over)


def test_compressed_static(tmp_path):
    """Production settings: collectstatic writes .gz and .br next to each asset and whitenoise serves them.

    The admin's, ninja's (API docs) and django-htmx's files are left out here only to keep the test fast: brotli
    on their megabytes of source maps takes half a minute; they go through the same storage in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", STATIC_ROOT=str(tmp_path / "static"),
               SECRET_KEY="weight-" + "k" * 40, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               HROMADA_VAR_DIR=str(tmp_path))
    code = (
        "import django, json; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "call_command('collectstatic', '--noinput', '-v', '0',"
        " '-i', 'admin', '-i', 'ninja', '-i', 'django_htmx', '-i', '*.map')\n"
        "from whitenoise import WhiteNoise\n"
        "app = WhiteNoise(lambda e, s: [], root=settings.STATIC_ROOT, prefix=settings.STATIC_URL)\n"
        "out = {'backend': settings.STORAGES['staticfiles']['BACKEND'],"
        " 'middleware': 'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE}\n"
        "for enc in ('gzip', 'br'):\n"
        "    seen = {}\n"
        "    def start(status, headers, exc_info=None):\n"
        "        seen.update(status=status, **dict(headers))\n"
        "    env = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/static/vendor/htmx/htmx.min.js', 'QUERY_STRING': '',\n"
        "           'HTTP_ACCEPT_ENCODING': enc, 'SERVER_NAME': 'x', 'SERVER_PORT': '80', 'wsgi.url_scheme': 'http'}\n"
        "    body = b''.join(app(env, start))\n"
        "    out[enc] = {'status': seen.get('status'), 'encoding': seen.get('Content-Encoding'), 'size': len(body)}\n"
        "print('OUT=' + json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("OUT="))[4:])
    static = Path(tmp_path / "static")
    original = (static / "vendor/htmx/htmx.min.js").stat().st_size
    assert out["middleware"] and "Compressed" in out["backend"]
    assert (static / "core/hromada.css.gz").exists() and (static / "vendor/htmx/htmx.min.js.br").exists()
    for enc, header in (("gzip", "gzip"), ("br", "br")):
        assert out[enc]["status"].startswith("200") and out[enc]["encoding"] == header, out
        assert out[enc]["size"] < original / 2, out
