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
import queue
import tempfile
import threading
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


def response(
    request: HttpRequest, name: str, url_prefix: str, render: Render, content_type: str, *, whole: bool = True
) -> HttpResponseBase:
    """The feed ``name`` (e.g. "meeting-guide.json") for this site address, from the file or rendered.

    ``whole=False``: the rendering keeps pieces of its own (pieces.py) and is sent from them on every request,
    so no whole copy is kept (one would cost a second write of the feed after every edit, for a file read no
    faster than the pieces); older whole copies of this feed and site are removed."""
    stem, suffix = os.path.splitext(name)
    site = hashlib.sha256(url_prefix.encode()).hexdigest()[:12]
    version = freshness.version()
    etag = f'"{version}-{site}"'
    if etag in request.headers.get("If-None-Match", ""):
        answer: HttpResponseBase = HttpResponseNotModified()
    elif not whole:
        _remove(directory().glob(f"{stem}-*-{site}{suffix}"))
        answer = StreamingHttpResponse(_encoded(render(url_prefix)), content_type=content_type)
    else:
        path = directory() / f"{stem}-{version}-{site}{suffix}"
        try:
            answer = _FeedFile(path.open("rb"), content_type=content_type)
        except FileNotFoundError:
            chunks = _keep_copy(render(url_prefix), path, f"{stem}-*-{site}{suffix}")
            answer = StreamingHttpResponse(chunks, content_type=content_type)
        except OSError as exc:  # there, but not readable: the feed is still served, rendered
            cannot_keep(exc)
            answer = StreamingHttpResponse(_encoded(render(url_prefix)), content_type=content_type)
    answer["ETag"] = etag
    return answer


def _remove(paths: Iterator[Path]) -> None:
    try:
        for path in paths:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _encoded(chunks: Iterator[str] | Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk if isinstance(chunk, bytes) else chunk.encode()


def _keep_copy(chunks: Iterator[str] | Iterator[bytes], path: Path, older: str) -> Iterator[bytes]:
    """Yields the chunks as bytes and writes them to a temporary file, which becomes ``path``
    once the feed is complete (and replaces older versions); an interrupted feed leaves nothing.

    The file is written by a thread of its own (``_Copy``), so that writing a feed of a gigabyte to
    disk and sending it to the client happen at the same time rather than one after the other.

    A data directory that is full or read-only costs the copy, never the feed: the rest of the
    chunks are still served (rendered on every request until the copy can be written)."""
    copy: _Copy | None = None
    complete = False
    try:
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
            copy = _Copy(os.fdopen(handle, "wb"), Path(name))
        except OSError as exc:
            cannot_keep(exc)
        for data in _encoded(chunks):
            if copy is not None:
                copy.write(data)
            yield data
        if copy is not None:
            failure = copy.finish()
            if failure is None:
                try:
                    os.replace(copy.partial, path)
                    complete = True
                    for stale in path.parent.glob(older):
                        if stale != path:
                            stale.unlink(missing_ok=True)
                    can_keep()
                except OSError as exc:
                    cannot_keep(exc)
            else:
                cannot_keep(failure)
    finally:
        if copy is not None:
            copy.finish()
            if not complete:
                try:
                    copy.partial.unlink(missing_ok=True)
                except OSError:
                    pass


class _Copy:
    """A file written by a thread of its own from a short queue of chunks. The first OSError stops the writing
    (the rest of the chunks are dropped) and is given back by ``finish``, which waits for the thread."""

    AHEAD = 8

    def __init__(self, out: BinaryIO, partial: Path) -> None:
        self.out = out
        self.partial = partial
        self.failure: OSError | None = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self.AHEAD)
        self._thread = threading.Thread(target=self._run, name="feed-copy", daemon=True)
        self._thread.start()
        self._finished = False

    def write(self, data: bytes) -> None:
        if self.failure is None:
            self._queue.put(data)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self.failure is None:
                try:
                    self.out.write(data)
                except OSError as exc:
                    self.failure = exc
        try:
            self.out.close()
        except OSError as exc:  # a full disk refuses the last buffered bytes too
            self.failure = self.failure or exc

    def finish(self) -> OSError | None:
        if not self._finished:
            self._finished = True
            self._queue.put(None)
            self._thread.join()
        return self.failure


# Whether the last copy failed: the log says so once when copies start failing, and once when they work again,
# not once a request (a feed polled every minute would fill the log that cannot be written either).
_failing = False


def cannot_keep(exc: OSError) -> None:
    """A copy (or a kept piece, pieces.py) could not be written: logged once until one can be again."""
    global _failing
    if not _failing:
        _failing = True
        logger.warning(
            "Feeds are served without a kept copy: the feed cache in the data directory (STAYHERE_DATA_DIR/feeds) "
            "cannot be written (%s). Each request renders the feed until it can; free space or make it writable.",
            exc.strerror or type(exc).__name__,
        )


def can_keep() -> None:
    """A copy (or a piece) was written: logged once if copies had been failing."""
    global _failing
    if _failing:
        _failing = False
        logger.info("The feed cache in the data directory can be written again: feeds are served from kept copies.")
