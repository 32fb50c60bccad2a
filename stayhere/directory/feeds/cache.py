"""Rendered feeds kept as files in the data directory, one per directory version and site address.

A feed is read far more often than the directory changes (apps and other finders poll it), and
rendering 200,000 meetings costs seconds of one core. The first request after a change streams
the feed as it renders and keeps a copy; later requests are served from that file until the
directory's version (freshness.version) moves. The files hold what the feed publishes anyway.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseNotModified, StreamingHttpResponse
from django.http.response import HttpResponseBase

from stayhere.directory import freshness

Render = Callable[[str], Iterator[str]]


class _FeedFile(FileResponse):
    block_size = 1 << 20  # large reads: a 100 MB feed in a hundred pieces, not twenty-five thousand


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "feeds"


def response(request: HttpRequest, name: str, url_prefix: str, render: Render, content_type: str) -> HttpResponseBase:
    """The feed ``name`` (e.g. "meeting-guide.json") for this site address, from the file or rendered."""
    stem, suffix = os.path.splitext(name)
    site = hashlib.sha256(url_prefix.encode()).hexdigest()[:12]
    version = freshness.version()
    etag = f'"{version}-{site}"'
    if etag in request.headers.get("If-None-Match", ""):
        answer: HttpResponseBase = HttpResponseNotModified()
    else:
        path = _directory() / f"{stem}-{version}-{site}{suffix}"
        try:
            answer = _FeedFile(path.open("rb"), content_type=content_type)
        except FileNotFoundError:
            chunks = _keep_copy(render(url_prefix), path, f"{stem}-*-{site}{suffix}")
            answer = StreamingHttpResponse(chunks, content_type=content_type)
    answer["ETag"] = etag
    return answer


def _keep_copy(chunks: Iterator[str], path: Path, older: str) -> Iterator[bytes]:
    """Yields the chunks as bytes and writes them to a temporary file, which becomes ``path``
    once the feed is complete (and replaces older versions); an interrupted feed leaves nothing."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    complete = False
    try:
        with os.fdopen(handle, "wb") as copy:
            for chunk in chunks:
                data = chunk.encode()
                copy.write(data)
                yield data
        os.replace(partial, path)
        complete = True
        for stale in path.parent.glob(older):
            if stale != path:
                stale.unlink(missing_ok=True)
    finally:
        if not complete:
            Path(partial).unlink(missing_ok=True)
