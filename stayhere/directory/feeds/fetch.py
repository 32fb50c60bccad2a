"""Reading a feed's text from a file or an http(s) URL, and telling its format."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from stayhere.directory.feeds.common import FeedFormatError

FORMATS = ("meeting-guide", "csv", "bmlt")


class FeedFetchError(Exception):
    """The source could not be read at all; the message says why and what to try."""


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def source_key(source: str) -> str:
    """The stable key of a source: a URL without its fragment and trailing slash, or an absolute path."""
    if is_url(source):
        parts = urlsplit(source.strip())
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))[:300]
    return str(Path(source).expanduser().resolve())[:300]


def read_source(source: str) -> str:
    data = _read_url(source) if is_url(source) else _read_file(source)
    return decode(data)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Spreadsheet exports from Windows are often cp1252; it decodes every byte but five.
        return data.decode("cp1252", errors="replace")


def _read_file(source: str) -> bytes:
    path = Path(source).expanduser()
    if not path.exists():
        raise FeedFetchError(
            _("There is no file %(source)s: check the path, or give an http(s) URL.") % {"source": source}
        )
    if path.is_dir():
        raise FeedFetchError(
            _("%(source)s is a directory: give the path of the feed file itself.") % {"source": source}
        )
    limit = settings.FEED_MAX_BYTES
    too_large = _(
        "%(source)s is larger than %(limit)s bytes (STAYHERE_FEED_MAX_BYTES): raise the limit if you trust it."
    ) % {
        "source": source,
        "limit": limit,
    }
    try:
        if path.stat().st_size > limit:
            raise FeedFetchError(too_large)
        # Read one byte past the limit, never more: a device or pipe (/dev/zero) has no size to look at first.
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise FeedFetchError(
            _("%(source)s cannot be read: %(problem)s.") % {"source": source, "problem": exc.strerror or exc}
        ) from None
    if len(data) > limit:
        raise FeedFetchError(too_large)
    return data


class _Download:
    """One GET, run in a thread of its own so that the whole of it (name lookup, connection, headers and
    body) is bounded by the timeout: the socket's own timeout bounds only each wait, and a server that
    sends a byte every few seconds would never trip it."""

    def __init__(self, url: str, timeout: int, limit: int, conditions: dict[str, str] | None = None) -> None:
        self.url, self.timeout, self.limit = url, timeout, limit
        self.conditions = conditions or {}  # If-None-Match / If-Modified-Since, from the last sync
        self.not_modified = False
        self.etag = self.last_modified = ""
        self.received = 0
        self.answered = False  # the status line and headers have arrived
        self.cancelled = False  # set when the caller gave up: the thread stops at its next read
        self.data = b""
        self.error: FeedFetchError | None = None
        self.language = translation.get_language()  # the caller's: the thread's sentences are for them

    def run(self) -> None:
        with translation.override(self.language):
            try:
                self.data = self._get()
            except FeedFetchError as exc:
                self.error = exc
            except Exception as exc:
                self.error = FeedFetchError(
                    _("%(url)s could not be read (%(problem)s): try again later.")
                    % {"url": self.url, "problem": type(exc).__name__}
                )

    def _get(self) -> bytes:
        url, timeout = self.url, self.timeout
        headers = {"User-Agent": "stayhere feed import", "Accept": "*/*", **self.conditions}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (only http(s) reaches here)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
                self.answered = True
                self.etag = (response.headers.get("ETag") or "")[:300]
                self.last_modified = (response.headers.get("Last-Modified") or "")[:100]
                return self._body(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and self.conditions:
                self.answered = self.not_modified = True
                asked = self.conditions
                self.etag = (exc.headers.get("ETag") or asked.get("If-None-Match", ""))[:300]
                self.last_modified = (exc.headers.get("Last-Modified") or asked.get("If-Modified-Since", ""))[:100]
                return b""
            raise FeedFetchError(
                _("%(url)s answered with HTTP status %(code)s (%(reason)s): check the address, or try again later.")
                % {"url": url, "code": exc.code, "reason": exc.reason}
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise FeedFetchError(_timeout_message(url, timeout)) from None
            if isinstance(reason, ConnectionRefusedError):
                raise FeedFetchError(
                    _("%(url)s refused the connection: is the server running, and is the port right?") % {"url": url}
                ) from None
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise FeedFetchError(
                    _("%(url)s gave a TLS certificate that could not be verified (%(reason)s): check the address.")
                    % {"url": url, "reason": reason.verify_message}
                ) from None
            if isinstance(reason, ssl.SSLError):
                raise FeedFetchError(
                    _("%(url)s does not speak TLS (https): check the address, the port, and http against https.")
                    % {"url": url}
                ) from None
            raise FeedFetchError(
                _("%(url)s could not be reached (%(reason)s): check the address and the network.")
                % {"url": url, "reason": reason}
            ) from None
        except http.client.IncompleteRead as exc:
            raise FeedFetchError(_cut_message(url, len(exc.partial), None)) from None
        except http.client.RemoteDisconnected:
            raise FeedFetchError(
                _("%(url)s closed the connection without answering: check the address and port, or try again later.")
                % {"url": url}
            ) from None
        except http.client.HTTPException:
            raise FeedFetchError(
                _("%(url)s does not speak HTTP: check the address and the port (is it a web server's?).") % {"url": url}
            ) from None
        except TimeoutError:
            raise FeedFetchError(self.timeout_message()) from None
        except OSError as exc:
            raise FeedFetchError(
                _("%(url)s could not be read (%(problem)s): try again later.")
                % {"url": url, "problem": exc.strerror or exc}
            ) from None

    def _body(self, response: http.client.HTTPResponse) -> bytes:
        data = bytearray()
        while not self.cancelled:
            # At most one read of the socket each time (read() would wait for the whole amount).
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            data += chunk
            self.received = len(data)
            if len(data) > self.limit:
                raise FeedFetchError(
                    _(
                        "%(url)s sent more than %(limit)s bytes (STAYHERE_FEED_MAX_BYTES): raise the limit if you "
                        "trust it."
                    )
                    % {"url": self.url, "limit": self.limit}
                )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and len(data) < int(declared):
            raise FeedFetchError(_cut_message(self.url, len(data), int(declared)))
        return bytes(data)

    def timeout_message(self) -> str:
        if not self.answered:
            return _timeout_message(self.url, self.timeout)
        return _(
            "%(url)s had sent %(received)s bytes and was still sending after %(seconds)s seconds "
            "(STAYHERE_FEED_TIMEOUT bounds the whole download), so nothing was changed: try again later, "
            "or raise the timeout."
        ) % {"url": self.url, "received": self.received, "seconds": self.timeout}


_CHUNK = 1 << 16


def _read_url(url: str) -> bytes:
    return _bounded(_Download(url, settings.FEED_FETCH_TIMEOUT, settings.FEED_MAX_BYTES)).data


def _bounded(download: _Download) -> _Download:
    thread = threading.Thread(target=download.run, name="stayhere-feed-download", daemon=True)
    thread.start()
    thread.join(download.timeout)
    if thread.is_alive():
        download.cancelled = True  # its socket's own timeout ends the thread soon after
        raise FeedFetchError(download.timeout_message())
    if download.error is not None:
        raise download.error
    return download


@dataclass(frozen=True)
class Fetched:
    """What a conditional read of a source gave: its bytes, or ``not_modified`` (HTTP 304) and no bytes."""

    data: bytes
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""


def fetch(source: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """Reads a source as a scheduled sync does: a URL with If-None-Match / If-Modified-Since when the last answer
    gave an ETag or a Last-Modified (a 304 comes back as ``not_modified``); a file as it is. FeedFetchError when it
    cannot be read, within STAYHERE_FEED_TIMEOUT in all."""
    if not is_url(source):
        return Fetched(_read_file(source))
    conditions = {}
    if etag:
        conditions["If-None-Match"] = etag
    if last_modified:
        conditions["If-Modified-Since"] = last_modified
    download = _bounded(_Download(source, settings.FEED_FETCH_TIMEOUT, settings.FEED_MAX_BYTES, conditions))
    return Fetched(download.data, download.not_modified, download.etag, download.last_modified)


def _timeout_message(url: str, timeout: int) -> str:
    return _(
        "%(url)s did not answer within %(seconds)s seconds (STAYHERE_FEED_TIMEOUT): try again, or raise the timeout."
    ) % {"url": url, "seconds": timeout}


def _cut_message(url: str, received: int, declared: int | None) -> str:
    if declared is not None:
        return _(
            "The download of %(url)s stopped after %(received)s of its %(declared)s bytes: the feed was cut short, so "
            "nothing was changed. Try again later."
        ) % {"url": url, "received": received, "declared": declared}
    return _(
        "The download of %(url)s stopped after %(received)s bytes: the feed was cut short, so nothing was changed. "
        "Try again later."
    ) % {"url": url, "received": received}


def detect_format(source: str, text: str) -> str:
    """meeting-guide, bmlt or csv, from the content (the extension only breaks a tie)."""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        head = stripped[:4000]
        if "weekday_tinyint" in head or "id_bigint" in head:
            return "bmlt"
        if stripped.startswith("{"):
            return "bmlt" if '"meetings"' in head else "meeting-guide"
        return "meeting-guide"
    if source.lower().split("?")[0].endswith(".json"):
        return "meeting-guide"  # let the JSON parser say where it is broken
    if not stripped:
        raise FeedFormatError(_("The source is empty: there are no meetings to import."))
    return "csv"
