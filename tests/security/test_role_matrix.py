"""The access matrix, role side: the one outsider rule of ``hromada.accounts.access`` for every URL pattern and
every API operation, asked by every role.

``PAGES`` and ``OPERATIONS`` name, for each page (Django URL pattern) and each API operation (from the OpenAPI
document), the action a role needs (``PERMISSIONS``), or ``PUBLIC`` / ``SIGNED_IN``. Then:

* a role that may never do it → 403, whatever the object (one that exists or not) and before any input is
  read (an API body of ``{}`` gets 403, not 422);
* a role that may → never 401/403 on a missing object (so the 404 of test_access_matrix.py is the scope's);
* anonymous → the sign-in page (a page) or 401 (the API);
* the page's ``@access.permission_required`` / the operation's ``@access.api_permission`` names exactly the
  matrix's action (one idiom, no hand-written role check left behind);
* every action of ``PERMISSIONS`` is checked somewhere (no permission nobody asks for).

A URL or operation missing from the matrix fails the test, so the matrix stays complete. The other half — an
object of another scope is 404, exactly like a missing one — is test_access_matrix.py.
"""
from __future__ import annotations

from pathlib import Path

from django.test import Client
from django.urls import get_resolver

from hromada import testing
from hromada.accounts import access
from hromada.accounts.models import Role
from hromada.core.api import api as ninja_api

from . import scope_world as sw
from .test_access_matrix import api_operations, fill_api, fill_ui, ui_routes

PUBLIC, SIGNED_IN = "public", "signed-in"
ROLE_USERS = {Role.FRONT_SPECIALIST: "front", Role.BACK_SPECIALIST: "back", Role.BACK_HEAD: "head",
              Role.HROMADA_ADMIN: "hadmin", Role.CHILD_SERVICE: "child", Role.OBLAST_MONITOR: "oblast",
              Role.MINISTRY: "ministry", Role.AUDITOR: "auditor", Role.SYSADMIN: "sysadmin",
              Role.SOCIAL_WORKER: "social", Role.PROVIDER_WORKER: "provider"}

VIEW, INTAKE = "application.view", "application.intake"
TAKE, REVIEW, ASSIGN = "application.take", "application.review", "application.assign"
CASE_VIEW, CASE_CHANGE = "childcase.view", "childcase.change"
MON = "monitoring.view"
SOC_VIEW, SOC_INTAKE, SOC_CHANGE, SOC_DELIVER = ("socialcase.view", "socialcase.intake", "socialcase.change",
                                                 "socialcase.deliver")
REG_RUN = (INTAKE, REVIEW)      # registers' checks: the desk that takes the case or the one that decides it

# Page route → action (or {"GET": ..., "POST": ...} where the two differ).
PAGES: dict[str, object] = {
    "": SIGNED_IN,
    "accounts/2fa/": PUBLIC,                     # the enrolment step of signing in (a pending session)
    "accounts/2fa/recovery-codes/": "account.self",
    "accounts/login/": PUBLIC,
    "accounts/login/otp/": PUBLIC,
    "accounts/password/": "account.self",
    "accounts/security/": "account.self",
    "accounts/tokens/<int:token_id>/revoke/": "account.self",
    "audit/": "audit.view",
    "audit/export.csv": "audit.view",
    "audit/verify/": "audit.view",
    "back/": TAKE,
    "back/board/": ASSIGN,
    "back/cases/<int:pk>/": TAKE,
    "back/cases/<int:pk>/assign/": ASSIGN,
    "back/cases/<int:pk>/calculate/": REVIEW,
    "back/cases/<int:pk>/decide/": REVIEW,
    "back/cases/<int:pk>/documents/<int:doc_id>/": TAKE,
    "back/cases/<int:pk>/return/": REVIEW,
    "back/cases/<int:pk>/take/": TAKE,
    "billing/": "billing.view",
    "billing/<str:period>/": "billing.view",
    "billing/<str:period>/close/": "billing.run",
    "billing/<str:period>/hromadas/<str:code>/": "billing.view",
    "billing/<str:period>/hromadas/<str:code>/exclusion/": "billing.run",
    "billing/budget/": "billing.run",
    "billing/run/": "billing.run",
    "billing/runs/<uuid:run_id>/": "billing.run",
    "billing/tariffs/": {"GET": "billing.view", "POST": "billing.tariffs"},
    "children/": CASE_VIEW,
    "children/<int:pk>/": CASE_VIEW,
    "children/<int:pk>/assessment/": CASE_CHANGE,
    "children/<int:pk>/assessment/start/": CASE_CHANGE,
    "children/<int:pk>/close/": CASE_CHANGE,
    "children/<int:pk>/decision/": CASE_CHANGE,
    "children/<int:pk>/measures/": CASE_CHANGE,
    "children/<int:pk>/measures/<int:measure_id>/done/": CASE_CHANGE,
    "children/<int:pk>/plan/": CASE_CHANGE,
    "children/<int:pk>/referrals/": CASE_CHANGE,
    "children/<int:pk>/referrals/<int:referral_id>/feedback/": CASE_CHANGE,
    "children/<int:pk>/reviews/": CASE_CHANGE,
    "children/new/": CASE_CHANGE,
    "front/": VIEW,
    "front/<int:pk>/": VIEW,
    "front/<int:pk>/decision.pdf": VIEW,
    "front/<int:pk>/details/": INTAKE,
    "front/<int:pk>/documents/<int:doc_id>/": VIEW,
    "front/<int:pk>/documents/<int:doc_id>/remove/": INTAKE,
    "front/<int:pk>/documents/<slug:code>/upload/": INTAKE,
    "front/<int:pk>/draft/": INTAKE,
    "front/<int:pk>/edit/": INTAKE,
    "front/<int:pk>/issue/": "application.issue",
    "front/<int:pk>/participants/": INTAKE,
    "front/<int:pk>/receipt.pdf": VIEW,
    "front/<int:pk>/resubmit/": INTAKE,
    "front/<int:pk>/review/": INTAKE,
    "front/<int:pk>/submit/": INTAKE,
    "front/<int:pk>/withdraw/": "application.withdraw",
    "front/new/": INTAKE,
    "front/new/<slug:code>/": INTAKE,
    "front/offline/": INTAKE,
    "front/offline/sw.js": PUBLIC,
    "front/results/": VIEW,
    "front/returned/": VIEW,
    "healthz": PUBLIC,
    "metrics": PUBLIC,                           # the monitoring network only (404 elsewhere, for everyone)
    "monitoring/": MON,
    "monitoring/<str:level>/<str:code>/": MON,
    "monitoring/onboarding/": MON,
    "monitoring/onboarding/<str:code>/": {"GET": MON, "POST": "onboarding.record"},
    "monitoring/refresh/": "monitoring.refresh",
    "monitoring/refresh/<str:job_id>/": "monitoring.refresh",
    "monitoring/social/": MON,
    "monitoring/social/<str:level>/<str:code>/": MON,
    "monitoring/workplaces/": {"GET": MON, "POST": "workplace.plan"},
    "monitoring/workplaces/<str:code>/": {"GET": MON, "POST": "workplace.record"},
    "notifications/<int:notification_id>/called/": INTAKE,
    "notifications/consent/<int:application_id>/": INTAKE,
    "notifications/failed/": INTAKE,
    "ops/": "ops.view",
    "ops/failed/<int:pk>/resolve": "ops.view",
    "persons/": "person.view",
    "persons/<int:pk>/": "person.view",
    "persons/<int:pk>/access-report/": "person.access_report",
    "persons/<int:pk>/edit/": "person.change",
    "persons/<int:pk>/household/<int:member_id>/remove/": "person.change",
    "persons/<int:pk>/household/add/": "person.change",
    "persons/new/": "person.register",
    "persons/settlements/": ("person.register", "person.change"),
    "persons/take/": "person.lookup_by_identifier",
    "readyz": PUBLIC,
    "registers/applications/<int:pk>/income/": REVIEW,
    "registers/applications/<int:pk>/log.csv": VIEW,
    "registers/applications/<int:pk>/run/": REG_RUN,
    "registers/checks/<int:pk>/override/": REG_RUN,
    "registers/log.csv": "audit.view",
    "registers/log/": "audit.view",
    "registers/offers/": INTAKE,
    "registers/offers/<int:pk>/start/": INTAKE,
    "registers/offers/figures/": MON,
    "registers/offers/poll/": INTAKE,
    "social/": SOC_VIEW,
    "social/<int:pk>/": SOC_VIEW,
    "social/<int:pk>/assessment/": SOC_CHANGE,
    "social/<int:pk>/assign/": SOC_CHANGE,
    "social/<int:pk>/close/": SOC_CHANGE,
    "social/<int:pk>/decision/": SOC_CHANGE,
    "social/<int:pk>/deliveries/": SOC_DELIVER,
    "social/<int:pk>/notice.pdf": SOC_CHANGE,
    "social/<int:pk>/plan/": SOC_CHANGE,
    "social/<int:pk>/receipt.pdf": SOC_INTAKE,
    "social/<int:pk>/receipt/": SOC_INTAKE,
    "social/<int:pk>/referrals/": SOC_CHANGE,
    "social/<int:pk>/resume/": SOC_CHANGE,
    "social/<int:pk>/suspend/": SOC_CHANGE,
    "social/deliveries/": SOC_DELIVER,
    "social/new/": SOC_INTAKE,
    "social/providers/": "socialprovider.manage",
    "social/status/": PUBLIC,
    "status/": PUBLIC,
}

BILL, RUN = "billing.view", "billing.run"
# "METHOD /api/v1/path" → action.
OPERATIONS: dict[str, object] = {
    "GET /api/v1/territory/units": PUBLIC,
    "GET /api/v1/territory/units/{code}": PUBLIC,
    "GET /api/v1/territory/units/{code}/children": PUBLIC,
    "POST /api/v1/auth/token": PUBLIC,
    "POST /api/v1/auth/token/revoke": "account.self",
    "GET /api/v1/auth/tokens": "account.self",
    "DELETE /api/v1/auth/tokens/{token_id}": "account.self",
    "GET /api/v1/auth/me": "account.self",
    "GET /api/v1/catalog/services": PUBLIC,
    "GET /api/v1/catalog/services/{code}": PUBLIC,
    "POST /api/v1/persons": "person.register",
    "GET /api/v1/persons": "person.view",
    "POST /api/v1/persons/take-into-work": "person.lookup_by_identifier",
    "GET /api/v1/persons/{person_id}": "person.view",
    "PATCH /api/v1/persons/{person_id}": "person.change",
    "GET /api/v1/persons/{person_id}/household": "person.view",
    "POST /api/v1/persons/{person_id}/household": "person.change",
    "DELETE /api/v1/persons/{person_id}/household/{member_id}": "person.change",
    "POST /api/v1/applications": INTAKE,
    "GET /api/v1/applications": VIEW,
    "GET /api/v1/applications/{application_id}": VIEW,
    "PUT /api/v1/applications/{application_id}/draft": INTAKE,
    "POST /api/v1/applications/{application_id}/documents": INTAKE,
    "GET /api/v1/applications/{application_id}/documents/{document_id}": VIEW,
    "DELETE /api/v1/applications/{application_id}/documents/{document_id}": INTAKE,
    "POST /api/v1/applications/{application_id}/submit": INTAKE,
    "POST /api/v1/applications/{application_id}/resubmit": INTAKE,
    "POST /api/v1/applications/{application_id}/issue": "application.issue",
    "POST /api/v1/applications/{application_id}/withdraw": "application.withdraw",
    "GET /api/v1/applications/{application_id}/history": VIEW,
    "GET /api/v1/applications/{application_id}/receipt.pdf": VIEW,
    "GET /api/v1/worklist": (INTAKE, TAKE),
    "POST /api/v1/applications/{application_id}/take": TAKE,
    "POST /api/v1/applications/{application_id}/assign": ASSIGN,
    "POST /api/v1/applications/{application_id}/return": REVIEW,
    "POST /api/v1/applications/{application_id}/decide": REVIEW,
    "GET /api/v1/applications/{application_id}/decision.pdf": VIEW,
    "GET /api/v1/backoffice/queue": TAKE,
    "GET /api/v1/backoffice/workload": TAKE,
    "GET /api/v1/public/status": PUBLIC,
    "POST /api/v1/public/sms/delivery-report": PUBLIC,       # the gateway's shared secret, not a user
    "GET /api/v1/applications/{application_id}/notifications": VIEW,
    "PUT /api/v1/applications/{application_id}/consents/{channel}": INTAKE,
    "GET /api/v1/notifications/failed-count": INTAKE,
    "POST /api/v1/billing/periods/{period}/run": RUN,
    "POST /api/v1/billing/periods/{period}/close": RUN,
    "GET /api/v1/billing/periods/{period}": BILL,
    "GET /api/v1/billing/periods/{period}/acts": BILL,
    "GET /api/v1/billing/periods/{period}/acts/{hromada_code}.pdf": BILL,
    "GET /api/v1/billing/periods/{period}/register.xlsx": BILL,
    "GET /api/v1/billing/periods/{period}/register.csv": BILL,
    "GET /api/v1/billing/runs/{run_id}": RUN,
    "GET /api/v1/billing/tariffs": BILL,
    "POST /api/v1/billing/tariffs": "billing.tariffs",
    "POST /api/v1/billing/exclusions": RUN,
    "GET /api/v1/billing/budget/{year}": RUN,
    "GET /api/v1/indicators": MON,
    "GET /api/v1/indicators/values": MON,
    "GET /api/v1/onboarding/summary": MON,
    "GET /api/v1/onboarding": MON,
    "GET /api/v1/onboarding/{code}": MON,
    "POST /api/v1/onboarding/{code}/steps": "onboarding.record",
    "GET /api/v1/workplaces": MON,
    "POST /api/v1/workplaces": "workplace.record",
    "GET /api/v1/workplaces/plan": MON,
    "PUT /api/v1/workplaces/plan": "workplace.plan",
    "GET /api/v1/workplaces/{workplace_id}": MON,
    "POST /api/v1/workplaces/{workplace_id}/status": "workplace.record",
    "POST /api/v1/workplaces/{workplace_id}/equipment": "workplace.record",
    "GET /api/v1/child-cases/reference": CASE_VIEW,
    "GET /api/v1/child-cases": CASE_VIEW,
    "POST /api/v1/child-cases": CASE_CHANGE,
    "GET /api/v1/child-cases/{case_id}": CASE_VIEW,
    "POST /api/v1/child-cases/{case_id}/assessment/start": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/assessment": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/decision": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/plan": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/measures": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/measures/{measure_id}/done": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/reviews": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/referrals": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/referrals/{referral_id}/feedback": CASE_CHANGE,
    "POST /api/v1/child-cases/{case_id}/close": CASE_CHANGE,
    "POST /api/v1/offline/intake": INTAKE,
    "POST /api/v1/households": "person.register",
    "GET /api/v1/persons/{person_id}/access-report.pdf": "person.access_report",
    "GET /api/v1/audit": "audit.view",
    "GET /api/v1/billing/periods/{period}/hromadas/{code}/items": BILL,
    "GET /api/v1/billing/periods/{period}/hromadas/{code}/items.{fmt}": BILL,
    "POST /api/v1/billing/exclusions/{number}/include": RUN,
    "POST /api/v1/calculators/{calculator}": REVIEW,
    "POST /api/v1/applications/{application_id}/verifications": REG_RUN,
    "GET /api/v1/applications/{application_id}/verifications": VIEW,
    "GET /api/v1/offers": INTAKE,
    "GET /api/v1/social-services": SIGNED_IN,    # the Law's catalogue with its sources: no personal data
    "GET /api/v1/providers": "socialprovider.view",
    "POST /api/v1/social-cases": SOC_INTAKE,
    "GET /api/v1/social-cases/{case_id}": SOC_VIEW,
    "POST /api/v1/social-cases/{case_id}/assessment": SOC_CHANGE,
    "POST /api/v1/social-cases/{case_id}/decision": SOC_CHANGE,
    "POST /api/v1/social-cases/{case_id}/plan": SOC_CHANGE,
    "POST /api/v1/social-cases/{case_id}/deliveries": SOC_DELIVER,
    "POST /api/v1/social-cases/{case_id}/close": SOC_CHANGE,
}


def _actions(spec) -> tuple[str, ...] | None:
    """The actions a spec asks (any of them suffices); None for PUBLIC / SIGNED_IN."""
    if spec in (PUBLIC, SIGNED_IN):
        return None
    return spec if isinstance(spec, tuple) else (spec,)


def _spec(spec, method: str):
    return spec[method] if isinstance(spec, dict) else spec


def _allowed(role: str, spec) -> bool:
    actions = _actions(spec)
    return actions is None or any(role in access.PERMISSIONS[a] for a in actions)


def _op_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


# --- completeness ---------------------------------------------------------------------------------------------
def test_every_page_and_operation_is_in_the_matrix(db):
    pages = {route for route, _kwargs in ui_routes()}
    ops = {_op_key(m, p) for m, p, _names in api_operations()}
    assert not pages - set(PAGES), (f"pages without an entry in tests/security/test_role_matrix.py PAGES: "
                                    f"{sorted(pages - set(PAGES))}")
    assert not ops - set(OPERATIONS), (f"API operations without an entry in tests/security/test_role_matrix.py "
                                       f"OPERATIONS: {sorted(ops - set(OPERATIONS))}")
    assert not set(PAGES) - pages, f"entries for pages that no longer exist: {sorted(set(PAGES) - pages)}"
    assert not set(OPERATIONS) - ops, f"entries for operations that no longer exist: {sorted(set(OPERATIONS) - ops)}"
    for spec in [*PAGES.values(), *OPERATIONS.values()]:
        for one in (spec.values() if isinstance(spec, dict) else [spec]):
            assert all(a in access.PERMISSIONS for a in _actions(one) or ()), f"unknown action in {one!r}"


def _page_callbacks() -> dict[str, object]:
    from django.urls import URLPattern, URLResolver

    found = {}

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found[prefix + str(p.pattern)] = p.callback
    walk(get_resolver().url_patterns)
    return found


def test_pages_and_operations_declare_the_matrix_action_with_the_one_idiom(db):
    """The page's decorator and the operation's dependency name what the matrix says (GET's action for pages
    whose POST needs more: the view asks ``access.require`` for the POST)."""
    callbacks = _page_callbacks()
    wrong = []
    for route, spec in PAGES.items():
        expected = _actions(_spec(spec, "GET"))
        declared = getattr(callbacks[route], "access_actions", None)
        if declared != expected:
            wrong.append(f"/{route}: matrix {expected}, view declares {declared}")
    funcs = {}
    for router in ninja_api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                funcs[ninja_api.get_openapi_operation_id(operation)] = operation.view_func
    for path, methods in ninja_api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            key = _op_key(method, path)
            expected = _actions(OPERATIONS[key])
            declared = getattr(funcs[operation["operationId"]], "access_actions", None)
            if declared != expected:
                wrong.append(f"{key}: matrix {expected}, operation declares {declared}")
    assert not wrong, "\n".join(wrong)


def test_every_permission_is_checked_somewhere():
    used = set()
    for spec in [*PAGES.values(), *OPERATIONS.values()]:
        for one in (spec.values() if isinstance(spec, dict) else [spec]):
            used |= set(_actions(one) or ())
    root = Path(__file__).resolve().parents[2] / "hromada"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py")
                       if "tests" not in p.parts and p.name != "access.py")
    unused = [a for a in access.PERMISSIONS if a not in used and f'"{a}"' not in source]
    assert not unused, f"permissions nobody checks (remove them from accounts/access.py): {unused}"


# --- the rule ---------------------------------------------------------------------------------------------------
def _ui_call(client: Client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, {})


def test_the_outsider_rule_for_every_role(demo):
    world = sw.build_world()
    problems: list[str] = []
    users = {role: testing.user(name) for role, name in ROLE_USERS.items()}
    clients = {}
    for role, user in users.items():
        web = Client(raise_request_exception=False)
        web.force_login(user)
        api = testing.ApiClient(user)
        api.client.raise_request_exception = False
        clients[role] = (web, api)
    anonymous_web = Client(raise_request_exception=False)
    anonymous_api = testing.ApiClient()
    anonymous_api.client.raise_request_exception = False

    # A role that may never: Баранівська's real object (it exists, still 403). A role that may: a missing object
    # (never 401/403 — the role gate lets it through to the scope's 404), so the probes stay cheap.
    for route, kwargs in ui_routes():
        spec = PAGES[route]
        real, missing = fill_ui(route, kwargs, world, 0), fill_ui(route, kwargs, world, 1)
        for method in ("GET", "POST"):
            one = _spec(spec, method)
            if one == PUBLIC:
                continue
            res = _ui_call(anonymous_web, method, real)
            if not (res.status_code == 302 and "/accounts/login/" in res["Location"]):
                problems.append(f"anonymous {method} {real} → {res.status_code}, not the sign-in page")
            for role, (web, _api) in clients.items():
                if not _allowed(role, one):
                    res = _ui_call(web, method, real)
                    if res.status_code != 403:
                        problems.append(f"{role} {method} {real} → {res.status_code}, not 403 (the role may never)")
                elif kwargs:
                    res = _ui_call(web, method, missing)
                    if res.status_code in (401, 403) or res.status_code >= 500:
                        problems.append(f"{role} {method} {missing} (missing object) → {res.status_code}: "
                                        f"the role may do this")

    # Revoking the current token last: it signs the test's own clients out.
    operations = sorted(api_operations(), key=lambda op: op[1] == "/api/v1/auth/token/revoke")
    for method, path, names in operations:
        spec = OPERATIONS[_op_key(method, path)]
        if spec == PUBLIC:
            continue
        real, missing = fill_api(path, names, world, 0), fill_api(path, names, world, 1)
        res = getattr(anonymous_api, method)(real)
        if res.status_code != 401:
            problems.append(f"anonymous {method.upper()} {real} → {res.status_code}, not 401")
        for role, (_web, api) in clients.items():
            if not _allowed(role, spec):
                res = getattr(api, method)(real)
                if res.status_code != 403:
                    problems.append(f"{role} {method.upper()} {real} → {res.status_code}, not 403 (the role may never)")
            elif names:
                res = getattr(api, method)(missing)
                if res.status_code in (401, 403) or res.status_code >= 500:
                    problems.append(f"{role} {method.upper()} {missing} (missing object) → {res.status_code}: "
                                    f"the role may do this")
    assert not problems, f"{len(problems)} breach(es) of the outsider rule:\n" + "\n".join(problems)
