"""The REST API root: /api/v1/.

Each app that has an ``api.py`` with a ``router`` is mounted here (``ROUTER_PREFIX`` names the path),
so apps never edit this file. Errors are mapped once: every error is JSON
``{"code": "...", "message": "<Ukrainian>", "details": ...}``.
"""
from __future__ import annotations

import logging

from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from hromada.core import registry
from hromada.core.discovery import app_modules
from hromada.core.error_codes import ErrorCode
from hromada.core.errors import Forbidden, HromadaError
from hromada.core.schemas import ErrorOut

log = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = registry.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuthActive(SessionAuth):
    """Session cookie of the web UI (CSRF checked), so htmx pages can call the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


# Statuses any operation may answer with the JSON error body (core.errors, InputCharactersMiddleware, ninja's
# validation, throttles); 401 only where authentication is required. Operations document their own first.
ERROR_STATUSES = {
    400: "Некоректний запит (зокрема недопустимі символи: invalid_characters)",
    401: "Потрібна автентифікація",
    403: "Недостатньо прав",
    404: "Не знайдено (або поза межами доступу)",
    409: "Конфлікт стану",
    422: "Дані заповнено з помилками",
    429: "Забагато запитів",
    503: "База даних тимчасово недоступна (database_unavailable): повторіть запит, з тим самим Idempotency-Key",
}


class HromadaAPI(NinjaAPI):
    def _get_bound_routers(self):
        # ninja binds (clones) the routers' operations once, when the URLs are first built: that is where the
        # role check of ``access.api_permission`` is attached to each bound operation.
        first = self._bound_routers_cache is None
        routers = super()._get_bound_routers()
        if first:
            for router in routers:
                for path_view in router.path_operations.values():
                    for operation in path_view.operations:
                        actions = getattr(operation.view_func, "access_actions", None)
                        if actions:
                            _check_role_after_auth(operation, actions,
                                                   getattr(operation.view_func, "access_refusal", None))
        return routers

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        document_error_responses(schema)
        return schema


def _check_role_after_auth(operation, actions: tuple[str, ...], refusal: Forbidden | None) -> None:
    """After authentication and throttles, before any parameter is parsed: a role without the action → 403
    (the outsider rule of ``accounts.access``)."""
    run_checks = operation._run_checks

    def checks_then_role(request):
        error = run_checks(request)
        if error is not None:
            return error
        user = getattr(request, "auth", None) or request.user
        if not any(registry.may(user, action) for action in actions):
            return operation.api.on_exception(request, refusal or Forbidden())
        return None
    operation._run_checks = checks_then_role


def document_error_responses(schema) -> None:
    """Every status an operation can return is in its documented responses, with the one error schema."""
    # The error body and the enum of its codes are in the document whether or not an operation names them.
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", error)
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                if (status == 401 and not operation.get("security")) or status in responses \
                        or str(status) in responses:
                    continue
                responses[status] = {"description": description, "content": {"application/json": {"schema": ref}}}


api = HromadaAPI(
    title="Hromada API",
    version="1",
    description="API платформи «Громада»: прийом заяв фронт-офісами, опрацювання бек-офісами, "
                "оплата громадам, моніторинг. Помилки: JSON {code, message, details} (схема ErrorOut); "
                "code — один із кодів ErrorCode, їх написання є частиною контракту.",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuthActive()],
    docs_url="/docs",
)


def _json_error(request, status: int, code: ErrorCode, message, details=None):
    body = {"code": code, "message": str(message)}
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(HromadaError)
def on_hromada_error(request, exc: HromadaError):
    with translation.override("uk"):
        return _json_error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _json_error(request, 422, ErrorCode.VALIDATION_ERROR, "Дані запиту заповнено з помилками.", errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _json_error(request, 401, ErrorCode.UNAUTHORIZED, "Потрібна автентифікація: Authorization: Bearer <токен>.")


@api.exception_handler(Http404)
def on_404(request, exc):
    return _json_error(request, 404, ErrorCode.NOT_FOUND, "Об'єкт не знайдено.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: ErrorCode.BAD_REQUEST, 401: ErrorCode.UNAUTHORIZED, 403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND,
             405: ErrorCode.METHOD_NOT_ALLOWED, 409: ErrorCode.CONFLICT, 413: ErrorCode.TOO_LARGE,
             429: ErrorCode.TOO_MANY_REQUESTS}
    return _json_error(request, exc.status_code, codes.get(exc.status_code, ErrorCode.ERROR), str(exc))


def _mount_app_routers():
    for config, module in app_modules("api"):
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "ROUTER_PREFIX", f"/{config.label}"), router)
        # An app may serve more than one resource (``MORE_ROUTERS``: prefix → router).
        for prefix, more in getattr(module, "MORE_ROUTERS", {}).items():
            api.add_router(prefix, more)


_mount_app_routers()
