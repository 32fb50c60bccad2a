"""The Meeting Guide feed built by the database: one query whose rows are finished JSON objects.

Building a dict per meeting in Python and encoding it cost about 20 µs a meeting, most of a
200,000-meeting feed's time. Here SQLite (its JSON functions) or PostgreSQL writes each
object's text, and Python only joins the rows. It is an optimisation of the Meeting Guide
renderer: the objects hold what ``meeting_guide.render`` makes of the published records
(``records``), the same rules applied, key for key and in the same order; that renderer stays the
reference, and tests compare the two on both databases.

Numbers: PostgreSQL writes the shortest text that reads back as the same double; SQLite writes
15 significant digits, so a coordinate that needs more is written with 17 (same value read back).
"""

# ruff: noqa: S608  (the SQL is put together from fixed fragments and the models' table names; the
# one value, the site's address, is a query parameter)

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Generator, Iterator

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from stayhere.directory import room_links
from stayhere.directory.feeds import cache, pieces
from stayhere.directory.feeds.meeting_guide import DAY_SLUG_SEPARATOR, DAY_SLUGS
from stayhere.directory.models import DirectoryState, Group, Location, Meeting
from stayhere.directory.room_links import RoomAddresses
from stayhere.directory.schedule import mask_to_days

ROWS_PER_CHUNK = 1000
GROUP_PARTS = "temp.stayhere_feed_groups"  # a rendering's groups' parts, in its connection's temporary schema


class _Dialect:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"
        # PostgreSQL plans a cursor's query for its first rows: with materialized parts it joined
        # every meeting to every place (minutes at 200,000); inlined, it looks each up by its key.
        self.kept = "NOT MATERIALIZED" if self.postgres else "MATERIALIZED"

    def quote(self, expr: str) -> str:
        """A text expression as a JSON string."""
        return f"to_json({expr})::text" if self.postgres else f"json_quote({expr})"

    def number(self, expr: str) -> str:
        if self.postgres:
            return f"to_json({expr})::text"
        # json_quote writes %!.15g: exact for any coordinate a feed gives; otherwise 17 digits.
        return (
            f"CASE WHEN CAST(json_quote({expr}) AS REAL) = {expr} THEN json_quote({expr}) "
            f"ELSE printf('%%!.17g', {expr}) END"
        )

    def hhmm(self, expr: str) -> str:
        if self.postgres:
            return f"'\"' || to_char({expr}, 'HH24:MI') || '\"'"
        # Stored as "HH:MM:SS[.ffffff]"
        return (
            f"CASE WHEN substr({expr}, 3, 1) = ':' THEN '\"' || substr({expr}, 1, 5) || '\"' "
            f"ELSE '\"0' || substr({expr}, 1, 4) || '\"' END"
        )

    def utc(self, expr: str) -> str:
        if self.postgres:
            return f"'\"' || to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '\"'"
        # Stored in UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]"
        return f"'\"' || replace(substr({expr}, 1, 19), 'T', ' ') || '\"'"

    def json_text(self, expr: str) -> str:
        return f"{expr}::text" if self.postgres else expr

    def not_empty_array(self, expr: str) -> str:
        # Django and the importer write an empty list as "[]"; parsing every row's JSON to count costs more.
        return f"jsonb_array_length({expr}) > 0" if self.postgres else f"{expr} <> '[]'"

    def append(self, array: str, code: str) -> str:
        """The JSON array's text with one more string at its end."""
        if self.postgres:
            return f"({array} || '[\"{code}\"]'::jsonb)"
        # The stored text is a JSON array ("[...]"): edited as text, it is not parsed for every meeting.
        return f"CASE WHEN {array} = '[]' THEN '[\"{code}\"]' ELSE rtrim({array}, ']') || ',\"{code}\"]' END"

    def reversed_join(self, array: str) -> str:
        """The array's strings, last first, joined with ", "."""
        if self.postgres:
            return (
                f"(SELECT string_agg(r.value, ', ' ORDER BY r.ord DESC) "
                f"FROM jsonb_array_elements_text({array}) WITH ORDINALITY AS r(value, ord))"
            )
        return f"(SELECT group_concat(value, ', ') FROM (SELECT value FROM json_each({array}) ORDER BY key DESC))"

    def contacts(self, array: str) -> str:
        """',"contact_1_name":..., ...' for the first three entries: first names only, empty values left out."""
        if self.postgres:
            rows = (
                f"SELECT c.ord AS n, split_part(coalesce(c.value->>'name', ''), ' ', 1) AS nm, "
                f"coalesce(c.value->>'email', '') AS em, coalesce(c.value->>'phone', '') AS ph "
                f"FROM jsonb_array_elements({array}) WITH ORDINALITY AS c(value, ord) WHERE c.ord <= 3"
            )
            number = "n::text"
        else:
            name = "coalesce(CAST(json_extract(value, '$.name') AS TEXT), '')"
            rows = (
                f"SELECT key + 1 AS n, CASE WHEN instr({name}, ' ') > 0 THEN substr({name}, 1, instr({name}, ' ') - 1)"
                f" ELSE {name} END AS nm, coalesce(CAST(json_extract(value, '$.email') AS TEXT), '') AS em, "
                f"coalesce(CAST(json_extract(value, '$.phone') AS TEXT), '') AS ph "
                f"FROM json_each({array}) WHERE key < 3 ORDER BY key"
            )
            number = "n"
        piece = " || ".join(
            f"CASE WHEN {column} <> '' THEN ',\"contact_' || {number} || '_{key}\":' || {self.quote(column)} "
            "ELSE '' END"
            for column, key in (("nm", "name"), ("em", "email"), ("ph", "phone"))
        )
        if self.postgres:
            return f"(SELECT coalesce(string_agg({piece}, '' ORDER BY n), '') FROM ({rows}) AS c3)"
        return f"(SELECT coalesce(group_concat({piece}, ''), '') FROM ({rows}))"


# A meeting's weekdays, by mask: the "day" of the array form ("1", "[0,2]"), and (day, slug suffix) per weekday.
_DAY_VALUE = [
    "" if not days else str(days[0]) if len(days) == 1 else "[" + ",".join(map(str, days)) + "]"
    for days in (mask_to_days(mask) for mask in range(128))
]
_PER_DAY = [[(str(day), DAY_SLUG_SEPARATOR + DAY_SLUGS[day]) for day in mask_to_days(mask)] for mask in range(128)]


def query(vendor: str, rooms: RoomAddresses | None = None, *, one_block: bool = False, ids: bool = False) -> str:
    """The query, one row per meeting in id order: (the object's text up to its slug, the slug as JSON, the
    weekday mask when the meeting has a day and a time else 0, the rest of the object from its "time").
    ``objects`` puts them together. Its parameters are ``parameters(url_prefix, rooms)``: the room-link parts
    when there are rooms, then the meeting-page address prefix (for meetings without a url). ``one_block``:
    only the meetings of ids from LOW up to HIGH (not included) and their places, with their groups' parts read
    from the temporary table GROUP_PARTS: the text is then the block's query and the query that fills that table,
    joined by a NUL; the block query's parameters are ``block_parameters``. ``ids``: each row ends with the
    meeting's id."""
    d = _Dialect(vendor)
    m, l, lx, g, gx = "m", "l", "lx", "g", "gx"  # noqa: E741

    def opt(key: str, column: str) -> str:
        return f"CASE WHEN {column} <> '' THEN ',\"{key}\":' || {d.quote(column)} ELSE '' END"

    types = f"{m}.types"
    with_moud = f"CASE WHEN {gx}.moud THEN {d.append(types, 'MOUD')} ELSE {types} END"
    with_codes = f"CASE WHEN {gx}.hred THEN {d.append(with_moud, 'HRED')} ELSE {with_moud} END"
    types_part = (
        f"CASE WHEN {gx}.moud OR {gx}.hred THEN ',\"types\":' || {d.json_text(with_codes)} "
        f"WHEN {d.not_empty_array(types)} THEN ',\"types\":' || {d.json_text(types)} ELSE '' END"
    )
    place = " || ".join(
        [
            opt("location", f"{l}.name"),
            opt("address", f"{l}.address"),
            opt("city", f"{l}.city"),
            opt("state", f"{l}.state"),
            opt("postal_code", f"{l}.postal_code"),
            opt("country", f"{l}.country"),
            opt("location_notes", f"{l}.notes"),
            f"CASE WHEN {l}.latitude IS NOT NULL AND {l}.longitude IS NOT NULL THEN ',\"latitude\":' || "
            f"{d.number(f'{l}.latitude')} || ',\"longitude\":' || {d.number(f'{l}.longitude')} ELSE '' END",
            f'CASE WHEN {l}.approximate THEN \',"approximate":"yes"\' ELSE \',"approximate":"no"\' END',
        ]
    )
    has_regions = d.not_empty_array(f"{m}.regions")
    where = (
        f"CASE WHEN {m}.attendance NOT IN ('online', 'phone') AND {lx}.part IS NOT NULL THEN {lx}.part "
        f"WHEN {has_regions} THEN ',\"formatted_address\":' || {d.quote(d.reversed_join(f'{m}.regions'))} "
        f"|| ',\"approximate\":\"yes\"' ELSE '' END"
    )
    group = " || ".join(
        [
            f"',\"group\":' || {d.quote(f'{g}.name')}",
            opt("group_notes", f"{g}.notes"),
            opt("email", f"{g}.email"),
            opt("phone", f"{g}.phone"),
            opt("website", f"{g}.website"),
            f"CASE WHEN {g}.contacts_public THEN {d.contacts(f'{g}.contacts')} ELSE '' END",
        ]
    )
    has_day = f"{m}.day_mask <> 0 AND {m}.start_time IS NOT NULL"
    head = f"'{{\"name\":' || {d.quote(f'{m}.name')} || ',\"slug\":'"
    mask = f"CASE WHEN {has_day} THEN {m}.day_mask & 127 ELSE 0 END"
    parts = [
        f"CASE WHEN {has_day} THEN ',\"time\":' || {d.hhmm(f'{m}.start_time')} || CASE WHEN {m}.end_time IS NOT NULL "
        f"THEN ',\"end_time\":' || {d.hhmm(f'{m}.end_time')} ELSE '' END ELSE '' END",
        f"',\"timezone\":' || {d.quote(f'{m}.timezone')}",
        f"',\"attendance_option\":' || CASE WHEN {m}.attendance = 'phone' THEN '\"online\"' "
        f"ELSE {d.quote(f'{m}.attendance')} END",
        types_part,
        where,
        f"CASE WHEN {has_regions} THEN ',\"regions\":' || {d.json_text(f'{m}.regions')} ELSE '' END",
        _conference(m, d, opt, rooms),
        _phone(m, d, opt, rooms),
        opt("conference_phone_notes", f"{m}.conference_phone_notes"),
        opt("notes", f"{m}.notes"),
        f"coalesce({gx}.part, '')",
        # A meeting with no group keeps its own email and phone (meeting_guide.render).
        f"CASE WHEN coalesce({gx}.part, '') = '' THEN {opt('email', f'{m}.email')} || {opt('phone', f'{m}.phone')} "
        "ELSE '' END",
        opt("venmo", f"{m}.venmo"),
        opt("square", f"{m}.square"),
        opt("paypal", f"{m}.paypal"),
        opt("homegroup_online", f"{m}.homegroup_online"),
        opt("feedback_url", f"{m}.feedback_url"),
        f"',\"url\":' || CASE WHEN {m}.url <> '' THEN {d.quote(f'{m}.url')} "
        f"ELSE {d.quote(f'(CAST(%s AS TEXT) || {m}.slug)')} END",
        f"',\"updated\":' || {d.utc(f'CASE WHEN {m}.last_verified > {m}.updated THEN {m}.last_verified ELSE {m}.updated END')} || '}}'",  # noqa: E501 - fresher of the last change and the last check
    ]
    meeting, location, grp = (model._meta.db_table for model in (Meeting, Location, Group))
    groups = (
        f"SELECT {g}.id, {g}.moud_welcome AS moud, {g}.harm_reduction AS hred, "
        f"CASE WHEN {g}.name <> '' THEN {group} ELSE '' END AS part FROM {grp} {g}"
    )
    if one_block:
        # A block's places are written for it; its groups come from GROUP_PARTS, written once a rendering (a
        # group's meetings are in many blocks, and its contacts cost more to write than a meeting).
        return (
            f"WITH {lx} AS {d.kept} (SELECT {l}.id, {place} AS part FROM {location} {l} "
            f"WHERE {l}.id IN (SELECT location_id FROM {meeting} WHERE id >= %s AND id < %s)) "
            f"SELECT {head}, {d.quote(f'{m}.slug')}, {mask}, {' || '.join(parts)} FROM {meeting} {m} "
            f"LEFT JOIN {lx} ON {lx}.id = {m}.location_id "
            f"LEFT JOIN {GROUP_PARTS} {gx} ON {gx}.id = {m}.group_id WHERE {m}.id >= %s AND {m}.id < %s "
            f"ORDER BY {m}.id\0{groups}"
        )
    # On SQLite a place's and a group's parts are written once each, not once per meeting: there
    # are fewer of them (and a group with many contacts is a long row SQLite would read for every
    # meeting). See _Dialect.kept for PostgreSQL.
    return (
        f"WITH {lx} AS {d.kept} (SELECT {l}.id, {place} AS part FROM {location} {l}), "
        f"{gx} AS {d.kept} ({groups}) "
        f"SELECT {head}, {d.quote(f'{m}.slug')}, {mask}, {' || '.join(parts)}{f', {m}.id' if ids else ''} "
        f"FROM {meeting} {m} LEFT JOIN {lx} ON {lx}.id = {m}.location_id "
        f"LEFT JOIN {gx} ON {gx}.id = {m}.group_id ORDER BY {m}.id"
    )


def _conference(m: str, d: _Dialect, opt: Callable[[str, str], str], rooms: RoomAddresses | None) -> str:
    """The meeting's own link, or (a meeting held in a listed room here, see room_links) the room's."""
    own = (
        opt("conference_url", f"{m}.conference_url") + " || " + opt("conference_url_notes", f"{m}.conference_url_notes")
    )
    if rooms is None:
        return own
    listed = f"{m}.has_room"
    if rooms.unlisted:
        ids = ",".join(str(int(pk)) for pk in sorted(rooms.unlisted))  # numbers, written into the SQL
        listed += f" AND ({m}.group_id IS NULL OR {m}.group_id NOT IN ({ids}))"
    link = d.quote(f"(CAST(%s AS TEXT) || {m}.slug || CAST(%s AS TEXT))")
    notes = d.quote("CAST(%s AS TEXT)")
    return (
        f"CASE WHEN {listed} THEN ',\"conference_url\":' || {link} || ',\"conference_url_notes\":' || {notes} "
        f"ELSE {own} END"
    )


def _phone(m: str, d: _Dialect, opt: Callable[[str, str], str], rooms: RoomAddresses | None) -> str:
    """The meeting's own phone line, or (a listed room here with a code, the site having a number) the room's."""
    own = opt("conference_phone", f"{m}.conference_phone")
    if rooms is None or rooms.phones is None:
        return own
    listed = f"{m}.has_room"
    if rooms.unlisted:
        ids = ",".join(str(int(pk)) for pk in sorted(rooms.unlisted))  # numbers, written into the SQL
        listed += f" AND ({m}.group_id IS NULL OR {m}.group_id NOT IN ({ids}))"
    number = "".join(c for c in rooms.phones.number if c == "+" or c.isdigit())  # written into the SQL
    code = f"(SELECT pc.code FROM {rooms.phones.table} pc WHERE pc.meeting_id = {m}.id)"
    line = d.quote(f"('{number},,' || {code} || '#')")
    return f"CASE WHEN {listed} AND {code} IS NOT NULL THEN ',\"conference_phone\":' || {line} ELSE {own} END"


def parameters(url_prefix: str, rooms: RoomAddresses | None) -> list[str]:
    room_parts = [rooms.before, rooms.after, rooms.notes] if rooms is not None else []
    return [*room_parts, url_prefix]


def block_parameters(parameters: list[str], low: int, high: int) -> list[str | int]:
    """The parameters of ``query(..., one_block=True)`` for the meetings of ids low <= id < high."""
    return [low, high, *parameters, low, high]


def objects(rows: list[tuple[str, str, int, str]], *, per_day: bool) -> list[str]:
    """The feed objects of the query's rows: a meeting on several days once per weekday (its slug then
    SLUG--DAY, meeting_guide.per_day) with ``per_day``, else once with a "day" array."""
    out: list[str] = []
    add = out.append
    for head, slug, mask, rest in rows:
        if not mask:
            add(head + slug + rest)
        elif per_day and mask & (mask - 1):
            stem = head + slug[:-1]  # the slug's closing quote comes after the day's suffix
            for day, suffix in _PER_DAY[mask]:
                add(f'{stem}{suffix}","day":{day}{rest}')
        else:
            add(f'{head}{slug},"day":{_DAY_VALUE[mask]}{rest}')
    return out


def meeting_guide_chunks(url_prefix: str, *, per_day: bool = False) -> Iterator[str]:
    """The feed as a JSON array in chunks of text (``meeting_guide_bytes``, decoded)."""
    return (chunk.decode() for chunk in meeting_guide_bytes(url_prefix, per_day=per_day))


def meeting_guide_bytes(url_prefix: str, *, per_day: bool = False) -> Iterator[bytes]:
    """The feed as a JSON array in UTF-8 chunks of a thousand meetings (or a block of a thousand ids);
    ``per_day``: one object per weekday (meeting_guide.per_day), else a meeting on several days has a "day" array.

    On SQLite each block of ids is kept as a piece and used again until one of its rows changes (pieces.py);
    elsewhere the feed is one query, read through a chunked cursor. The database writes the next chunks while
    the one before is being sent (``_ahead``): a feed of a million meetings is seconds of the database's work
    and seconds of sending, and the two need not wait for each other.
    """
    return _ahead(lambda database: _chunks(database, url_prefix, per_day))


def kept_in_pieces() -> bool:
    """Whether the feed is sent from kept pieces now (SQLite, its triggers in place, every meeting's block
    counted): then the cache keeps no whole copy of it (cache.response's ``whole``)."""
    database = connections[DEFAULT_DB_ALIAS]
    return _pieced(database) is not None


def _pieced(database: BaseDatabaseWrapper) -> tuple[str, list[tuple[int, int]]] | None:
    """The epoch and every block's stamp when the feed can be sent from pieces, else None (rendered whole)."""
    epoch = _epoch(database)
    if epoch is None or not pieces.usable(database):
        return None
    blocks = pieces.stamps(database)
    return None if blocks is None else (epoch, blocks)


def _chunks(database: BaseDatabaseWrapper, url_prefix: str, per_day: bool) -> Generator[bytes, None, None]:
    rooms = room_links.addresses(url_prefix)  # in the caller's thread, before the writer starts
    pieced = _pieced(database)  # the stamps before the groups are read: a group changed after moves a stamp
    if pieced is None:
        yield from _whole(database, url_prefix, per_day, rooms)
        return
    epoch, blocks = pieced
    sql = query(database.vendor, rooms, one_block=True)
    given = parameters(url_prefix, rooms)
    site = hashlib.sha256(url_prefix.encode()).hexdigest()[:12]
    kept = pieces.Kept(cache.directory(), "day" if per_day else "array", site, f"{epoch}\0{sql}\0{given!r}")
    if sum(not kept.has(block, stamp) for block, stamp in blocks) * MOSTLY > len(blocks):
        # Most blocks to write: one query over every meeting, cut into blocks, costs less than a query a block.
        yield from _all_blocks(database, query(database.vendor, rooms, ids=True), given, per_day, dict(blocks), kept)
    else:
        yield from _some_blocks(database, sql, given, per_day, blocks, kept)
    kept.tidy()
    if kept.failure is not None:  # the feed was served; the log says once that pieces cannot be kept
        cache.cannot_keep(kept.failure)
    elif kept.wrote:
        cache.can_keep()


MOSTLY = 4  # more than a quarter of the blocks to write: _all_blocks


def _piece(texts: list[str]) -> bytes:
    """A block's objects as kept and sent: each after a comma (the feed's first piece is sent without its own),
    so that no piece of a megabyte is copied to put a comma before it; no objects, no bytes."""
    return ",".join(["", *texts]).encode() if texts else b""


def _some_blocks(
    database: BaseDatabaseWrapper,
    sql: str,
    given: list[str],
    per_day: bool,
    blocks: list[tuple[int, int]],
    kept: pieces.Kept,
) -> Generator[bytes, None, None]:
    """The feed from the kept pieces, and a query for each block that has none."""
    block_sql, groups_sql = sql.split("\0")
    groups_read = False
    yield b"["
    first = True
    with database.cursor() as cursor:
        for block, stamp in blocks:
            piece = kept.read(block, stamp)
            if piece is None:
                if not groups_read:
                    cursor.execute(f"DROP TABLE IF EXISTS {GROUP_PARTS}")
                    cursor.execute(f"CREATE TEMP TABLE {GROUP_PARTS.split('.')[1]} AS {groups_sql}", [])
                    groups_read = True
                low = block * pieces.BLOCK
                cursor.execute(block_sql, block_parameters(given, low, low + pieces.BLOCK))
                piece = _piece(objects(cursor.fetchall(), per_day=per_day))
                # Kept only if nothing changed the block while its rows were read (pieces.py).
                if pieces.stamp(database, block) == stamp:
                    kept.keep(block, stamp, piece)
            if piece:
                yield piece[1:] if first else piece
                first = False
        if groups_read:
            cursor.execute(f"DROP TABLE IF EXISTS {GROUP_PARTS}")
    yield b"]\n"


def _all_blocks(
    database: BaseDatabaseWrapper,
    sql: str,
    given: list[str],
    per_day: bool,
    stamps: dict[int, int],
    kept: pieces.Kept,
) -> Generator[bytes, None, None]:
    """The feed from one query over every meeting (its id last in each row), each block's rows kept as its piece
    when its stamp, read while the query is open, is the one read before it began."""

    def piece(block: int, rows: list[tuple[str, str, int, str, int]]) -> bytes:
        text = _piece(objects([row[:4] for row in rows], per_day=per_day))
        stamp = stamps.get(block)
        if stamp is not None and pieces.stamp(database, block) == stamp:
            kept.keep(block, stamp, text)
        return text

    yield b"["
    first = True
    with database.chunked_cursor() as cursor:
        cursor.execute(sql, given)
        block, rows = -1, list[tuple[str, str, int, str, int]]()
        while chunk := cursor.fetchmany(ROWS_PER_CHUNK):
            for row in chunk:
                if row[4] // pieces.BLOCK != block:
                    if rows and (text := piece(block, rows)):
                        yield text[1:] if first else text
                        first = False
                    block, rows = row[4] // pieces.BLOCK, []
                rows.append(row)
        if rows and (text := piece(block, rows)):
            yield text[1:] if first else text
    yield b"]\n"


def _epoch(database: BaseDatabaseWrapper) -> str | None:
    with database.cursor() as cursor:
        cursor.execute(f"SELECT epoch FROM {DirectoryState._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
        return None if row is None else str(row[0])


def _whole(
    database: BaseDatabaseWrapper, url_prefix: str, per_day: bool, rooms: RoomAddresses | None
) -> Generator[bytes, None, None]:
    """The feed from one query over every meeting, nothing kept."""
    sql = query(database.vendor, rooms)
    yield b"["
    first = True
    with database.chunked_cursor() as cursor:
        cursor.execute(sql, parameters(url_prefix, rooms))
        while True:
            rows = cursor.fetchmany(ROWS_PER_CHUNK)
            if not rows:
                break
            text = ",".join(objects(rows, per_day=per_day)).encode()
            yield text if first else b"," + text
            first = False
    yield b"]\n"


_END = object()
AHEAD = 4  # chunks written before they are asked for (a few megabytes)


def _ahead(make: Callable[[BaseDatabaseWrapper], Generator[bytes, None, None]]) -> Iterator[bytes]:
    """The chunks, written by another thread up to AHEAD chunks before they are taken. That thread uses this
    thread's database connection (shared for the while, never at the same time: this thread waits for the
    chunks and stops the writer before it goes on); SQLite and psycopg let other threads run while they work.
    An error in the writer is raised here; a reader that stops early (a client gone) stops the writer."""
    database = connections[DEFAULT_DB_ALIAS]  # this thread's
    chunks = make(database)
    ready: queue.Queue[object] = queue.Queue(maxsize=AHEAD)
    ready.put(next(chunks))  # the opening bracket, and whatever the chunks ask of the database before the query
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def write() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    break
            put(_END)
        except BaseException as exc:  # handed to the reader, who raises it
            put(exc)
        finally:
            chunks.close()

    database.inc_thread_sharing()
    writer = threading.Thread(target=write, name="feed-writer", daemon=True)
    writer.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()
        writer.join()
        database.dec_thread_sharing()
