import json
import logging
import re
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from .errors import DatabaseUnavailable, Forbidden, HromadaError, NotFound, ValidationFailed

# A NUL byte (PostgreSQL text cannot hold it) or a UTF-16 surrogate half (not encodable as UTF-8): no field of
# Hromada can store either, and the database answers them with an error deep inside a transaction.
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.HROMADA_CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DomainErrorMiddleware:
    """A HromadaError escaping a web view: NotFound → 404 and Forbidden → 403 (Django's pages), any other →
    the error page with its Ukrainian message and status. The API maps errors itself (core.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, HromadaError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message))
        if isinstance(exception, Forbidden):
            raise PermissionDenied(str(exception.message))
        return render(request, "core/error.html", {"error": exception}, status=exception.status)


def _bad_string(value) -> bool:
    return isinstance(value, str) and _BAD_CHARS.search(value) is not None


def _bad_json(value) -> bool:
    if isinstance(value, dict):
        return any(_bad_string(k) or _bad_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_json(v) for v in value)
    return _bad_string(value)


def _bad_querydict(data) -> str | None:
    for key, values in data.lists():
        if _bad_string(key) or any(_bad_string(v) for v in values):
            return key
    return None


class InputCharactersMiddleware:
    """Refuse, before any view runs, input carrying NUL bytes or lone surrogates.

    API (/api/): path, query, cookies, the bearer header, a JSON body (every key and string) and form fields
    (values and file names) → 400 ``{"code": "invalid_characters"}``. Web pages: the path and query → the error
    page with status 400; a posted form's fields are left to the form, whose CharField refuses NUL with a
    form error (form-encoded and multipart bodies are decoded with replacement, so no surrogate gets there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._bad_field(request)
        if field is not None:
            return self._refuse(request, field)
        return self.get_response(request)

    def _bad_field(self, request) -> str | None:
        if _bad_string(request.path):
            return "path"
        if any(_bad_string(k) or _bad_string(v) for k, v in request.COOKIES.items()):
            return "cookie"
        found = _bad_querydict(request.GET)
        if found is not None:
            return found
        if not request.path.startswith("/api/"):
            return None
        if _bad_string(request.META.get("HTTP_AUTHORIZATION", "")):
            return "Authorization"
        if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") and not request.META.get("CONTENT_LENGTH"):
            return None
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            found = _bad_querydict(request.POST)
            if found is not None:
                return found
            for key, files in request.FILES.lists():
                if any(_bad_string(f.name) for f in files):
                    return key
            return None
        if "json" in content_type:
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return None  # malformed JSON is the schema validation's to word
            if _bad_json(body):
                return "body"
        return None

    def _refuse(self, request, field: str):
        with translation.override("uk" if request.path.startswith("/api/") else translation.get_language()):
            error = ValidationFailed(
                _("Запит містить недопустимі символи (нульовий байт або неповний символ Юнікоду). "
                  "Вилучіть їх і спробуйте ще раз."),
                code="invalid_characters", status=400, details={"field": field})
            if request.path.startswith("/api/") or field == "cookie":
                # A bad cookie would break the session lookup the page needs: the plain answer.
                return JsonResponse(error.as_dict(), status=400)
            return render(request, "core/error.html", {"error": error}, status=400)


log = logging.getLogger("hromada.database")
# The database did not answer: the server restarted or failed over, pgbouncer gave up waiting for it, the network
# was cut. Django wraps the driver's connection-class errors (SQLSTATE 08, 57P0x) in these two.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request, exc: BaseException | None = None) -> HttpResponse:
    """503 ``database_unavailable`` with a Ukrainian "спробуйте ще раз": JSON under /api/, a page of its own
    elsewhere (the site's layout needs the database: the user, the menu). Never a 500 page."""
    log.warning("database unavailable: %s %s: %s", request.method, request.path, exc.__class__.__name__ if exc else "")
    error = DatabaseUnavailable()
    if request.path.startswith("/api/"):
        with translation.override("uk"):
            response: HttpResponse = JsonResponse(error.as_dict(), status=error.status,
                                                  json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("core/database_unavailable.html", {"error": error}),
                                status=error.status)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that lost the database answers 503 ``database_unavailable`` instead of a 500: the client (or the
    specialist) retries the same request; Django drops the broken connection at the end of the request and the
    next one connects again by itself. Errors outside views (the session saved after the view) reach
    ``server_error`` below, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return database_unavailable_response(request, exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the database's outage is a 503 with a code even when it strikes outside a view."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        return database_unavailable_response(request, exc)
    return defaults.server_error(request, template_name)
