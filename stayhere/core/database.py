"""Whether there is a stayhere database to work on, for the commands that build one and those that read one.

A command that builds a directory (``serve``, ``demo``, ``import-feed``, ``load_demo``) prepares the database as
``serve`` does: ``prepare_database`` applies the migrations, quietly. A command that reads one (``export-feed``,
``room-links``, ``slip-keys``, ``verify-slip``, ``disclose``) calls ``require_database`` first: where there is
none it stops with one sentence saying where it looked, having made nothing (no data directory, no SQLite file,
no secret key; see stayhere.datadir).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from stayhere import datadir

# The app whose first migration makes a directory a stayhere one (groups, meetings: what every reader reads).
CORE_APP = "directory"


def prepare_database(using: str = DEFAULT_DB_ALIAS) -> None:
    """Applies the migrations that are not applied yet, saying nothing (as ``stayhere serve`` does)."""
    call_command("migrate", database=using, interactive=False, verbosity=0)


def require_database(using: str = DEFAULT_DB_ALIAS) -> None:
    """Stops a reading command, with one sentence, unless the database is there and migrated."""
    problem = missing_database(using)
    if problem:
        raise CommandError(problem)
    if not settings.MAKE_DATA_DIR:
        # A reader, and the database is there: its data directory and key may be made now, as any command would.
        datadir.prepare(settings.DATA_DIR)
        if settings.SECRET_KEY_GENERATED:
            settings.SECRET_KEY = datadir.kept_key(settings.DATA_DIR, make=True)


def missing_database(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Why there is no stayhere database to read here, in a sentence; None when there is one, fully migrated."""
    connection = connections[using]
    place = _place(connection)
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():  # type: ignore[attr-defined]
        # Opening a SQLite file that is not there would make it: look before connecting.
        database = Path(connection.settings_dict["NAME"])
        if not database.is_file() or database.stat().st_size == 0:
            return _nothing_here(connection, place)
    try:
        with connection.cursor():
            tables = connection.introspection.table_names()
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return _("stayhere could not open %(place)s: %(reason)s.") % {"place": place, "reason": reason}
    if MigrationRecorder.Migration._meta.db_table not in tables:
        return _nothing_here(connection, place)
    applied = MigrationRecorder(connection).applied_migrations()
    if not any(app == CORE_APP for app, _name in applied):
        return _nothing_here(connection, place)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return _(
            "The stayhere tables in %(place)s are older than this stayhere: run `stayhere migrate` "
            "(or `stayhere serve`, which migrates first), then this command again."
        ) % {"place": place}
    return None


def _place(connection: BaseDatabaseWrapper) -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(config["NAME"])
    host = config.get("HOST") or _("the local socket")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return _("the PostgreSQL database %(name)r on %(host)s (STAYHERE_DATABASE_URL)") % {
        "name": config["NAME"],
        "host": f"{host}{port}",
    }


def _nothing_here(connection: BaseDatabaseWrapper, place: str) -> str:
    if connection.vendor == "sqlite":
        return _(
            "The data directory %(directory)s holds no stayhere database (looked for %(place)s): set "
            "STAYHERE_DATA_DIR to the one that does, or make one here with `stayhere import-feed SOURCE` or "
            "`stayhere demo`."
        ) % {"directory": settings.DATA_DIR, "place": place}
    return _(
        "%(place)s holds no stayhere tables: check STAYHERE_DATABASE_URL, or make them there with "
        "`stayhere migrate` (or `stayhere import-feed SOURCE`, which migrates first)."
    ) % {"place": _capital(place)}


def failure_sentence(error: DatabaseError, using: str = DEFAULT_DB_ALIAS) -> str:
    """What a database error means for an operator, in a sentence that says what to do (no traceback).

    Each work that writes runs in one transaction, so a failure leaves the database as it was before it."""
    connection = connections[using]
    place = _place(connection)
    reason = str(error).strip().splitlines()[0].strip() if str(error).strip() else type(error).__name__
    said = reason.lower()
    state = str(getattr(error.__cause__, "sqlstate", None) or "")
    if isinstance(error, IntegrityError) or state in {"40001", "40P01"}:
        return _(
            "Another writer changed the same rows of %(place)s at the same time (%(reason)s), so nothing was "
            "written: run the command again."
        ) % {"place": place, "reason": reason}
    if "database is locked" in said or state == "55P03":
        return _(
            "Another import (or another writer) held %(place)s for longer than this one may wait "
            "(STAYHERE_FEED_IMPORT_WAIT), so nothing was written: run the command again once it has finished."
        ) % {"place": place}
    if "disk is full" in said or "no space left" in said or state.startswith("53") or _disk_full(connection, said):
        return _(
            "The disk holding %(place)s is full (%(reason)s), so nothing was written: free some space, then run "
            "the command again."
        ) % {"place": place, "reason": reason}
    if "readonly database" in said or "read-only" in said or state == "25006" or _read_only(connection, said):
        return _(
            "%(place)s is read-only here (%(reason)s), so nothing was written: mount its disk writable "
            "(or give stayhere a data directory it may write to), then run the command again."
        ) % {"place": _capital(place), "reason": reason}
    if isinstance(error, OperationalError | InterfaceError) and connection.vendor != "sqlite":
        return _(
            "stayhere could not reach %(place)s: %(reason)s. Is the database server running and reachable? Nothing "
            "was written; run the command again once it answers."
        ) % {"place": place, "reason": reason}
    return _("%(place)s refused the work (%(reason)s), so nothing was written.") % {
        "place": _capital(place),
        "reason": reason,
    }


def _disk_full(connection: BaseDatabaseWrapper, said: str) -> bool:
    # SQLite says only "disk I/O error" when its journal cannot grow; the free space tells which it was.
    if connection.vendor != "sqlite" or "disk i/o error" not in said:
        return False
    try:
        return shutil.disk_usage(Path(connection.settings_dict["NAME"]).parent).free < FULL_BELOW
    except OSError:
        return False


def _read_only(connection: BaseDatabaseWrapper, said: str) -> bool:
    # SQLite cannot open a database in WAL mode whose folder it may not write (its shared-memory file).
    if connection.vendor != "sqlite" or "unable to open database file" not in said:
        return False
    return not os.access(Path(connection.settings_dict["NAME"]).parent, os.W_OK)


FULL_BELOW = 1 << 20  # bytes free under which a disk counts as full


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
