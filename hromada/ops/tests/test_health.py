import pytest
from django.core.management import call_command
from django.test import override_settings

from hromada.ops import health


def test_readyz_ready(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["broker"]["detail"].startswith("not configured")


def test_readyz_503_when_storage_fails(client, db, monkeypatch):
    def broken():
        raise PermissionError("bucket denied")

    monkeypatch.setitem(health.CHECKS, "storage", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["storage"] == {"ok": False, "ms": body["checks"]["storage"]["ms"],
                                         "detail": "PermissionError: bucket denied"}
    assert body["checks"]["database"]["ok"] is True


def test_readyz_503_when_broker_unreachable(client, db):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_unapplied_migrations_are_not_ready(db, monkeypatch):
    class Plan:
        app_label, name = "ops", "0099_future"

    class Executor:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            return [(Plan(), False)]

    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "MigrationExecutor", Executor)
    with pytest.raises(RuntimeError, match="1 unapplied: ops.0099_future"):
        health.check_migrations()


def test_storage_probe_leaves_nothing(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    assert health.check_storage() == "FileSystemStorage"
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_check_stack_command(db, capsys, monkeypatch):
    call_command("check_stack")
    assert "status: ready" in capsys.readouterr().out
    monkeypatch.setitem(health.CHECKS, "database", lambda: (_ for _ in ()).throw(OSError("down")))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_stack")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "FAIL database" in out and "status: not_ready" in out
