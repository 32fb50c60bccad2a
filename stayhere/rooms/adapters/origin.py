"""The rooms' WebSocket handshake must come from a page of this site: the same scheme, host and port.

Browsers send ``Origin`` with every WebSocket handshake and a page cannot forge it, so a page on another site (or
another port or scheme of this one) cannot open a meeting's socket in a visitor's browser. The site's own origin
is the one its pages were served from: the handshake's ``Host`` (which must be one of the allowed hosts), and
``https`` behind the HTTPS proxy (``STAYHERE_HTTPS=1``), else the scheme the connection came in on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope: dict[str, Any], name: bytes) -> str:
    return next((value.decode("latin-1") for key, value in scope.get("headers", []) if key == name), "")


def _host_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    host, port = split_domain_port(netloc.lower())
    if not host:
        return None
    if not port:
        return host, DEFAULT_PORTS.get(scheme, 0)
    return (host, int(port)) if port.isdigit() else None


def same_origin(scope: dict[str, Any]) -> bool:
    """Whether the handshake's Origin is this site's own origin, as its pages were served."""
    try:
        origin = urlsplit(_header(scope, b"origin"))
    except ValueError:
        return False
    if settings.HTTPS:
        scheme = "https"
    else:
        scheme = "https" if scope.get("scheme") == "wss" else "http"
    if origin.scheme != scheme or origin.path or origin.query or origin.username:
        return False
    site = _host_port(_header(scope, b"host"), scheme)
    if site is None or not validate_host(site[0], settings.ALLOWED_HOSTS):
        return False
    return _host_port(origin.netloc, scheme) == site


class SameOriginValidator:
    """ASGI middleware for the rooms' WebSocket routes: a handshake from any other origin is refused (403)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
