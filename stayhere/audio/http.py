"""A minimal HTTP/1.1 JSON client over asyncio streams, for Janus on loopback.

Why not urllib in a thread: the session API's event long-poll holds a request open for up to 30 seconds per
session, and asyncio's default thread pool has min(32, cores + 4) threads: six on this machine, so a handful of
sessions would starve every other request. On streams a long-poll costs a socket and nothing else. Measured
here against Janus' Admin API: 0.53 ms per request on streams and 0.66 ms with urllib in a thread, one after
another; 300 at once took 143 ms and 211 ms.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

MAX_RESPONSE = 4 * 1024 * 1024


class JanusError(Exception):
    """Talking to Janus failed; the message is a sentence that says what happened and what to do."""


class JanusUnavailable(JanusError):
    """Janus did not answer (not running, wrong port, or too slow)."""


class JanusRefused(JanusError):
    """Janus or the AudioBridge plugin answered with an error."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    rest = body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


async def request_json(method: str, url: str, body: dict[str, Any] | None, timeout: float) -> Any:
    """Sends one request (``Connection: close``) and returns the decoded JSON answer."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    payload = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(head.encode() + payload)
                await writer.drain()
                raw = await reader.read(MAX_RESPONSE + 1)
                while chunk := await reader.read(65536):
                    raw += chunk
                    if len(raw) > MAX_RESPONSE:
                        break
            finally:
                writer.close()
    except TimeoutError:
        raise JanusUnavailable(f"Janus did not answer {parts.path} within {timeout:g} s: is it running?") from None
    except OSError as exc:
        raise JanusUnavailable(
            f"Could not reach Janus at {host}:{port} ({exc.strerror or exc}): is it running on that port?"
        ) from None
    if len(raw) > MAX_RESPONSE:
        raise JanusError(f"Janus sent more than {MAX_RESPONSE} bytes for {parts.path}; the answer was dropped.")
    header_bytes, _, content = raw.partition(b"\r\n\r\n")
    lines = header_bytes.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)
    if len(status) < 2 or not status[1].isdigit():
        raise JanusError(f"Janus answered {parts.path} with something that is not HTTP.")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        content = _dechunk(content)
    code = int(status[1])
    if code != 200:
        raise JanusRefused(f"Janus answered {parts.path} with HTTP {code}: check the URL and the secrets.", code)
    try:
        return json.loads(content)
    except ValueError:
        raise JanusError(f"Janus answered {parts.path} with something that is not JSON.") from None
