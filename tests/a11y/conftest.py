"""Shared helpers for the accessibility, keyboard and page-weight checks (browser tests).

axe-core is vendored in ``vendor/`` and injected into the page only by these tests. The pages send a strict CSP
(no inline scripts), so a ``<script>`` tag added by Playwright would be blocked; evaluating the library through
the DevTools protocol (``page.evaluate``) is not subject to CSP and leaves the page's own policy untouched.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import totp

from hromada.browser_testing import DEMO_PASSWORD

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_JS = VENDOR / "axe.min.js"
VIEWPORT_WIDTH = 1366
# The role a demo username stands for (the lead's fixture users, see hromada/testing.py).
ROLE_USERS = ["front_demo", "back_demo", "head_demo", "hromada_admin_demo", "child_demo", "oblast_demo",
              "ministry_demo", "auditor_demo", "admin_demo", "social_demo", "provider_demo"]
# Never crawled: Django admin (excluded by the task), logout (ends the session), downloads and exports.
SKIP_PATH = re.compile(r"^/(admin|accounts/logout)|\.(pdf|csv|xlsx|json|zip)$|/export|/download|/sw\.js$")

_AXE_SOURCE: str | None = None


def inject_axe(page) -> None:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_AXE_SOURCE + "\n;void 0;")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe with the WCAG 2 A/AA rules; the violations of the given impacts, one row per failing node."""
    inject_axe(page)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                                              resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300)}))}));
        }"""
    )
    rows = []
    for violation in result:
        if violation["impact"] not in impacts:
            continue
        for node in violation["nodes"]:
            rows.append({"rule": violation["id"], "impact": violation["impact"], "help": violation["help"],
                         "target": node["target"], "summary": node["summary"]})
    return rows


def settle(page) -> None:
    """Wait for content a page loads after "load" (htmx load triggers, charts); plain pages need no wait."""
    if page.evaluate("() => !!document.querySelector('[hx-trigger*=load], [data-chart], canvas, [hx-get][hx-trigger]')"):
        page.wait_for_load_state("networkidle")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the 1366 px viewport (0 = no horizontal scrollbar)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    return max(0, width - VIEWPORT_WIDTH)


def same_origin_links(page, base_url: str, selector: str = "nav.nav a[href]") -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    paths = []
    for href in hrefs:
        if not href.startswith(base_url):
            continue
        path = href[len(base_url):].split("#")[0] or "/"
        if SKIP_PATH.search(path) or path in paths:
            continue
        paths.append(path)
    return paths


def first_link(page, pattern: str) -> str | None:
    """The first link on the page whose path matches the regex (deep pages found from their lists)."""
    for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href.split("?")[0]):
            return href
    return None


TOTP_USERS = ["head_demo", "ministry_demo", "auditor_demo", "admin_demo", "child_demo"]
DEEP_IDS_CODE = f"TOTP_USERS = {TOTP_USERS!r}\nTOTP_KEY = '3132333435363738393031323334353637383930'\n" + r"""
import json
from hromada.accounts.models import User
from hromada.applications.models import Application
front = User.objects.get(username="front_demo")
apps = Application.objects.filter(hromada=front.office.hromada).order_by("pk")
draft = apps.filter(status="draft").first()
sent = apps.exclude(status="draft").first()
result = {"draft": draft and draft.pk, "sent": sent and sent.pk, "hromada": front.office.hromada.code,
          "service": draft and draft.service.code, "applicant": None}
if draft:
    result["applicant"] = draft.applicant_person_id
try:
    from hromada.billing.models import BillingPeriod
    period = BillingPeriod.objects.order_by("-year", "-month").first()
    result["period"] = period and period.key
except Exception:
    result["period"] = None
try:
    from hromada.children.models import ChildCase
    case = ChildCase.objects.filter(hromada=front.office.hromada).order_by("pk").first()
    result["child_case"] = case and case.pk
except Exception:
    result["child_case"] = None
# Roles with two-factor authentication get a confirmed TOTP device (kept if an earlier test made one).
from django_otp.plugins.otp_totp.models import TOTPDevice
from hromada.accounts.twofactor import confirmed_device
keys = {}
for user in User.objects.filter(username__in=TOTP_USERS):
    device = confirmed_device(user) or TOTPDevice.objects.create(user=user, name="a11y", key=TOTP_KEY, confirmed=True)
    keys[user.username] = device.bin_key.hex()  # the stored key is sealed (HROMADA_FIELD_KEY)
result["totp"] = keys
print("DEEP=" + json.dumps(result))
"""


@pytest.fixture(scope="session")
def deep_ids(hromada_server) -> dict:
    """Ids of demo objects for the deep pages (a draft and a sent application, a period, a hromada…)."""
    out = hromada_server.shell(DEEP_IDS_CODE)
    line = next(x for x in out.splitlines() if x.startswith("DEEP="))
    return json.loads(line[len("DEEP="):])


class SignIn:
    """Log a page in as a demo user, once per user and session: later pages reuse the session cookies.

    Roles with two-factor authentication type a TOTP code; a code is accepted once per 30-second step, so a
    second login of the same user in the same step uses the next step (within django-otp's tolerance of 1).
    """

    def __init__(self, base_url: str, keys: dict):
        self.base_url = base_url
        self.keys = keys
        self.cookies: dict[str, list] = {}
        self.last_step: dict[str, int] = {}

    def __call__(self, page, username: str, fresh: bool = False) -> None:
        if username in self.cookies and not fresh:
            page.context.add_cookies(self.cookies[username])
            return
        page.goto(f"{self.base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        # Another test may have used this step's code of the same user already: then the next step is tried.
        for attempt in range(3):
            if not page.locator("#id_otp").count():
                break
            if attempt:
                time.sleep(2)   # django-otp throttles after a failed code
            page.fill("#id_otp", self._code(username))
            page.click("main form button[type=submit]")
            page.wait_for_load_state("load")
        if "/accounts/" in page.url:
            raise AssertionError(f"login as {username} failed: still at {page.url}")
        self.cookies[username] = page.context.cookies()

    def _code(self, username: str) -> str:
        step = int(time.time()) // 30
        if self.last_step.get(username, -1) >= step:
            if self.last_step[username] > step:
                time.sleep(30 - time.time() % 30 + 0.5)   # both tolerated steps used: wait for a fresh one
                step = int(time.time()) // 30
            else:
                step += 1
        self.last_step[username] = step
        return f"{totp(bytes.fromhex(self.keys[username]), t0=0, step=30, drift=step - int(time.time()) // 30):06d}"


@pytest.fixture(scope="session")
def sign_in(live_server_url, deep_ids) -> SignIn:
    return SignIn(live_server_url, deep_ids.get("totp", {}))
