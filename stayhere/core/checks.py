"""stayhere's own system checks: misconfigurations that would expose people."""

from __future__ import annotations

import stat
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _public_hosts() -> list[str]:
    return [host for host in settings.ALLOWED_HOSTS if host not in LOCAL_HOSTS]


@register(Tags.security, deploy=False)
def check_debug_is_local(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG and _public_hosts():
        return [
            Error(
                "STAYHERE_DEBUG is on while the site answers to public host names.",
                hint="Debug pages show request data and settings to anyone. Set STAYHERE_DEBUG=0.",
                id="stayhere.E001",
            )
        ]
    return []


@register(Tags.security)
def check_https_for_public_hosts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    public = _public_hosts()
    if "*" in public:
        messages.append(
            Warning(
                "STAYHERE_ALLOWED_HOSTS contains '*'.",
                hint="Name the host names people use, e.g. STAYHERE_ALLOWED_HOSTS=meetings.example.org.",
                id="stayhere.W001",
            )
        )
    if public and not settings.HTTPS:
        messages.append(
            Warning(
                "The site answers to public host names but STAYHERE_HTTPS is off.",
                hint="Serve over HTTPS behind a proxy and set STAYHERE_HTTPS=1 so cookies are Secure.",
                id="stayhere.W002",
            )
        )
    return messages


@register(Tags.security)
def check_data_dir_is_private(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    mode = settings.DATA_DIR.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [
            Error(
                f"The data directory {settings.DATA_DIR} can be read by other users of this machine.",
                hint=f"Run: chmod 700 {settings.DATA_DIR}",
                id="stayhere.E002",
            )
        ]
    return []


@register(Tags.security)
def check_access_logs_carry_no_addresses(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """uvicorn's access log writes each client's address; stayhere's configuration silences it."""
    config = settings.LOGGING.get("loggers", {}).get("uvicorn.access", {})
    if config.get("propagate", True) or config.get("handlers"):
        return [
            Error(
                "The uvicorn.access logger is enabled; it writes client IP addresses.",
                hint="Keep LOGGING['loggers']['uvicorn.access'] = {'handlers': [], 'propagate': False}.",
                id="stayhere.E003",
            )
        ]
    return []
