"""stayhere's own system checks: misconfigurations that would expose people."""

from __future__ import annotations

import ipaddress
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
    try:
        mode = settings.DATA_DIR.stat().st_mode
    except FileNotFoundError:
        return []  # not made yet (a command that only reads makes none): nothing in it to expose
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


# --- `stayhere check --deploy`: what a public server must have. Each is an error, so the command fails. ---

DEPLOY_HINT_ENV = "See README.md, Configuration, Production."
MIN_KEY_LENGTH = 32
MIN_KEY_DISTINCT = 10


def _key_file_holds_the_secret_key() -> bool:
    key_file = settings.DATA_DIR / "secret_key"
    try:
        return bool(key_file.read_text().strip() == settings.SECRET_KEY)
    except OSError:
        return False


@register(Tags.security, deploy=True)
def check_secret_key_comes_from_the_environment(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The slips' signing keys are encrypted with a key derived from SECRET_KEY: kept beside them in the data
    directory, a copy of that directory (a stolen disk, a backup) can read them."""
    if _key_file_holds_the_secret_key():
        return [
            Error(
                "The secret key was generated into the data directory, next to the data it protects.",
                hint="Set STAYHERE_SECRET_KEY in the environment (or STAYHERE_SECRET_KEY_FILE to a file kept "
                "elsewhere) to a long random value, e.g. the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. " + DEPLOY_HINT_ENV,
                id="stayhere.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key_is_random(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if len(key) < MIN_KEY_LENGTH or len(set(key)) < MIN_KEY_DISTINCT:
        return [
            Error(
                f"STAYHERE_SECRET_KEY does not look random: use at least {MIN_KEY_LENGTH} characters "
                f"with at least {MIN_KEY_DISTINCT} different ones.",
                hint="Generate one with python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="stayhere.E005",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_debug_is_off(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return [
            Error(
                "STAYHERE_DEBUG is on.",
                hint="Debug pages show request data and settings to anyone who meets an error. Set STAYHERE_DEBUG=0.",
                id="stayhere.E006",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts_are_named(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    public = _public_hosts()
    if "*" in public or not public:
        return [
            Error(
                "STAYHERE_ALLOWED_HOSTS must name the site's public host names, without '*'.",
                hint="e.g. STAYHERE_ALLOWED_HOSTS=meetings.example.org. '*' accepts forged Host headers; "
                "local names only means nobody outside this machine can reach the site.",
                id="stayhere.E007",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_https_and_secure_cookies(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not (settings.HTTPS and settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        return [
            Error(
                "STAYHERE_HTTPS is off: cookies are not Secure and anyone on the network can read the pages.",
                hint="Serve over HTTPS behind a proxy that sets X-Forwarded-Proto, and set STAYHERE_HTTPS=1.",
                id="stayhere.E008",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_hsts_is_on(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.SECURE_HSTS_SECONDS <= 0:
        return [
            Error(
                "STAYHERE_HSTS_SECONDS is 0: a browser may still try plain HTTP, where a network can watch it.",
                hint="Set STAYHERE_HSTS_SECONDS=31536000 (a year) once HTTPS works.",
                id="stayhere.E009",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_log_level_is_not_debug(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.LOG_LEVEL == "DEBUG":
        return [
            Error(
                "STAYHERE_LOG_LEVEL is DEBUG.",
                hint="At DEBUG, libraries log WebSocket frames and request details: what people type. "
                "Use STAYHERE_LOG_LEVEL=INFO or above.",
                id="stayhere.E010",
            )
        ]
    return []


def _janus_admin_address() -> str | None:
    """The address stayhere binds Janus' admin API to, or None when the audio module is absent."""
    try:
        from stayhere.audio import config as janus_config
    except ImportError:
        return None
    return str(getattr(janus_config, "LOOPBACK", "")) or None


@register(Tags.security, deploy=True)
def check_janus_admin_is_loopback(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Janus' admin API lists every session and its peers' addresses; it must answer only this machine."""
    address = _janus_admin_address()
    if address is None:
        return []
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return [
            Error(
                f"Janus' admin API would be bound to {address}, not to a loopback address.",
                hint="The admin API shows every audio session and its peers' addresses: bind it to 127.0.0.1.",
                id="stayhere.E011",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_redis_keeps_nothing_on_disk(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """With Redis, live meetings are kept there: it must not write them to disk (RDB snapshots or AOF)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url or getattr(settings, "REDIS_ALLOW_PERSISTENCE", False):
        return []
    from stayhere.core.redis import RedisRefused, ensure_no_persistence

    try:
        ensure_no_persistence(url, allow=False)
    except RedisRefused as refused:
        return [
            Error(
                str(refused).splitlines()[0],
                hint=" ".join(line.lstrip("- ") for line in str(refused).splitlines()[1:]),
                id="stayhere.E012",
            )
        ]
    return []
