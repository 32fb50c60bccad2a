"""Typed readers for settings that come from environment variables.

Every setting stayhere reads goes through one of these, so a bad value stops the
process at start-up with a sentence that names the variable and says what to write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def _raw(name: str, env: Mapping[str, str] | None) -> str | None:
    source = os.environ if env is None else env
    value = source.get(name)
    return None if value is None else value.strip()


def envstr(name: str, default: str, env: Mapping[str, str] | None = None) -> str:
    value = _raw(name, env)
    return default if value is None or value == "" else value


def envbool(name: str, default: bool, env: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, env)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value. Set it to 1 or 0 (or true/false).")


def envint(
    name: str,
    default: int,
    env: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = _raw(name, env)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a whole number. Set it to digits only, e.g. 8000."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: use {minimum} or more.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large: use {maximum} or less.")
    return number


def envlist(name: str, default: list[str], env: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, env)
    if value is None or value == "":
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def envpath(name: str, default: Path, env: Mapping[str, str] | None = None) -> Path:
    value = _raw(name, env)
    if value is None or value == "":
        return default
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"{name}={value!r} names a file, not a directory. Point it at a directory.")
    return path


def database_from_url(name: str, url: str) -> dict[str, object]:
    """Turn ``postgresql://user:pass@host:port/db`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must start with postgresql:// (got {parts.scheme or 'no scheme'}://). "
            "Leave it unset to use the embedded SQLite database."
        )
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ImproperlyConfigured(f"{name} names no database: end it with /DATABASE_NAME, e.g. /stayhere.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5},
    }


def redis_url(name: str, env: Mapping[str, str] | None = None) -> str:
    """A Redis address (redis://, rediss:// or unix://), or '' when unset (the embedded default)."""
    url = envstr(name, "", env)
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name} must start with redis://, rediss:// or unix:// (got {parts.scheme or 'no scheme'}://), "
            "e.g. redis://127.0.0.1:6379/0. Leave it unset to keep meetings in this one process."
        )
    if parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} names no host: write it as redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0."
        )
    try:
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number from 1 to 65535.") from None
    database = parts.path.lstrip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise ImproperlyConfigured(f"{name} must end with a database number (e.g. /0), not /{database}.")
    return url
