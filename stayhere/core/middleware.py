"""Middleware that keeps the promise in HTTP: no addresses in logs, nothing from other origins."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from stayhere.core.unavailable import answer_database_error

access_log = logging.getLogger("stayhere.access")

GetResponse = Callable[[HttpRequest], HttpResponse]

# Pages may load only from our own origin. Geolocation is the browser's own API (no request
# leaves); the microphone is allowed only on the room page, which sets ROOM_PERMISSIONS_POLICY itself.
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
ROOM_PERMISSIONS_POLICY = PERMISSIONS_POLICY.replace("microphone=()", "microphone=(self)")


class AccessLogMiddleware:
    """One line per request: method, the URL pattern that answered, status, milliseconds.

    The pattern (``/meetings/<slug:slug>``), not the path: a path or a query string can
    hold what a person typed or where they are. Never the client address, the user agent
    or the referrer either.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if access_log.isEnabledFor(logging.INFO):
            elapsed_ms = (time.perf_counter() - started) * 1000
            match = getattr(request, "resolver_match", None)
            if match is not None and match.route is not None:
                route = "/" + match.route
            elif request.path.startswith(settings.STATIC_URL):
                route = settings.STATIC_URL + "..."
            else:
                route = "[no route]"
            access_log.info("%s %s %s %.1fms", request.method, route, response.status_code, elapsed_ms)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A database that cannot be reached answers 503 with a page that says so (stayhere.core.unavailable).

        Here, on the outermost middleware already in every deployment, so it covers every view."""
        return answer_database_error(request, exception)


class SecurityHeadersMiddleware:
    """The same strict headers on every answer. A view may set its own Permissions-Policy (only the room page
    does, to allow the microphone); everything else is fixed here."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
