"""The OpenAPI document: one schema per name, every error status documented (issue 16, finding 16)."""
from collections import defaultdict

from pydantic import BaseModel

from hromada.core.api import ERROR_STATUSES, api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    # ninja names components by class name: a second class of the same name silently replaces the first.
    api.get_openapi_schema()
    by_name = defaultdict(set)
    for cls in _subclasses(BaseModel):     # ninja's Schema and core.schemas.Out alike
        if cls.__module__.startswith("hromada."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(where) for name, where in by_name.items() if len(where) > 1} == {}


def test_event_actor_is_nullable():
    actor = api.get_openapi_schema()["components"]["schemas"]["EventOut"]["properties"]["actor"]
    assert {"type": "null"} in actor["anyOf"]


def test_every_operation_documents_the_error_statuses():
    schema = api.get_openapi_schema()
    missing = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            wanted = {str(s) for s in ERROR_STATUSES if s != 401 or op.get("security")}
            documented = {str(s) for s in op["responses"]}
            if wanted - documented:
                missing.append((method, path, sorted(wanted - documented)))
            for status, response in op["responses"].items():
                if str(status).startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert missing == []
