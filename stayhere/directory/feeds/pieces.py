"""Kept pieces of the Meeting Guide feed: each block of a thousand meeting ids rendered once, and rendered again
only when one of its rows changed.

Other feeds are kept whole, as a file per directory version (cache.py), but any change to any listing moves that
version, and a million meetings take seconds of one core to render again for one edited meeting. So the
database counts changes per block of ids (``directory_feedblock``: block = meeting id // BLOCK, stamp = a
counter), moved by triggers on every table the feed reads a meeting's object from: the meeting, its place, its
group and the phone code of its room (the phone app adds that one, see ``watch``). Triggers, not signals, so that
every writer moves the stamps: the admin, the importer's bulk rows, a shell, a migration. A rendering then reads
each block's stamp, uses the block's kept piece when it has the same stamp, and renders (and keeps) the others.
The feed is sent from its pieces on every request, with no whole copy beside them (it would be a second write of
the whole feed after every edit, read no faster than the pieces are).

A piece is kept only when its block's stamp is the same before and after its rows were read: a change that
commits in between is either in the rows or not, so such a piece is served but not kept. Everything else a
piece depends on (the site's address, the room links, the phone number, the database's epoch, the renderer's
own SQL) is in the name of the folder the pieces are kept in; a rendering whose folder is new renders everything.

Only on SQLite: one writer at a time there, so a counter per block costs writers nothing. On PostgreSQL the
same counter would make every writer of a block wait for any other's commit (an import holds its blocks for
its whole transaction), so the feed is rendered whole there, as before.

The triggers are dropped before every migrate (``uninstall``: SQLite rebuilds a table to alter it, and a trigger
that names the table being rebuilt would stop the rebuild) and made again after it (``install``), which also
moves every stamp: whatever a migration changed is rendered again. While any trigger is missing nothing is kept
or used.
"""

# ruff: noqa: S608  (the SQL is made of this module's fixed names and numbers; the one value is a parameter)

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

BLOCK = 1000  # meeting ids per piece
TABLE = "directory_feedblock"
MEETINGS = "directory_meeting"
RENDERING = "2"  # moved whenever the objects' text changes for the same rows (a new folder for every piece)


@dataclass(frozen=True)
class Watched:
    """A table the feed reads: its rows give the meeting ids they touch, from a column (``column``) or from the
    meetings that refer to them (``referenced_by``, a column of the meeting table)."""

    table: str
    column: str = ""
    referenced_by: str = ""

    def triggers(self) -> dict[str, str]:
        """name -> CREATE TRIGGER statement (SQLite)."""
        made = {}
        events = ("INSERT", "UPDATE", "DELETE") if self.column else ("UPDATE", "DELETE")
        for event in events:
            name = f"stayhere_feedblock_{self.table}_{event.lower()}"
            rows = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
            if not self.column:
                rows = ["OLD"]  # a place or group keeps its id: the meetings that refer to it
            body = " ".join(self._bump(row) for row in rows)
            made[name] = f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {self.table} BEGIN {body} END"
        return made

    def _bump(self, row: str) -> str:
        if self.column:
            blocks = f"SELECT {row}.{self.column} / {BLOCK}, 1 WHERE {row}.{self.column} IS NOT NULL"
        else:
            blocks = f"SELECT DISTINCT id / {BLOCK}, 1 FROM {MEETINGS} WHERE {self.referenced_by} = {row}.id"
        return f"INSERT INTO {TABLE} (block, stamp) {blocks} ON CONFLICT (block) DO UPDATE SET stamp = stamp + 1;"


DIRECTORY_TABLES = (
    Watched(MEETINGS, column="id"),
    Watched("directory_location", referenced_by="location_id"),
    Watched("directory_group", referenced_by="group_id"),
)
_watched: dict[str, Watched] = {w.table: w for w in DIRECTORY_TABLES}


def watch(table: str, meeting_column: str) -> None:
    """Another app's table that the feed reads by meeting (e.g. the phone codes): its rows move their meetings'
    blocks too. Called from that app's ready(); its triggers are made by ``install``."""
    _watched[table] = Watched(table, column=meeting_column)


def _names(database: BaseDatabaseWrapper) -> set[str]:
    with database.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stayhere_feedblock_%%'")
        return {name for (name,) in cursor.fetchall()}


def usable(database: BaseDatabaseWrapper) -> bool:
    """Whether pieces may be kept and used: SQLite, with every watched table's triggers in place."""
    if database.vendor != "sqlite":
        return False
    wanted = {name for watched in _watched.values() for name in watched.triggers()}
    return wanted <= _names(database)


def uninstall(database: BaseDatabaseWrapper) -> None:
    """Drop every feed trigger (before a migrate, see the module's text)."""
    if database.vendor != "sqlite":
        return
    names = _names(database)
    with database.cursor() as cursor:
        for name in sorted(names):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(database: BaseDatabaseWrapper) -> None:
    """Make the triggers that are missing (of the tables that exist), then move every block's stamp: whatever
    changed while a trigger was missing is rendered again. Runs after every migrate (apps.py)."""
    if database.vendor != "sqlite":
        return
    tables = set(database.introspection.table_names())
    if TABLE not in tables:
        return  # before the directory's migration that makes it
    with database.cursor() as cursor:
        for watched in _watched.values():
            if watched.table in tables:
                for statement in watched.triggers().values():
                    cursor.execute(statement)
        cursor.execute(f"UPDATE {TABLE} SET stamp = stamp + 1")
        cursor.execute(
            f"INSERT INTO {TABLE} (block, stamp) SELECT DISTINCT id / {BLOCK}, 1 FROM {MEETINGS} WHERE true "
            "ON CONFLICT (block) DO NOTHING"
        )


def stamps(database: BaseDatabaseWrapper) -> list[tuple[int, int]] | None:
    """Every block, in order, with its stamp; None if a meeting has an id past the last block (its block was
    never counted: the caller renders the feed whole). The triggers and ``install`` give every meeting's block
    a row, so this reads the thousand-times smaller table, not the meetings."""
    with database.cursor() as cursor:
        cursor.execute(f"SELECT block, stamp FROM {TABLE} ORDER BY block")
        blocks = [(int(block), int(stamp)) for block, stamp in cursor.fetchall()]
        cursor.execute(f"SELECT max(id) FROM {MEETINGS}")
        (last,) = cursor.fetchone()
    if last is not None and (not blocks or last // BLOCK > blocks[-1][0]):
        return None
    return blocks


def stamp(database: BaseDatabaseWrapper, block: int) -> int | None:
    with database.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {TABLE} WHERE block = %s", [block])
        row = cursor.fetchone()
        return None if row is None else row[0]


class Kept:
    """The pieces of one rendering (one form, site, epoch and SQL), as files in one folder of the feed cache."""

    def __init__(self, feeds: Path, form: str, site: str, rendering: str) -> None:
        key = hashlib.sha256(f"{RENDERING}\0{rendering}".encode()).hexdigest()[:16]
        self.prefix = f"pieces-{form}-{site}-"
        self.folder = feeds / (self.prefix + key)
        self.used: set[str] = set()
        self.failure: OSError | None = None  # the first write that failed (then no more are tried)
        self.wrote = False
        try:
            self.present = set(os.listdir(self.folder))
        except OSError:
            self.present = set()

    @staticmethod
    def _name(block: int, stamp: int) -> str:
        return f"{block}-{stamp}"

    def has(self, block: int, stamp: int) -> bool:
        return self._name(block, stamp) in self.present

    def read(self, block: int, stamp: int | None) -> bytes | None:
        if stamp is None or self._name(block, stamp) not in self.present:
            return None
        try:
            data = (self.folder / self._name(block, stamp)).read_bytes()
        except OSError:
            return None
        self.used.add(self._name(block, stamp))
        return data

    def keep(self, block: int, stamp: int, data: bytes) -> None:
        """Write the piece (a temporary file first, so a reader never sees half of it); a data directory that
        cannot be written costs the piece only, and ``failure`` keeps why (the rendering has cache.py log it)."""
        name = self._name(block, stamp)
        if name in self.present:  # kept already (the same rows give the same text)
            self.used.add(name)
            return
        if self.failure is not None:
            return
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".partial-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(partial, self.folder / name)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        except OSError as exc:
            self.failure = exc
            return
        self.used.add(name)
        self.wrote = True

    def tidy(self) -> None:
        """After a whole rendering: pieces it did not use go, and so do other renderings' folders of this form
        and site (an older epoch, room links or phone number)."""
        try:
            for name in os.listdir(self.folder):
                if name not in self.used:
                    (self.folder / name).unlink(missing_ok=True)
            for other in self.folder.parent.glob(self.prefix + "*"):
                if other != self.folder:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass
