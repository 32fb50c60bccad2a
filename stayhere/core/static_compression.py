"""The site's own scripts and stylesheets, gzip-compressed by the embedded server as nginx compresses them.

WhiteNoise serves ``/static/`` from the apps' folders (``WHITENOISE_USE_FINDERS``: no ``collectstatic`` step to run,
nothing to keep in step) and compresses nothing there, so a room page's modules travelled at three times their
compressed size to a phone on a slow line (docs/BENCHMARKS.md, "Slow connections"). This middleware compresses a
``/static/`` answer once per file and version (its path, ``Last-Modified`` and length) and keeps the compressed bytes
in memory: the site's files are about 750 KB in all, about a third of that compressed.

Only ``/static/``: its files are public and the same for everyone, so compression cannot leak a secret (BREACH needs
one on the page); pages with a CSRF token or a person's data are never compressed here. Answers other than a full
200 (304, 206 ranges, HEAD) pass as they are. The compressed answer has no ``ETag`` (WhiteNoise's is the plain
file's); the browser revalidates with ``If-Modified-Since``, which WhiteNoise answers with 304.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

GetResponse = Callable[[HttpRequest], HttpResponseBase]

COMPRESSIBLE_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
# Below this a gzip header and trailer outweigh what compression saves (nginx's gzip_min_length, deploy/nginx).
MIN_BYTES = 512
# More than the site's files in every version a long-running process could meet.
KEEP_FILES = 512
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


class StaticCompressionMiddleware:
    """gzip for ``/static/`` answers, each file compressed once (level 9) and kept."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.kept: dict[tuple[str, str, str], bytes] = {}
        self.lock = threading.Lock()  # the embedded server answers HTTP on a pool of threads

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL) or not compressible(response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if request.method != "GET" or not ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        key = (request.path, response.get("Last-Modified", ""), response.get("Content-Length", ""))
        with self.lock:
            body = self.kept.get(key)
        if body is None:
            plain = b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]
            body = gzip.compress(plain, compresslevel=9, mtime=0)
            if len(body) >= len(plain):
                body = b""  # kept as "no gain": such a file goes as it is
            with self.lock:
                if len(self.kept) >= KEEP_FILES:
                    self.kept.clear()
                self.kept[key] = body
            if not body:
                return with_body(response, plain)
        elif not body:
            return response
        response["Content-Encoding"] = "gzip"
        if response.has_header("ETag"):
            del response["ETag"]
        return with_body(response, body)


def compressible(response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.has_header("Content-Encoding"):
        return False
    if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
        return False
    length = response.get("Content-Length", "")
    return not (length.isdigit() and int(length) < MIN_BYTES)


def with_body(response: HttpResponseBase, body: bytes) -> HttpResponseBase:
    """``response`` with ``body`` in place of what it was to send; its file is still closed when the answer ends."""
    if response.streaming:
        response.streaming_content = [body]  # type: ignore[attr-defined]
    else:
        response.content = body  # type: ignore[attr-defined]
    response["Content-Length"] = str(len(body))
    return response
