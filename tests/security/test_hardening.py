"""Web hardening: CSP, production cookies/HSTS/SSL redirect, CSRF on forms and session API calls, no secrets."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hromada import testing

from . import scope_world as sw

ROOT = Path(__file__).resolve().parents[2]


def _plain_get_pages():
    """Every UI route without URL parameters (the API and admin have their own tests)."""
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not any(ch in route for ch in "<(\\[^$") and not route.startswith(("api/", "admin/", "i18n/")):
                    yield "/" + route
    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.mark.parametrize("who", ["front", "back", "hadmin", "ministry", "auditor"])
def test_csp_on_every_page(request, who):
    client = Client(raise_request_exception=False)  # 5xx pages are the access matrix's business
    client.force_login(request.getfixturevalue(who))
    checked = 0
    for url in _plain_get_pages():
        res = client.get(url)
        if res.status_code != 200 or not res.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        csp = res.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, url
        assert res.headers.get("X-Content-Type-Options") == "nosniff", url
        assert res.headers.get("X-Frame-Options") == "DENY", url
        html = res.content.decode()
        inline_script = re.search(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", html)
        assert not inline_script, f"inline <script> on {url}"
        assert not re.search(r"\sstyle=\"", html), f'inline style="" on {url}'
    assert checked >= 2


PROD_SCRIPT = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
plain = c.get("/accounts/login/")
secure = c.get("/accounts/login/", secure=True)
print(json.dumps({
  "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
  "session_httponly": settings.SESSION_COOKIE_HTTPONLY, "hsts": settings.SECURE_HSTS_SECONDS,
  "redirect": settings.SECURE_SSL_REDIRECT, "debug": settings.DEBUG,
  "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
  "secure_status": secure.status_code, "hsts_header": secure.headers.get("Strict-Transport-Security", ""),
  "csrf_cookie": str(secure.cookies.get("csrftoken", "")),
  "csp": secure.headers.get("Content-Security-Policy", ""),
}))
"""


def test_production_settings_are_hardened(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HROMADA_", "PYTEST", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", SECRET_KEY="s" * 30 + "Qz9!" * 10,
               ALLOWED_HOSTS="testserver,hromada.example.gov.ua", HROMADA_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    proc = subprocess.run([sys.executable, "-c", PROD_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["debug"] is False
    assert out["session_secure"] and out["csrf_secure"] and out["session_httponly"]
    assert out["hsts"] >= 31536000 and out["redirect"]
    assert out["plain_status"] == 301 and out["plain_location"].startswith("https://")
    assert out["secure_status"] == 200
    assert "max-age=31536000" in out["hsts_header"] and "includeSubDomains" in out["hsts_header"]
    assert "Secure" in out["csrf_cookie"] and "SameSite=Lax" in out["csrf_cookie"]
    assert "default-src 'self'" in out["csp"]


def test_csrf_enforced_on_forms(front):
    client = Client(enforce_csrf_checks=True)
    res = client.post("/accounts/login/", {"username": "front_demo", "password": "demo12345"})
    assert res.status_code == 403
    client.force_login(front)
    assert client.post("/accounts/password/", {"old_password": "demo12345", "new_password1": "Zx9-long-enough",
                                               "new_password2": "Zx9-long-enough"}).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
    front.refresh_from_db()
    assert front.check_password("demo12345")


def test_csrf_enforced_on_session_api_posts(front):
    client = Client(enforce_csrf_checks=True)
    client.force_login(front)
    assert client.get("/api/v1/auth/me").status_code == 200  # reads work with the session
    res = client.post("/api/v1/auth/token/revoke", "{}", content_type="application/json")
    assert res.status_code in (401, 403)
    page = client.get("/accounts/security/")
    token = page.context["csrf_token"] if page.context else client.cookies["csrftoken"].value
    res = client.delete("/api/v1/auth/tokens/999999999", headers={"X-CSRFToken": str(token)})
    assert res.status_code == 404  # with the token the request gets through to the (empty) lookup
    res = client.delete("/api/v1/auth/tokens/999999999")
    assert res.status_code in (401, 403)


def test_bearer_api_needs_no_csrf(front, api):
    assert api(front).delete("auth/tokens/999999999").status_code == 404


SECRET_PATTERNS = {
    "private key": re.compile("-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?" + "PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key assignment": re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{40}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "hard-coded Django SECRET_KEY": re.compile(r"^SECRET_KEY\s*=\s*['\"][^'\"]{20,}['\"]", re.M),
}


def test_no_secrets_in_tracked_files():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    offenders = []
    for name in filter(None, (f.decode() for f in files)):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        if Path(name).name in {"secret_key"} or name.endswith((".pem", ".key", ".p12", ".pfx")):
            offenders.append(f"{name}: key file tracked")
            continue
        text = path.read_bytes().decode("utf-8", "ignore")
        offenders.extend(f"{name}: {label}" for label, rx in SECRET_PATTERNS.items() if rx.search(text))
    assert not offenders, offenders


def test_secret_pattern_scanner_can_fail():
    assert SECRET_PATTERNS["AWS access key id"].search("key = AKIA" + "ABCDEFGHIJKLMNOP")
    assert SECRET_PATTERNS["private key"].search("-----BEGIN RSA " + "PRIVATE KEY-----")


LIST_URLS = {
    "front": ["/persons/?q={surname}", "/front/", "/front/?q={surname}", "/api/v1/persons?q={surname}",
              "/api/v1/applications", "/front/results/", "/front/returned/"],
    "back": ["/back/", "/api/v1/backoffice/queue", "/api/v1/applications"],
    # The hromada administrator reads no residents' lists at all (#16): tests/security/test_personal_data.py.
}


@pytest.mark.parametrize("who", sorted(LIST_URLS))
def test_rnokpp_masked_in_lists(request, who, demo):
    world = sw.build_world()
    user = request.getfixturevalue(who)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    api_client = None
    seen_person = 0
    for template in LIST_URLS[who]:
        url = template.format(surname=sw.SURNAME)
        if url.startswith("/api/"):
            api_client = api_client or testing.ApiClient(user)
            res = api_client.get(url)
        else:
            res = client.get(url)
        if res.status_code == 404:
            continue   # a list this role does not have
        assert res.status_code == 200, (url, res.status_code)
        body = res.content.decode()
        assert world.rnokpp not in body, f"full РНОКПП in the list {url}"
        seen_person += sw.SURNAME in body or world.application.number in body
    assert seen_person, "the lists must show the resident's case at all (else this test proves nothing)"
    # The card itself may show the full number to a user in scope.
    if who == "front":
        assert world.rnokpp in client.get(f"/persons/{world.person.pk}/").content.decode()
