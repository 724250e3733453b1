"""The database's outage answers 503 ``database_unavailable`` with a Ukrainian "спробуйте ще раз" — never a 500
page — whether it strikes in an API view, a web page, or outside the view (the session saved afterwards)."""
from django.db import OperationalError
from django.test import Client

from hromada import testing
from hromada.accounts.sessions import SessionStore


def _down(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_api_answers_503_with_the_code(demo, monkeypatch):
    client = testing.ApiClient(testing.user("front"))
    monkeypatch.setattr("hromada.core.registry.user_for_token", _down)
    response = client.get("applications")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert "спробуйте ще раз" in body["message"].lower()
    assert response["Retry-After"] == "5"


def test_a_page_answers_503_not_500(demo, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(testing.user("front"))
    monkeypatch.setattr(SessionStore, "load", _down)
    response = client.get("/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "database_unavailable" in text and "спробуйте ще раз" in text.lower()


def test_outside_the_view_too(rf):
    """An error after the view (the session saved afterwards) reaches handler500, which answers 503 as well."""
    from hromada import urls
    from hromada.core.middleware import server_error

    assert urls.handler500 == "hromada.core.middleware.server_error"
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(rf.get("/api/v1/applications"))
    assert response.status_code == 503 and b"database_unavailable" in response.content


def test_other_errors_stay_500(demo, monkeypatch):
    client = testing.ApiClient(testing.user("front"))
    client.client.raise_request_exception = False
    monkeypatch.setattr("hromada.core.registry.user_for_token", lambda token: 1 / 0)
    assert client.get("applications").status_code == 500
