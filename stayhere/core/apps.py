from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

# SQLite reads the database through a memory map up to this size (it caps it at its build's limit, 2 GiB here).
# Pages read through the map come straight from the system's page cache, which every connection shares; beyond
# the map each connection copies pages into its own cache (64 MiB). The server's request threads each hold a
# connection, so with a 256 MiB map a million meetings (1.2 GB) made each thread warm its own copy of the
# search's pages: the near-me-now tail over HTTP was twice what one connection took (docs/BENCHMARKS.md).
MMAP_BYTES = 2**31


def _tune_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """WAL lets the finder keep reading while an import writes; NORMAL sync is safe under WAL."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


class CoreConfig(AppConfig):
    name = "stayhere.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.models import User

        from stayhere.core import checks  # noqa: F401  (registers the system checks)
        from stayhere.core.signin import SignInForm

        # Operators' sign-in: failed attempts limited per account name and overall (stayhere.core.signin).
        admin.site.login_form = SignInForm
        # No email is required of an operator: createsuperuser asks only for a name and a password.
        User.REQUIRED_FIELDS = []

        connection_created.connect(_tune_sqlite)
