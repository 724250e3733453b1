"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis, in-process WSGI).

Every operation gets generated inputs (valid and invalid) with a bearer token; the response must never be a
5xx, its status must be documented and its body must match the documented schema. ``make test`` runs a bounded
number of examples per operation as front_demo (HROMADA_FUZZ_EXAMPLES, default 15); ``make fuzz`` runs the
``fuzz``-marked variant as the front office, the back office and the ministry.
"""
import os

import django
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

django.setup()

from django.core import signals  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from hromada import testing  # noqa: E402

EXAMPLES = int(os.environ.get("HROMADA_FUZZ_EXAMPLES", "15"))
LONG_EXAMPLES = int(os.environ.get("HROMADA_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True,
              print_blob=True)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calls go straight to the WSGI app: keep Django from closing the test's DB connection after each
    request (the test client does the same), or the test transaction would be lost on PostgreSQL."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def front_token(demo):
    client = testing.ApiClient(testing.user("front"))
    return client.headers["Authorization"]


@pytest.fixture(params=["front", "back", "ministry"])
def role_token(request, demo):
    return testing.ApiClient(testing.user(request.param)).headers["Authorization"]


def _load_schema():
    # Built from the NinjaAPI object (no request, no database); calls go to the WSGI app in-process.
    from hromada.core.api import api
    from hromada.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(max_examples=EXAMPLES, **COMMON)
def test_api_has_no_5xx_and_matches_its_schema(case, front_token):
    case.call_and_validate(headers={"Authorization": front_token}, checks=CHECKS)


@pytest.mark.fuzz
@schema.parametrize()
@settings(max_examples=LONG_EXAMPLES, **COMMON)
def test_api_fuzz_long(case, role_token):
    case.call_and_validate(headers={"Authorization": role_token}, checks=CHECKS)
