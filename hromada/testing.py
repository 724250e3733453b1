"""Test helpers shared by every app's tests: named role users, API clients, demo data."""
from __future__ import annotations

import json
import secrets
import threading
from datetime import timedelta

from django.db import connections
from django.test import Client
from django.utils import timezone

from hromada.accounts.models import ApiToken, User

DEMO_USERS = {
    "front": "front_demo", "front2": "front2_demo", "back": "back_demo", "back2": "back2_demo",
    "head": "head_demo", "hadmin": "hromada_admin_demo", "child": "child_demo", "oblast": "oblast_demo",
    "ministry": "ministry_demo", "auditor": "auditor_demo", "sysadmin": "admin_demo",
    "social": "social_demo", "provider": "provider_demo",
}


def ensure_demo() -> None:
    """Codifier + demo present (a transactional test may have flushed them)."""
    from hromada.demo.services import seed_demo
    from hromada.territory.management.commands.import_katottg import DEFAULT_FILE
    from hromada.territory.models import Unit
    from hromada.territory.services import import_codifier

    if not User.objects.filter(username="front_demo").exists():
        if not Unit.objects.filter(code="UA18080010000090720").exists():
            import_codifier(DEFAULT_FILE)
        from hromada.catalog.services import sync_catalog
        sync_catalog()
        seed_demo()


def user(name: str) -> User:
    return User.objects.select_related("office", "territory").get(username=DEMO_USERS.get(name, name))


class ApiClient:
    """A JSON client for /api/v1/ authenticated with a bearer token of the given user."""

    def __init__(self, who: User | None = None):
        self.client = Client()
        self.user = who
        self.headers = {}
        if who is not None:
            raw = "hm_" + secrets.token_urlsafe(24)
            ApiToken.objects.create(user=who, name="test", prefix=raw[:12], key_hash=ApiToken.hash(raw),
                                    expires_at=timezone.now() + timedelta(hours=1))
            self.headers["Authorization"] = f"Bearer {raw}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def _split(self, headers: dict) -> tuple[dict, dict]:
        """Header names as HTTP sends them ("Idempotency-Key") or as WSGI keys ("HTTP_IDEMPOTENCY_KEY")."""
        extra = {k: v for k, v in headers.items() if k.startswith("HTTP_")}
        plain = {k: v for k, v in headers.items() if not k.startswith("HTTP_")}
        return {**self.headers, **plain}, extra

    def get(self, path, params=None, **headers):
        plain, extra = self._split(headers)
        return self.client.get(self._url(path), params or {}, headers=plain, **extra)

    def post(self, path, data=None, *, files=None, **headers):
        plain, extra = self._split(headers)
        if files is not None:
            return self.client.post(self._url(path), {**(data or {}), **files}, headers=plain, **extra)
        return self.client.post(self._url(path), json.dumps(data or {}), content_type="application/json",
                                headers=plain, **extra)

    def put(self, path, data=None, **headers):
        plain, extra = self._split(headers)
        return self.client.put(self._url(path), json.dumps(data or {}), content_type="application/json",
                               headers=plain, **extra)

    def patch(self, path, data=None, **headers):
        plain, extra = self._split(headers)
        return self.client.patch(self._url(path), json.dumps(data or {}), content_type="application/json",
                                 headers=plain, **extra)

    def delete(self, path, **headers):
        plain, extra = self._split(headers)
        return self.client.delete(self._url(path), headers=plain, **extra)


def run_threads(n: int, target, *, timeout: float = 60) -> tuple[list, list]:
    """Run ``target(i)`` in ``n`` threads released together by a barrier (each thread its own DB connection):
    the races only a real database shows. Returns (results, exceptions)."""
    barrier = threading.Barrier(n)
    results: list = []
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results, errors


def migrate_all_forward() -> None:
    """Every app to its last migration: where a test that moved the schema back leaves it. Not the moved app's alone:
    moving one back also unapplies the later migrations of other apps that depend on it (``notifications/0003`` on
    ``applications/0027``), and the tests after it, in the same worker, would find their indexes of before."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def run_migration_again(app_label: str, module: str) -> None:
    """Run a migration's operations again on the database it already brought forward: a non-atomic migration is
    recorded only when it finishes, so an interrupted run starts again from its first step and must find the work
    done ("does not exist", "already exists" would stop it)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # Each operation between the states the executor gives it (one that removes an index finds it in the state
    # before, as the first run did).
    loader = MigrationLoader(connection)
    name = module.rsplit(".", 1)[1]
    state = loader.project_state((app_label, name), at_end=False)
    with connection.schema_editor(atomic=False) as editor:
        for op in loader.get_migration(app_label, name).operations:
            after = state.clone()
            op.state_forwards(app_label, after)
            op.database_forwards(app_label, editor, state, after)
            state = after


def index_definitions(table: str) -> dict[str, str]:
    """PostgreSQL: a table's indexes by name, each with its definition (a partitioned table: the parent's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def case_events(application, action: str | None = None) -> list:
    """A case's history as the database holds it now (``Application.history``), oldest first; ``action`` keeps
    only that step's events."""
    from hromada.applications.models import HISTORY, Application

    pk = getattr(application, "pk", application)
    events = HISTORY.decode(Application.objects.values_list("history", flat=True).get(pk=pk))
    return [e for e in events if action is None or e.action == action]


def with_history(application, actions, *, actor=None, at=None):
    """Give a case built in a test (not yet saved, or saved and then saved again by the caller) the history and
    the columns the workflow's steps would have written: ``actions`` are the step names in order (or tuples
    ``(action, to_status)``); take and assign set ``assigned_to``, grant and refuse set ``granted``."""
    from hromada.applications.models import HISTORY

    when = at or timezone.now()
    state = "draft"
    history = bytes(application.history or b"")
    for step in actions:
        action, to_status = step if isinstance(step, tuple) else (step, application.status)
        history = HISTORY.append(history, action=action, from_status=state, to_status=to_status,
                                 actor_id=getattr(actor, "pk", actor), at=when)
        state = to_status
        if action in ("take", "assign") and actor is not None and application.assigned_to_id is None:
            application.assigned_to_id = getattr(actor, "pk", actor)
        if action in ("grant", "refuse"):
            application.granted = action == "grant"
    application.history = history
    return application
