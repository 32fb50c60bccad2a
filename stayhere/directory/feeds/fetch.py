"""Reading a feed's text from a file or an http(s) URL, and telling its format."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

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
        raise FeedFetchError(f"There is no file {source}: check the path, or give an http(s) URL.")
    if path.is_dir():
        raise FeedFetchError(f"{source} is a directory: give the path of the feed file itself.")
    limit = settings.FEED_MAX_BYTES
    if path.stat().st_size > limit:
        raise FeedFetchError(
            f"{source} is larger than {limit} bytes (STAYHERE_FEED_MAX_BYTES): raise the limit if you trust it."
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedFetchError(f"{source} cannot be read: {exc.strerror}.") from None


def _read_url(url: str) -> bytes:
    timeout = settings.FEED_FETCH_TIMEOUT
    limit = settings.FEED_MAX_BYTES
    headers = {"User-Agent": "stayhere feed import", "Accept": "*/*"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (only http(s) reaches here)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            data: bytes = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FeedFetchError(
            f"{url} answered with HTTP status {exc.code} ({exc.reason}): check the address, or try again later."
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FeedFetchError(_timeout_message(url, timeout)) from None
        if isinstance(reason, ConnectionRefusedError):
            raise FeedFetchError(
                f"{url} refused the connection: is the server running, and is the port right?"
            ) from None
        raise FeedFetchError(f"{url} could not be reached ({reason}): check the address and the network.") from None
    except TimeoutError:
        raise FeedFetchError(_timeout_message(url, timeout)) from None
    except OSError as exc:
        raise FeedFetchError(f"{url} could not be read ({exc}): try again later.") from None
    if len(data) > limit:
        raise FeedFetchError(
            f"{url} sent more than {limit} bytes (STAYHERE_FEED_MAX_BYTES): raise the limit if you trust it."
        )
    return data


def _timeout_message(url: str, timeout: int) -> str:
    return f"{url} did not answer within {timeout} seconds (STAYHERE_FEED_TIMEOUT): try again, or raise the timeout."


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
        raise FeedFormatError("The source is empty: there are no meetings to import.")
    return "csv"
