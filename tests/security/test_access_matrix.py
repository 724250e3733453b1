"""The access matrix: every URL pattern and every API operation, asked by users of *another* scope.

For each outsider (front2, back2, a hromada admin and a children's service of Тетерівська, an oblast monitor
of another oblast) and for the national roles without residents' files (ministry, auditor):

* object URLs filled with Баранівська's objects must answer exactly as for an object that does not exist
  (404 — never 403, never a different status, never 5xx);
* no response — lists, searches, filters, counts, exports, PDFs, spreadsheets, downloads — may contain
  Баранівська's application number, the resident's surname or РНОКПП.

URL parameters are filled from ``KWARGS`` by name; a parameter nobody registered fails the test, so a new
URL can never go untested.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hromada import testing
from hromada.core.api import api as ninja_api

from . import scope_world as sw

MISSING_ID = 987654321

# kwarg name → function(route, world) -> (value for Баранівська's object, value for a missing object).
# ``route`` lets one name mean different objects under different prefixes (pk of a person vs an application).
Resolver = Callable[[str, sw.World], tuple[object, object]]


def _pk(route: str, w: sw.World):
    if route.startswith("persons/"):
        return w.person.pk, MISSING_ID
    if route.startswith(("front/", "back/")):
        return w.application.pk, MISSING_ID
    if route.startswith("children/"):
        return (w.child_case.pk if w.child_case else MISSING_ID), MISSING_ID
    if route.startswith("social/"):
        return (w.social_case.pk if w.social_case else MISSING_ID), MISSING_ID
    if route.startswith("ops/"):
        return MISSING_ID, MISSING_ID   # failed tasks: sysadmin only, no territory
    if route.startswith("registers/applications/"):
        return w.application.pk, MISSING_ID
    if route.startswith("registers/"):
        # A check (scoped through its case) and an offer (its hromada's front office): none in the world yet,
        # so both URLs ask for missing ones — the case's routes above carry the scope test.
        return MISSING_ID, MISSING_ID
    raise KeyError(f"<pk> under an unknown prefix: {route}")


def _code(route: str, w: sw.World):
    if route.startswith(("monitoring/", "/api/v1/onboarding", "/api/v1/billing", "billing/")):
        return w.hromada.code, "UA99999999999999999"
    if "/documents/" in route:     # checklist item of the application (the application is the scoped object)
        return getattr(w.document, "requirement_code", "application_form"), "application_form"
    if route.startswith(("front/new/", "/api/v1/catalog")):
        return w.service_code, w.service_code     # public catalogue entry
    if route.startswith("/api/v1/territory"):
        return w.hromada.code, w.hromada.code     # the codifier is public
    raise KeyError(f"<code> under an unknown prefix: {route}")


def _failed_notification(w: sw.World):
    """A failed SMS about Баранівська's case (the front office's "call the resident" worklist)."""
    from hromada.notifications.models import Notification
    row, _created = Notification.objects.get_or_create(
        application=w.application, kind="result_ready", channel="sms", reference="matrix",
        defaults={"state": "failed", "last_error": "HTTP 503"})
    return row


KWARGS: dict[str, Resolver] = {
    "pk": _pk,
    "code": _code,
    "hromada_code": lambda r, w: (w.hromada.code, "UA99999999999999999"),
    "person_id": lambda r, w: (w.person.pk, MISSING_ID),
    "member_id": lambda r, w: ((w.member.member_id if w.member else MISSING_ID), MISSING_ID),
    "application_id": lambda r, w: (w.application.pk, MISSING_ID),
    "doc_id": lambda r, w: (w.document.pk, MISSING_ID),
    "document_id": lambda r, w: (w.document.pk, MISSING_ID),
    "case_id": lambda r, w: ((w.social_case.pk if w.social_case else MISSING_ID) if "social-cases" in r
                             else (w.child_case.pk if w.child_case else MISSING_ID), MISSING_ID),
    "measure_id": lambda r, w: (MISSING_ID, MISSING_ID),     # not built: the case's 404 comes first anyway
    "referral_id": lambda r, w: (MISSING_ID, MISSING_ID),
    "workplace_id": lambda r, w: ((w.workplace_id or MISSING_ID), MISSING_ID),
    "token_id": lambda r, w: (w.token_id, MISSING_ID),
    # National, not scoped: the same value in both URLs, so only the scoped parameters differ.
    "run_id": lambda r, w: (sw.missing_uuid(), sw.missing_uuid()),
    "period": lambda r, w: (sw.current_period(), sw.current_period()),
    "level": lambda r, w: ("hromada", "hromada"),
    "year": lambda r, w: (w.application.application_date.year, w.application.application_date.year),
    "notification_id": lambda r, w: (_failed_notification(w).pk, MISSING_ID),
    "channel": lambda r, w: ("sms", "sms"),
    "calculator": lambda r, w: ("birth_assistance", "birth_assistance"),   # national reference data, not scoped
    "fmt": lambda r, w: ("csv", "csv"),
    "job_id": lambda r, w: ("0" * 32, "0" * 32),                 # a rebuild's progress: ministry only
    "number": lambda r, w: (w.application.number, "18-08-001-1999-999999"),
}


def _value(name: str, route: str, world, which: int):
    if name not in KWARGS:
        pytest.fail(f"URL parameter <{name}> in {route} has no fixture in KWARGS (tests/security/"
                    f"test_access_matrix.py): register it so the access matrix covers this URL")
    return KWARGS[name](route, world)[which]

LIST_PARAMS = [{}, {"q": "SURNAME", "search": "SURNAME", "name": "SURNAME", "last_name": "SURNAME"},
               {"number": "NUMBER", "hromada": "HROMADA", "status": "submitted"}, {"rnokpp": "RNOKPP"}]
# Values that look like the secrets but exist nowhere: what a page merely echoes back shows up for these too.
DECOYS = {"SURNAME": sw.SURNAME[:-2] + "юк", "NUMBER": "18-08-001-1999-999999", "RNOKPP": "1111111118"}
SKIP_UI = ("admin/", "i18n/", "api/", "accounts/logout/", "static/", "media/")


# --- enumeration ------------------------------------------------------------------------------------
def ui_routes() -> list[tuple[str, list[str]]]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not route.startswith(SKIP_UI):
                    yield route, list(p.pattern.regex.groupindex)
    return sorted(set((r, tuple(k)) for r, k in walk(get_resolver().url_patterns)))


def api_operations() -> list[tuple[str, str, list[str]]]:
    schema = ninja_api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method, path, re.findall(r"{(\w+)}", path)))
    return ops


def fill_ui(route: str, kwargs, world, which: int) -> str:
    url = route
    for name in kwargs:
        value = _value(name, route, world, which)
        url = re.sub(r"<(?:\w+:)?" + name + ">", str(value), url)
    return "/" + url


def fill_api(path: str, names, world, which: int) -> str:
    url = path
    for name in names:
        url = url.replace("{" + name + "}", str(_value(name, path, world, which)))
    return url


# --- response text (PDF and XLSX too) ---------------------------------------------------------------
def body_text(res) -> str:
    raw = b"".join(res.streaming_content) if getattr(res, "streaming", False) else res.content
    ctype = res.get("Content-Type", "")
    if raw.startswith(b"%PDF"):
        from pypdf import PdfReader

        try:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
        except Exception as exc:  # noqa: BLE001
            return f"<unreadable pdf {exc!r}>"
    if raw.startswith(b"PK") and "sheet" in ctype:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(" ".join(str(c) for c in row if c is not None)
                         for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    return raw.decode("utf-8", "ignore")


def leaks(res, world) -> list[str]:
    text = body_text(res)
    return [label for label, secret in world.secrets.items() if secret and secret in text]


# --- the test -----------------------------------------------------------------------------------------
def _list_params(world, decoy: bool):
    real = {"SURNAME": sw.SURNAME, "NUMBER": world.application.number, "RNOKPP": world.rnokpp,
            "HROMADA": world.hromada.code}
    values = {**real, **DECOYS} if decoy else real
    return [{k: values.get(v, v) for k, v in params.items()} for params in LIST_PARAMS]


def _decoy_text(text: str, world) -> dict:
    return {"application number": text.count(DECOYS["NUMBER"]), "person surname": text.count(DECOYS["SURNAME"]),
            "РНОКПП": text.count(DECOYS["RNOKPP"]), "child surname": 0}


def test_every_url_kwarg_is_registered(db):
    unknown = set()
    for route, kwargs in ui_routes():
        unknown |= {f"{name} (in {route})" for name in kwargs if name not in KWARGS}
    for _m, path, names in api_operations():
        unknown |= {f"{name} (in {path})" for name in names if name not in KWARGS}
    assert not unknown, ("URL parameters without a fixture in tests/security/test_access_matrix.py KWARGS — "
                         f"register them so the access matrix covers the new URLs: {sorted(unknown)}")


def _check(who: str, user, world, problems: list[str], *, personal_only: bool):
    ui = Client(raise_request_exception=False)
    ui.force_login(user)
    api = testing.ApiClient(user)
    api.client.raise_request_exception = False
    secrets = {k: v for k, v in world.secrets.items() if not (personal_only and k == "application number")}

    def judge(what, res, res_missing=None, decoy_call=None):
        if res.status_code >= 500:
            problems.append(f"{who}: {what} → {res.status_code} (server error)")
            return
        if res_missing is not None and not personal_only and res.status_code != res_missing.status_code:
            problems.append(f"{who}: {what} → {res.status_code} for Баранівська's object but "
                            f"{res_missing.status_code} for a missing one (existence leaks)")
        text = body_text(res)
        found = [label for label, secret in secrets.items() if secret and secret in text]
        if found and decoy_call is not None:   # only then: does the page merely echo what was asked?
            echoed = _decoy_text(body_text(decoy_call()), world)
            found = [label for label in found if text.count(secrets[label]) > echoed.get(label, 0)]
        if found:
            problems.append(f"{who}: {what} → {res.status_code} leaks {', '.join(found)}")

    def probe_list(what, call, path):
        for params, decoy in zip(_list_params(world, False), _list_params(world, True)):
            judge(f"{what} {params}", call(path, params), decoy_call=lambda d=decoy: call(path, d))

    # Objects first: a list search by an exact identifier may legitimately link a person to the desk.
    for route, kwargs in ui_routes():
        if kwargs:
            real, missing = fill_ui(route, kwargs, world, 0), fill_ui(route, kwargs, world, 1)
            judge(f"GET /{route} [{real}]", ui.get(real), ui.get(missing))
            judge(f"POST /{route} [{real}]", ui.post(real, {}), ui.post(missing, {}))
    for method, path, names in api_operations():
        if names:
            real, missing = fill_api(path, names, world, 0), fill_api(path, names, world, 1)
            call = getattr(api, method)
            judge(f"{method.upper()} {path} [{real}]", call(real), call(missing))
    for route, kwargs in ui_routes():
        if not kwargs:
            probe_list(f"GET /{route}", ui.get, "/" + route)
    for method, path, names in api_operations():
        if not names and method == "get":
            probe_list(f"GET {path}", api.get, path)


OUTSIDERS = ["front2", "back2", "hadmin2", "child2", "oblast2"]


@pytest.mark.parametrize("who", OUTSIDERS + list(sw.NATIONAL_WITHOUT_FILES))
def test_no_access_to_another_scope(who, demo):
    world = sw.build_world()
    user = sw.outsiders()[who] if who in OUTSIDERS else testing.user(who)
    problems: list[str] = []
    _check(who, user, world, problems, personal_only=who in sw.NATIONAL_WITHOUT_FILES)
    assert not problems, f"{len(problems)} access problem(s):\n" + "\n".join(problems)
    assert not world.skipped, f"objects the matrix could not build (fix the fixture): {world.skipped}"


def test_insiders_do_see_the_objects(front, back, demo):
    """The matrix must be able to fail: the same probes as insiders find the objects."""
    world = sw.build_world()
    ui = Client()
    ui.force_login(front)
    assert world.secrets["person surname"] in body_text(ui.get(f"/persons/{world.person.pk}/"))
    res = testing.ApiClient(front).get(f"/api/v1/applications/{world.application.pk}")
    assert res.status_code == 200 and leaks(res, world)
    res = testing.ApiClient(back).get(f"/api/v1/applications/{world.application.pk}/decision.pdf")
    assert res.status_code == 200 and world.application.number in body_text(res)
