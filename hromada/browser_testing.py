"""Browser-test fixtures: a real Hromada server in a subprocess, driven by Debian's chromium via Playwright.

The server runs gunicorn on a fresh SQLite database made from a template (migrated, codifier + demo loaded
once per source state), so browser tests never share the pytest-django test database and can stop and
restart the server (the offline front-office test cuts the connection that way).

Fixtures: ``hromada_server`` (LiveServer: .url, .stop(), .start()), ``live_server_url``, ``browser``, ``page``
(1366×768, Ukrainian locale), ``login`` (login(page, username)), ``shot`` (shot(page, name) → var/screenshots/),
``unique`` (hromada.test_values.UniqueValues on the server's database).
Mark tests with ``@pytest.mark.browser``; they are grouped on one xdist worker.

All browser tests of a worker share the server's database for the session: a РНОКПП, a document or case number, a
billing month a test makes up comes from ``unique`` (in the pytest process) or ``UniqueValues.for_django()`` (in
code run by ``hromada_server.shell``), never from a literal — both draw from one counter table in that database
(tests/test_browser_values.py checks the modules keep to it).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HROMADA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"
TEMPLATE_DIR = ROOT / "var" / "browser-template"
DEMO_PASSWORD = "demo12345"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


def _source_fingerprint() -> str:
    """Hash of everything that shapes the template database: migrations, data files, demo seeds."""
    digest = hashlib.sha256()
    patterns = ["hromada/*/migrations/*.py", "hromada/*/data/*", "hromada/*/demo.py", "hromada/demo/services.py",
                "hromada/demo/social.py"]
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def server_env(workdir: Path, db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "HROMADA_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="hromada.settings", DEBUG="0", HROMADA_HTTPS="0", WHITENOISE_USE_FINDERS="1",
        ALLOWED_HOSTS="127.0.0.1,localhost", HROMADA_VAR_DIR=str(workdir), DATABASE_URL=f"sqlite:///{db_path}",
        MEDIA_ROOT=str(workdir / "media"), SECRET_KEY="browser-tests-" + "k" * 40, PYTHONUNBUFFERED="1",
        HROMADA_FIELD_KEY="browser-tests-field-" + "f" * 40,
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict, *args: str) -> None:
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def template_database() -> Path:
    """A migrated SQLite database with the codifier and the demo, cached by source fingerprint."""
    TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
    path = TEMPLATE_DIR / f"template-{_source_fingerprint()}.sqlite3"
    if path.exists():
        return path
    building = path.with_suffix(f".{os.getpid()}.tmp")
    workdir = TEMPLATE_DIR / f"build-{os.getpid()}"
    workdir.mkdir(exist_ok=True)
    env = server_env(workdir, building)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "import_katottg", "--no-progress", "-v", "0")
    _manage(env, "seed_demo", "-v", "0")
    for old in TEMPLATE_DIR.glob("template-*.sqlite3"):
        old.unlink(missing_ok=True)
    building.replace(path)
    shutil.rmtree(workdir, ignore_errors=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving Hromada on 127.0.0.1:<port>; can be stopped and started again on the same port."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.db_path = workdir / "db.sqlite3"
        shutil.copy(template_database(), self.db_path)
        (workdir / "media").mkdir(exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(workdir, self.db_path)
        self.proc: subprocess.Popen | None = None
        self.log = open(workdir / "server.log", "ab")  # noqa: SIM115 (kept open for the server's life)

    def start(self, timeout: float = 60) -> None:
        if self.proc and self.proc.poll() is None:
            return
        cmd = [sys.executable, "-m", "gunicorn", "hromada.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1",
               "--threads", "4", "--timeout", "120", "--graceful-timeout", "2"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.workdir / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as res:  # noqa: S310 (local)
                    if res.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def manage(self, *args: str) -> str:
        proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout + proc.stderr)
        return proc.stdout

    def shell(self, code: str) -> str:
        """Run Python in the server's Django environment (for setup and checks); returns stdout."""
        return self.manage("shell", "-c", code)


@pytest.fixture(scope="session")
def hromada_server(tmp_path_factory):
    if not chromium_available():
        pytest.skip(f"!!! Debian chromium not found at {CHROMIUM}: browser tests SKIPPED (make browser installs it)")
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    server.stop()
    server.log.close()


@pytest.fixture(scope="session")
def unique(hromada_server):
    """Unique РНОКПП, document numbers, case numbers and billing months on the live server's database."""
    from hromada.test_values import UniqueValues

    return UniqueValues.for_sqlite_file(hromada_server.db_path)


@pytest.fixture(scope="session")
def live_server_url(hromada_server):
    return hromada_server.url


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        pytest.skip(f"!!! Debian chromium not found at {CHROMIUM}: browser tests SKIPPED (make browser installs it)")
    from playwright.sync_api import expect, sync_playwright

    # expect() retries until the page shows what it must; give it the actions' timeout (its own is 5 s).
    expect.set_options(timeout=15000)
    pw = sync_playwright().start()
    instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()
    # While Playwright's sync API runs, asyncio sees a running event loop in this thread, so Django's connection
    # store (asgiref's thread-critical Local) switches to its async side: a database test after the first browser
    # test gets a second connection, which the test database's teardown does not close ("is being accessed by other
    # users" on PostgreSQL unless it was garbage-collected first). Closed here, before Playwright stops.
    connections.close_all()
    pw.stop()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="uk-UA", accept_downloads=True)
    ctx.set_default_timeout(15000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


# The server runs in production mode, where heads, the ministry, auditors and administrators need TOTP.
# Tests give such users a device with the RFC 4226 test key and type the current code like a person would.
TOTP_KEY = "3132333435363738393031323334353637383930"
TWO_FACTOR_USERS = {"head_demo", "ministry_demo", "auditor_demo", "admin_demo", "child_demo"}


def ensure_totp(server: LiveServer, username: str) -> None:
    done = server.__dict__.setdefault("_totp_users", set())
    if username in done:
        return
    server.shell(
        "from django_otp.plugins.otp_totp.models import TOTPDevice; from hromada.accounts.models import User;"
        f"TOTPDevice.objects.get_or_create(user=User.objects.get(username='{username}'), name='totp',"
        f" defaults={{'key': '{TOTP_KEY}', 'confirmed': True}})")
    done.add(username)


def totp_now() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY)):06d}"


# An htmx request in flight marks its element (or indicator) .htmx-request; a swap and its settling mark the target.
HTMX_AT_REST = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def wait_for_htmx(page) -> None:
    """Wait until what the last action began has finished: a page it opened has loaded and gone quiet, and no htmx
    request, swap or settling is under way. "networkidle" alone is reached once per page load: after an htmx request
    on a loaded page it returns at once, before the answer is swapped in. (A request htmx starts only after a delay,
    such as a search 300 ms after the last key, has not begun when this looks: wait for its answer instead.)"""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(HTMX_AT_REST)


def sign_out(page) -> None:
    """The browser forgets its session: once the page's requests have settled, so that a response still on its way
    (a fragment renewing the session) cannot set the cookie again after it was cleared (seen under load in CI)."""
    wait_for_htmx(page)
    page.context.clear_cookies()


def do_login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    if not page.locator("#id_username").count():
        # Where did the login page go (a session left over, an error page)? The answer says, not a fill's timeout.
        raise AssertionError(f"no login form for {username} at {page.url}: {page.title()!r}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    for _attempt in range(3):
        if not page.locator("#id_otp").count():
            break
        page.fill("#id_otp", totp_now())
        page.locator("#id_otp").press("Enter")
        page.wait_for_load_state("networkidle")
        if page.locator("#id_otp").count():
            # django-otp accepts each code once: an earlier login in this 30-second step used it. Wait for the next.
            time.sleep(31 - time.time() % 30)
    if "/accounts/login/" in page.url or page.locator("#id_otp").count():
        raise AssertionError(f"login as {username} failed")


@pytest.fixture
def login(hromada_server):
    def _login(page, username, password=DEMO_PASSWORD):
        if username in TWO_FACTOR_USERS:
            ensure_totp(hromada_server, username)
        do_login(page, hromada_server.url, username, password)
        return page
    return _login


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def shot():
    return save_screenshot
