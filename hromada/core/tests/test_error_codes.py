"""Every error code Hromada raises or answers is a member of ``ErrorCode`` (one enum, documented in OpenAPI)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hromada.core.error_codes import ErrorCode
from hromada.core.errors import Conflict, HromadaError, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]

# Helpers that take the code as a positional argument (index) and raise or answer it.
_FORWARDERS = {"FieldError": 1, "_fail": 1, "_choice": 2, "_json_error": 2}
# Calls with a ``code=`` keyword that is not an error code (a calculator's or a unit's own code).
_NOT_ERRORS = {"Calculator", "filter", "get", "exclude", "create", "get_or_create", "update_or_create"}


def _str(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _str(node.body) + _str(node.orelse)
    return []


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def codes_in_source() -> dict[str, set[str]]:
    """Code literals found in the source (tests and migrations aside): ``code=...`` given to an error, a class's
    ``code = ...``, ``"code": ...`` in a JSON body, ``error_code=...``, and the forwarders' code argument."""
    found: dict[str, set[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: list[str] = []
            if isinstance(node, ast.Call) and _call_name(node) not in _NOT_ERRORS:
                values += [v for kw in node.keywords if kw.arg in ("code", "error_code") for v in _str(kw.value)]
                index = _FORWARDERS.get(_call_name(node))
                if index is not None and len(node.args) > index:
                    values += _str(node.args[index])
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                values += _str(node.value)
            elif isinstance(node, ast.Dict):
                values += [v for k, val in zip(node.keys, node.values, strict=True)
                           if isinstance(k, ast.Constant) and k.value == "code" for v in _str(val)]
            for value in values:
                if value:
                    found.setdefault(value, set()).add(str(rel))
    return found


def test_every_code_in_the_source_is_an_enum_member():
    found = codes_in_source()
    assert len(found) > 100                       # the scan does see the codes
    unknown = {code: sorted(where) for code, where in found.items() if code not in ErrorCode._value2member_map_}
    assert not unknown, f"add these codes to hromada.core.error_codes.ErrorCode: {unknown}"


def test_http_errors_answer_enum_codes(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401 and response.json()["code"] == ErrorCode.UNAUTHORIZED


def test_the_root_refuses_a_code_outside_the_enum():
    with pytest.raises(ValueError, match="no_such_code"):
        ValidationFailed("x", code="no_such_code")
    with pytest.raises(ValueError, match="made_up"):
        type("MadeUp", (Conflict,), {"code": "made_up"})


def test_codes_keep_their_spelling_and_compare_as_strings():
    err = ValidationFailed("x", code="possible_duplicate")
    assert err.code == "possible_duplicate" and err.code is ErrorCode.POSSIBLE_DUPLICATE
    assert err.as_dict()["code"] == "possible_duplicate"
    assert isinstance(HromadaError().code, ErrorCode)
    assert {"not_found", "possible_duplicate", "stale_version", "illegal_transition"} <= {c.value for c in ErrorCode}


def test_field_and_backup_errors_join_the_root():
    from hromada.audit.backup import BackupError
    from hromada.persons.validators import FieldError

    field_error = FieldError("rnokpp", "invalid_rnokpp", "bad")
    assert isinstance(field_error, HromadaError) and field_error.code is ErrorCode.INVALID_RNOKPP
    assert field_error.as_dict() == {"field": "rnokpp", "code": "invalid_rnokpp", "message": "bad"}
    assert isinstance(BackupError("broken"), HromadaError) and BackupError("broken").code == "backup_failed"


def test_the_openapi_document_lists_the_codes(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ErrorOut"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    assert sorted(schemas["ErrorCode"]["enum"]) == sorted(c.value for c in ErrorCode)
