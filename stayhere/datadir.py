"""The data directory (STAYHERE_DATA_DIR): the SQLite database, the generated secret key, the feed cache.

settings.py makes the directory (0700) and, unless a key is configured, its secret key, at start-up of every
command but those that only read a stayhere directory (``export-feed``, ``room-links``...: ``stayhere.cli``).
Run where there is nothing to read, those must leave nothing behind, so the command line calls ``read_only()``
before Django starts; settings.py then makes nothing, and ``stayhere.core.database.require_database`` makes the
directory and key once it has found the database they belong with.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT = Path.home() / ".local" / "share" / "stayhere"
SQLITE_NAME = "stayhere.sqlite3"
KEY_NAME = "secret_key"

_makes = True


def read_only() -> None:
    """This process only reads a stayhere directory: settings.py is to make no directory and no key."""
    global _makes
    _makes = False


def makes() -> bool:
    return _makes


def prepare(directory: Path) -> None:
    """The directory (private to this user) and its static folder, which WhiteNoise wants to exist."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / "static").mkdir(exist_ok=True)


def kept_key(directory: Path, *, make: bool) -> str:
    """The secret key kept in the directory; generated once (mode 0600) when there is none and ``make`` says so,
    else "" when there is none (Django then refuses to use an empty key, rather than use a passing one)."""
    key_file = directory / KEY_NAME
    if make and not key_file.exists():
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process of this site made it a moment ago: use that one
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        return ""
