"""The directory as feeds: Meeting Guide JSON and 12 Step Meeting List CSV, as iterators of text chunks.

One query with joins reads every meeting, through a chunked (server-side on PostgreSQL) cursor,
so the feed streams in constant memory and never asks the database once per meeting. The rows
are read raw, without Django's per-value converters: at 200,000 meetings those would cost
more than everything else together. ``_normalise`` does the few conversions the feed needs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import Any

import orjson
from asgiref.sync import sync_to_async
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse

from stayhere.directory.feeds import meeting_guide, meeting_guide_sql, tsml_csv
from stayhere.directory.models import Meeting

ROWS_PER_CHUNK = 1000
_JSON_COLUMNS = ("regions", "types", "group__contacts")
_TIME_COLUMNS = ("start_time", "end_time")


def meeting_url_prefix(site_url: str) -> str:
    """The address of a meeting page without its slug: site_url + /meetings/."""
    return site_url.rstrip("/") + reverse("directory:meeting", args=["x"])[:-1]


@lru_cache(maxsize=8192)
def _json(text: str) -> Any:
    """Parsed JSON of a column; the same few type lists and regions repeat across a whole feed.

    Callers copy what they change: the cached values are shared.
    """
    return orjson.loads(text)


def _rows() -> Iterator[list[Any]]:
    """Every meeting as a list of values in the order of EXPORT_FIELDS, ready for render."""
    fields = meeting_guide.EXPORT_FIELDS
    # Times and timestamps are read as text: the database formats them faster than Python
    # parses them back into objects only to format them again.
    as_text = {name: Cast(name, output_field=CharField()) for name in (*_TIME_COLUMNS, "updated")}
    query = Meeting.objects.order_by("pk").annotate(**{f"{k}_text": v for k, v in as_text.items()})
    columns = [f"{name}_text" if name in as_text else name for name in fields]
    sql, params = query.values_list(*columns).query.sql_with_params()
    regions, types, contacts = (fields.index(name) for name in _JSON_COLUMNS)
    start, end = (fields.index(name) for name in _TIME_COLUMNS)
    updated = fields.index("updated")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(ROWS_PER_CHUNK * 2)
            if not batch:
                return
            for raw in batch:
                row = list(raw)
                # SQLite hands JSON columns over as text, PostgreSQL as values.
                if type(row[types]) is str:
                    row[types] = _json(row[types])
                    row[regions] = _json(row[regions])
                    if row[contacts] is not None:
                        row[contacts] = _json(row[contacts])
                if row[start] is not None:
                    row[start] = _hhmm(row[start])
                if row[end] is not None:
                    row[end] = _hhmm(row[end])
                row[updated] = _utc(row[updated])
                yield row


def _hhmm(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # "HH:MM:SS"
        return value[:5] if value[2] == ":" else f"0{value[:4]}"
    return f"{value.hour:02d}:{value.minute:02d}"


def _utc(value: Any) -> str:
    if isinstance(value, str):  # UTC: "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" (connections run in UTC)
        return value[:19].replace("T", " ")
    moment: dt.datetime = value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def meeting_guide_objects(url_prefix: str) -> Iterator[dict[str, Any]]:
    slug = meeting_guide.SLUG
    for row in _rows():
        yield meeting_guide.render(row, url_prefix + row[slug])


def meeting_guide_chunks(url_prefix: str) -> Iterator[str]:
    """The Meeting Guide feed as a JSON array in chunks, its objects written by the database (meeting_guide_sql)."""
    return meeting_guide_sql.meeting_guide_chunks(url_prefix)


def python_meeting_guide_chunks(url_prefix: str) -> Iterator[str]:
    """The same feed rendered meeting by meeting in Python (meeting_guide.render): the reference the
    database-built feed is tested against, a thousand meetings per chunk."""
    yield "["
    batch: list[dict[str, Any]] = []
    first = True
    for item in meeting_guide_objects(url_prefix):
        batch.append(item)
        if len(batch) == ROWS_PER_CHUNK:
            yield _join(batch, first)
            first, batch = False, []
    if batch:
        yield _join(batch, first)
    yield "]\n"


def _join(batch: list[dict[str, Any]], first: bool) -> str:
    text = orjson.dumps(batch).decode()[1:-1]
    return text if first else "," + text


def csv_chunks(url_prefix: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(tsml_csv.COLUMNS)
    count = 0
    for item in meeting_guide_objects(url_prefix):
        for row in tsml_csv.render_rows(item):
            writer.writerow(row)
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


async def as_async(chunks: Iterator[str] | Iterator[bytes]) -> AsyncIterator[str | bytes]:
    """Serve a synchronous chunk iterator under ASGI without first reading it all into memory.

    Each step runs in the one thread Django keeps for synchronous work, so the database cursor
    stays with the connection that opened it.
    """
    end = object()
    step = sync_to_async(lambda: next(chunks, end), thread_sensitive=True)
    while True:
        chunk = await step()
        if chunk is end:
            return
        assert isinstance(chunk, str | bytes)
        yield chunk
