"""Rendered feeds kept as files in the data directory, one per directory version and site address.

A feed is read far more often than the directory changes (apps and other finders poll it), and
rendering 200,000 meetings costs seconds of one core. The first request after a change streams
the feed as it renders and keeps a copy; later requests are served from that file until the
directory's version (freshness.version) moves. The files hold what the feed publishes anyway.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseNotModified, StreamingHttpResponse
from django.http.response import HttpResponseBase

from stayhere.directory import freshness

Render = Callable[[str], Iterator[str] | Iterator[bytes]]
logger = logging.getLogger(__name__)


class _FeedFile(FileResponse):
    block_size = 1 << 20  # large reads: a 100 MB feed in a hundred pieces, not twenty-five thousand


def directory() -> Path:
    """Where the kept feeds are: the data directory's feeds/ (made when the first copy is kept)."""
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
        path = directory() / f"{stem}-{version}-{site}{suffix}"
        try:
            answer = _FeedFile(path.open("rb"), content_type=content_type)
        except FileNotFoundError:
            chunks = _keep_copy(render(url_prefix), path, f"{stem}-*-{site}{suffix}")
            answer = StreamingHttpResponse(chunks, content_type=content_type)
        except OSError as exc:  # there, but not readable: the feed is still served, rendered
            _cannot_keep(exc)
            answer = StreamingHttpResponse(_encoded(render(url_prefix)), content_type=content_type)
    answer["ETag"] = etag
    return answer


def _encoded(chunks: Iterator[str] | Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk if isinstance(chunk, bytes) else chunk.encode()


def _keep_copy(chunks: Iterator[str] | Iterator[bytes], path: Path, older: str) -> Iterator[bytes]:
    """Yields the chunks as bytes and writes them to a temporary file, which becomes ``path``
    once the feed is complete (and replaces older versions); an interrupted feed leaves nothing.

    A data directory that is full or read-only costs the copy, never the feed: the rest of the
    chunks are still served (rendered on every request until the copy can be written)."""
    copy: BinaryIO | None = None
    partial: Path | None = None
    complete = False
    try:
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
            partial = Path(name)
            copy = os.fdopen(handle, "wb")
        except OSError as exc:
            _cannot_keep(exc)
        for data in _encoded(chunks):
            if copy is not None:
                try:
                    copy.write(data)
                except OSError as exc:
                    _cannot_keep(exc)
                    _close_quietly(copy)
                    copy = None
            yield data
        if copy is not None and partial is not None:
            try:
                copy.close()
                os.replace(partial, path)
                complete = True
                for stale in path.parent.glob(older):
                    if stale != path:
                        stale.unlink(missing_ok=True)
                _can_keep()
            except OSError as exc:
                _cannot_keep(exc)
    finally:
        if copy is not None and not copy.closed:
            _close_quietly(copy)
        if partial is not None and not complete:
            try:
                partial.unlink(missing_ok=True)
            except OSError:
                pass


def _close_quietly(copy: BinaryIO) -> None:
    try:
        copy.close()
    except OSError:
        pass  # a full disk refuses the last buffered bytes too


# Whether the last copy failed: the log says so once when copies start failing, and once when they work again,
# not once a request (a feed polled every minute would fill the log that cannot be written either).
_failing = False


def _cannot_keep(exc: OSError) -> None:
    global _failing
    if not _failing:
        _failing = True
        logger.warning(
            "Feeds are served without a kept copy: the feed cache in the data directory (STAYHERE_DATA_DIR/feeds) "
            "cannot be written (%s). Each request renders the feed until it can; free space or make it writable.",
            exc.strerror or type(exc).__name__,
        )


def _can_keep() -> None:
    global _failing
    if _failing:
        _failing = False
        logger.info("The feed cache in the data directory can be written again: feeds are served from kept copies.")
