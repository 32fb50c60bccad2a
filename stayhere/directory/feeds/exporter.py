"""The directory as feeds: Meeting Guide JSON and 12 Step Meeting List CSV, as iterators of text chunks.

Each format has one renderer over the published records (``records``); the Meeting Guide feed
served is built by the database instead (``meeting_guide_sql``), an optimisation that tests hold
to that renderer's output, object for object.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from asgiref.sync import sync_to_async
from django.urls import reverse

from stayhere.directory.feeds import meeting_guide, meeting_guide_sql, tsml_csv
from stayhere.directory.feeds.records import published_meetings

ROWS_PER_CHUNK = 1000


def meeting_url_prefix(site_url: str) -> str:
    """The address of a meeting page without its slug: site_url + /meetings/."""
    return site_url.rstrip("/") + reverse("directory:meeting", args=["x"])[:-1]


def meeting_guide_chunks(url_prefix: str) -> Iterator[bytes]:
    """The Meeting Guide feed as a JSON array in UTF-8 chunks, one object per weekday (meeting_guide.per_day), its
    objects written by the database (meeting_guide_sql)."""
    return meeting_guide_sql.meeting_guide_bytes(url_prefix, per_day=True)


def meeting_guide_array_chunks(url_prefix: str) -> Iterator[bytes]:
    """The same feed with one object per meeting, a meeting on several days written with a "day" array."""
    return meeting_guide_sql.meeting_guide_bytes(url_prefix, per_day=False)


def python_meeting_guide_chunks(url_prefix: str, *, per_day: bool = True) -> Iterator[str]:
    """The same feed rendered meeting by meeting in Python (meeting_guide.render): the reference the
    database-built feed is tested against, a thousand meetings per chunk."""
    yield "["
    batch: list[dict[str, Any]] = []
    first = True
    for meeting in published_meetings(url_prefix):
        rendered = meeting_guide.render(meeting)
        if per_day:
            batch.extend(meeting_guide.per_day(rendered))
        else:
            batch.append(rendered)
        if len(batch) >= ROWS_PER_CHUNK:
            yield _join(batch, first)
            first, batch = False, []
    if batch:
        yield _join(batch, first)
    yield "]\n"


def _join(batch: list[dict[str, Any]], first: bool) -> str:
    text = orjson.dumps(batch).decode()[1:-1]
    return text if first else "," + text


def csv_chunks(url_prefix: str) -> Iterator[str]:
    """The CSV feed: a header row, then each meeting's rows (one per day), a thousand meetings per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(tsml_csv.COLUMNS)
    count = 0
    for meeting in published_meetings(url_prefix):
        writer.writerows(tsml_csv.render_rows(meeting))
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
