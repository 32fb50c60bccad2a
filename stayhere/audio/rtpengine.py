"""rtpengine's ng control protocol: bencoded dictionaries over UDP, each behind a random cookie.

stayhere drives rtpengine (Debian's ``rtpengine-daemon``) only through this: ``offer`` and ``answer`` anchor a
call's media (the caller on one side, Janus' plain RTP participant on the other), ``play media`` plays a
pre-rendered prompt to the caller, ``delete`` ends the call's media. The protocol is rtpengine's own
(docs: "ng Control Protocol"): a request is ``COOKIE SP bencode(dict)``, the reply ``COOKIE SP bencode(dict)``
with ``result`` ``ok`` (or ``error`` and ``error-reason``).
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any


class BencodeError(ValueError):
    """Bytes that are not bencode, or a value bencode cannot carry."""


def bencode(value: object) -> bytes:
    """Bencode of str (UTF-8), bytes, int, list/tuple and dict (keys sorted, as the format asks)."""
    if isinstance(value, bool):
        raise BencodeError("bencode has no booleans")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list | tuple):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise BencodeError(f"bencode cannot carry a {type(value).__name__}")


def bdecode(data: bytes) -> Any:
    """The value bencoded in ``data`` (strings as str where they are UTF-8, else bytes)."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise BencodeError(f"{len(data) - end} bytes after the bencoded value")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    if at >= len(data):
        raise BencodeError("bencode ends too early")
    lead = data[at : at + 1]
    if lead == b"i":
        end = data.find(b"e", at)
        if end < 0:
            raise BencodeError("an integer without its end")
        try:
            return int(data[at + 1 : end]), end + 1
        except ValueError:
            raise BencodeError("an integer that is not one") from None
    if lead in (b"l", b"d"):
        at += 1
        items: list[Any] = []
        while data[at : at + 1] != b"e":
            item, at = _decode(data, at)
            items.append(item)
        if lead == b"l":
            return items, at + 1
        if len(items) % 2:
            raise BencodeError("a dictionary with a key and no value")
        return dict(zip(items[::2], items[1::2], strict=True)), at + 1
    if lead.isdigit():
        colon = data.find(b":", at)
        if colon < 0:
            raise BencodeError("a string without its length")
        size = int(data[at:colon])
        raw = data[colon + 1 : colon + 1 + size]
        if len(raw) != size:
            raise BencodeError("a string shorter than its length")
        try:
            return raw.decode(), colon + 1 + size
        except UnicodeDecodeError:
            return raw, colon + 1 + size
    raise BencodeError(f"unexpected byte {lead!r}")


class NgError(Exception):
    """rtpengine refused a command or did not answer; the message says which and why."""


class _Replies(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.waiting: dict[bytes, asyncio.Future[bytes]] = {}

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        cookie, _, body = data.partition(b" ")
        future = self.waiting.pop(cookie, None)
        if future is not None and not future.done():
            future.set_result(body)


class NgClient:
    """One UDP socket to rtpengine's ``--listen-ng``; commands may overlap (each has its cookie)."""

    def __init__(self, address: tuple[str, int], timeout: float = 3.0) -> None:
        self.address, self.timeout = address, timeout
        self._transport: asyncio.DatagramTransport | None = None
        self._replies = _Replies()

    async def _open(self) -> asyncio.DatagramTransport:
        if self._transport is None or self._transport.is_closing():
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(lambda: self._replies, remote_addr=self.address)
            self._transport = transport
        return self._transport

    async def command(self, name: str, **fields: object) -> dict[str, Any]:
        """Sends ``command`` ``name`` with ``fields`` (underscores in names become dashes); returns the reply.

        Raises NgError when rtpengine answers ``error`` or does not answer in time (resent once, as UDP may drop)."""
        transport = await self._open()
        body = {"command": name, **{key.replace("_", "-"): value for key, value in fields.items()}}
        cookie = secrets.token_hex(8).encode()
        packet = cookie + b" " + bencode(body)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._replies.waiting[cookie] = future
        try:
            for attempt in range(2):
                transport.sendto(packet)
                try:
                    raw = await asyncio.wait_for(asyncio.shield(future), self.timeout / 2)
                    break
                except TimeoutError:
                    if attempt:
                        raise NgError(f"rtpengine did not answer {name!r} within {self.timeout:g} s.") from None
        finally:
            self._replies.waiting.pop(cookie, None)
        reply = bdecode(raw)
        if not isinstance(reply, dict):
            raise NgError(f"rtpengine answered {name!r} with something that is not a dictionary.")
        if reply.get("result") == "error":
            raise NgError(f"rtpengine refused {name!r}: {reply.get('error-reason', 'no reason given')}.")
        return reply

    async def ping(self) -> bool:
        try:
            return (await self.command("ping")).get("result") == "pong"
        except NgError:
            return False

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
