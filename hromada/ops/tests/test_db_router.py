from types import SimpleNamespace

import pytest
from django.db import transaction

from hromada.applications.models import Application
from hromada.ops.db_router import ReplicaRouter, replica_reads

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")

MONITORING = SimpleNamespace(_meta=SimpleNamespace(app_label="monitoring"))


@pytest.fixture
def with_replica(settings, monkeypatch):
    from hromada.ops import db_router

    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    monkeypatch.setattr(db_router, "replica_lag", lambda: 0.0)  # a replica that is up to date
    db_router.health.reset()
    yield
    db_router.health.reset()


def test_no_replica_no_routing(settings):
    assert "replica" not in settings.DATABASES
    assert ReplicaRouter().db_for_read(MONITORING) is None


def test_monitoring_reads_go_to_the_replica(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(MONITORING) == "replica"
    assert router.db_for_read(Application) is None  # case work reads the primary
    with replica_reads():
        assert router.db_for_read(Application) == "replica"
    assert router.db_for_read(Application) is None
    assert router.db_for_write(MONITORING) == "default"
    assert router.allow_migrate("replica", "monitoring") is False and router.allow_migrate("default", "monitoring")


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    router = ReplicaRouter()
    with transaction.atomic(), replica_reads():
        assert router.db_for_read(MONITORING) is None


@pytest.fixture
def lag(with_replica, settings, monkeypatch):
    """Set the replica's lag (None: down); the router asks afresh on every read (no cached answer)."""
    from hromada.ops import db_router

    settings.HROMADA_REPLICA_MAX_LAG_SECONDS = 10
    settings.HROMADA_REPLICA_CHECK_SECONDS = 0
    db_router.health.reset()
    state = {"lag": 0.0, "asked": 0}

    def replica_lag():
        state["asked"] += 1
        return state["lag"]

    monkeypatch.setattr(db_router, "replica_lag", replica_lag)
    yield state
    db_router.health.reset()


def test_bounded_lag_falls_back_to_the_primary(lag):
    from hromada.ops import db_router

    router = ReplicaRouter()
    lag["lag"] = 3.0
    assert router.db_for_read(MONITORING) == "replica"
    lag["lag"] = 10.5  # behind more than the limit
    assert router.db_for_read(MONITORING) is None
    lag["lag"] = None  # down
    assert router.db_for_read(MONITORING) is None
    lag["lag"] = 0.0  # caught up again
    assert router.db_for_read(MONITORING) == "replica"
    db_router.mark_replica_down()  # a read failed on it
    db_router.settings.HROMADA_REPLICA_CHECK_SECONDS = 60
    assert router.db_for_read(MONITORING) is None


def test_the_state_is_asked_at_most_once_per_interval(lag, settings):
    settings.HROMADA_REPLICA_CHECK_SECONDS = 60
    router = ReplicaRouter()
    for _ in range(5):
        assert router.db_for_read(MONITORING) == "replica"
    assert lag["asked"] == 1


def test_the_response_says_which_server_answered(lag, rf):
    from hromada.ops.db_router import HEADER, ReplicaFallbackMiddleware

    def view(request):
        from django.http import HttpResponse

        ReplicaRouter().db_for_read(MONITORING)
        return HttpResponse("ok")

    middleware = ReplicaFallbackMiddleware(view)
    assert middleware(rf.get("/monitoring/"))[HEADER] == "replica"
    lag["lag"] = 99.0
    assert middleware(rf.get("/monitoring/"))[HEADER] == "primary"
    # No replica-eligible read: no header.
    assert HEADER not in ReplicaFallbackMiddleware(lambda request: __import__("django.http").http.HttpResponse())(
        rf.get("/"))


@pytest.mark.django_db
def test_the_lag_query_runs_on_postgresql():
    """The check's SQL is valid PostgreSQL; on a primary (not in recovery) it answers NULL: "not a replica"."""
    from django.db import connection

    from hromada.ops.db_router import LAG_SQL

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's replication functions")
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        assert cursor.fetchone() == (None,)
