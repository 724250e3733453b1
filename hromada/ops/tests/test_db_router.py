from types import SimpleNamespace

import pytest
from django.db import transaction

from hromada.applications.models import Application
from hromada.ops.db_router import ReplicaRouter, replica_reads

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")

MONITORING = SimpleNamespace(_meta=SimpleNamespace(app_label="monitoring"))


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}


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
