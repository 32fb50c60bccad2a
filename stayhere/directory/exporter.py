"""The directory as feeds: Meeting Guide JSON and 12 Step Meeting List CSV, as iterators of text chunks.

One query with joins reads every meeting (``values`` + ``iterator``), so the feed streams in
constant memory and never asks the database once per meeting.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from stayhere.directory.feeds import meeting_guide, tsml_csv
from stayhere.directory.models import Meeting

ROWS_PER_CHUNK = 1000


def meeting_url_prefix(site_url: str) -> str:
    """The address of a meeting page without its slug: site_url + /meetings/."""
    return site_url.rstrip("/") + reverse("directory:meeting", args=["x"])[:-1]


def meeting_guide_objects(url_prefix: str) -> Iterator[dict[str, Any]]:
    rows = Meeting.objects.order_by("pk").values(*meeting_guide.EXPORT_FIELDS)
    for row in rows.iterator(chunk_size=ROWS_PER_CHUNK * 2):
        yield meeting_guide.render(row, url_prefix + row["slug"])


def meeting_guide_chunks(url_prefix: str) -> Iterator[str]:
    """A JSON array, a thousand meetings per chunk."""
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
    text = json.dumps(batch, ensure_ascii=False, separators=(",", ":"))[1:-1]
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
