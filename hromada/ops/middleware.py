"""Request id and request latency, for every request."""
from __future__ import annotations

import time

from hromada.core.context import HEADER, accept_or_new, request_id_var

from .metrics import REQUEST_LATENCY


class RequestIdMiddleware:
    """Takes X-Request-ID (or makes one), keeps it in a contextvar and on ``request.request_id`` (audit
    entries carry it), and returns it in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class MetricsMiddleware:
    """Latency histogram labelled by the resolved view name (bounded label set, unlike raw paths)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        begun = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match is not None else "unresolved"
        REQUEST_LATENCY.labels(view=view, method=request.method if request.method in _METHODS else "other",
                               status=str(response.status_code)).observe(time.perf_counter() - begun)
        return response


_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
