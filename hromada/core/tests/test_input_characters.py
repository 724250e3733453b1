"""NUL bytes and lone surrogates never reach the database (issue 16, finding 9): 400 with a code in the API,
the error page or a form error on the web. The walk covers every operation of the OpenAPI document."""
import json
import re

import pytest

from hromada import testing
from hromada.core.api import api

NUL, SURROGATE = "a\x00b", "a\ud800b"


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {})
            yield pytest.param(path, method, sorted(body), id=f"{method.upper()} {path}")


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _assert_refused(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert "недопустимі символи" in body["message"]


@pytest.mark.parametrize(("path", "method", "content_types"), list(_operations()))
@pytest.mark.parametrize("who", [None, "front"])
def test_every_operation_refuses_nul_in_query(demo, path, method, content_types, who):
    client = testing.ApiClient(testing.user(who) if who else None)
    url = _url(path)
    response = client.client.generic(method.upper(), url + "?q=" + "%00", headers=client.headers)
    _assert_refused(response)


@pytest.mark.parametrize(("path", "method", "content_types"),
                         [p for p in _operations() if p.values[2]])
@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_every_operation_with_a_body_refuses_bad_characters(demo, path, method, content_types, bad):
    client = testing.ApiClient(testing.user("front"))
    url = _url(path)
    if "application/json" in content_types:
        # ensure_ascii keeps the lone surrogate as the \\ud800 escape a client would send.
        data = json.dumps({"name": bad, "items": [{"note": bad}]})
        response = client.client.generic(method.upper(), url, data, content_type="application/json",
                                         headers=client.headers)
    else:
        if bad == SURROGATE:
            pytest.skip("form bodies are decoded with replacement: a surrogate cannot arrive in a form field")
        response = client.client.generic(method.upper(), url, "client_key=" + "%00",
                                         content_type="application/x-www-form-urlencoded", headers=client.headers)
    _assert_refused(response)


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_anonymous_token_endpoint(demo, client, bad):
    response = client.post("/api/v1/auth/token", json.dumps({"username": bad, "password": bad}),
                           content_type="application/json")
    _assert_refused(response)


def test_multipart_field_and_file_name(demo):
    client = testing.ApiClient(testing.user("front"))
    response = client.client.post("/api/v1/offline/intake", {"client_key": "k\x00"}, headers=client.headers)
    _assert_refused(response)


def test_web_query_gets_the_error_page(demo, client):
    client.force_login(testing.user("front"))
    response = client.get("/persons/?q=%00")
    assert response.status_code == 400
    assert "недопустимі символи" in response.content.decode()


def test_web_form_gets_a_form_error(demo, client):
    response = client.post("/accounts/login/", {"username": "front\x00demo", "password": "x\x00"})
    assert response.status_code == 200
    assert "form" in response.content.decode()
    assert response.context["form"].errors
