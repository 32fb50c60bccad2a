"""Middleware that keeps the promise in HTTP: no addresses in logs, nothing from other origins."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

access_log = logging.getLogger("stayhere.access")

GetResponse = Callable[[HttpRequest], HttpResponse]

# Pages may load only from our own origin. Geolocation is the browser's own API (no request
# leaves); the microphone is allowed only where rooms ask for it, later.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "geolocation=(self), microphone=(), camera=(), interest-cohort=(), browsing-topics=()"


class AccessLogMiddleware:
    """One line per request: method, path without the query string, status, milliseconds.

    Never the client address, the query string (a search can hold a position or a
    person's words), the user agent, or the referrer.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if access_log.isEnabledFor(logging.INFO):
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms)
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
