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


SECRET_FILE_LIMIT = 64 * 1024  # a secret is a line; a larger file is the wrong path


def envsecret(name: str, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """A secret from NAME, or from the file NAME_FILE names (how systemd's credentials and container secrets
    arrive); ``("", name)`` when neither is set.

    Returns the secret and the variable it came from, so a check of its value can name that variable. Every
    message names a variable or a path, never the secret.
    """
    value = _raw(name, env)
    path_text = _raw(f"{name}_FILE", env)
    if not path_text:
        return (value or "", name)
    if value:
        raise ImproperlyConfigured(
            f"Both {name} and {name}_FILE are set: keep one, so it is clear which secret is in use "
            "(the file keeps it out of the environment)."
        )
    return (_read_secret_file(f"{name}_FILE", Path(path_text).expanduser()), f"{name}_FILE")


def _read_secret_file(name: str, path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(SECRET_FILE_LIMIT + 1)
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"{name} names {path}, which does not exist: give the path of the secret's file."
        ) from None
    except IsADirectoryError:
        raise ImproperlyConfigured(
            f"{name} names {path}, which is a directory: give the path of the secret's file."
        ) from None
    except PermissionError:
        raise ImproperlyConfigured(
            f"{name} names {path}, which this user may not read: make it readable by the user stayhere runs as "
            "(e.g. chown it to that user, mode 0400), or hand it over with systemd's LoadCredential=."
        ) from None
    except OSError as error:
        raise ImproperlyConfigured(f"{name} names {path}, which cannot be read: {error.strerror}.") from None
    if len(data) > SECRET_FILE_LIMIT:
        raise ImproperlyConfigured(
            f"{name} names {path}, which is larger than {SECRET_FILE_LIMIT // 1024} KiB: a secret is one line, "
            "so this is likely the wrong file."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImproperlyConfigured(
            f"{name} names {path}, which is not text (UTF-8): write the secret as text."
        ) from None
    # One line break at the end is how files end (echo, editors, `openssl rand -hex 32 > file`); it is not
    # part of the secret. Anything else around it would be, and the variable itself could not carry it.
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    if not text:
        raise ImproperlyConfigured(f"{name} names {path}, which is empty: write the secret into it.")
    if text != text.strip():
        raise ImproperlyConfigured(
            f"{name} names {path}, whose secret begins or ends with spaces or blank lines: write the secret "
            "alone on the file's one line."
        )
    return text


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
