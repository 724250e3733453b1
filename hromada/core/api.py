"""The REST API root: /api/v1/.

Each app that has an ``api.py`` with a ``router`` is mounted here (``ROUTER_PREFIX`` names the path),
so apps never edit this file. Errors are mapped once: every error is JSON
``{"code": "...", "message": "<Ukrainian>", "details": ...}``.
"""
from __future__ import annotations

import logging
from importlib import import_module

from django.apps import apps
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from hromada.core.errors import HromadaError

log = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        from hromada.accounts.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuthActive(SessionAuth):
    """Session cookie of the web UI (CSRF checked), so htmx pages can call the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="Hromada API",
    version="1",
    description="API платформи «Громада»: прийом заяв фронт-офісами, опрацювання бек-офісами, "
                "оплата громадам, моніторинг. Помилки: JSON {code, message}.",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuthActive()],
    docs_url="/docs",
)


def _json_error(request, status: int, code: str, message, details=None):
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
    return _json_error(request, 422, "validation_error", "Дані запиту заповнено з помилками.", errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _json_error(request, 401, "unauthorized", "Потрібна автентифікація: Authorization: Bearer <токен>.")


@api.exception_handler(Http404)
def on_404(request, exc):
    return _json_error(request, 404, "not_found", "Об'єкт не знайдено.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             409: "conflict", 413: "too_large", 429: "too_many_requests"}
    return _json_error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _mount_app_routers():
    for config in apps.get_app_configs():
        if not config.name.startswith("hromada."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.api":
                continue
            raise
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "ROUTER_PREFIX", f"/{config.label}"), router)


_mount_app_routers()
