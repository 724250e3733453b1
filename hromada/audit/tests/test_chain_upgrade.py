"""A database from before the partitioned chains (its one head saved with an explicit id 1, so PostgreSQL's id
sequence never moved) takes new chains' heads after migration 0004."""
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from hromada.audit.models import AuditChainHead

pytestmark = pytest.mark.django_db   # rolled back: the database keeps its own heads


def test_new_chain_heads_after_an_explicit_id_head():
    AuditChainHead.objects.all().delete()
    AuditChainHead.objects.create(pk=1, chain=0)          # what every older database holds
    if connection.vendor == "postgresql":                  # …and its sequence, never advanced by an explicit id
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditchainhead', 'id'), 1, false)")
    migration = import_module("hromada.audit.migrations.0004_chain_head_sequence")
    migration.reset_sequence(apps, SimpleNamespace(connection=connection))
    head = AuditChainHead.objects.create(chain=7)
    assert head.pk > 1
