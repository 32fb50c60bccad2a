"""The thin Channels adapter: decode a frame, hand it to the room hub, write what comes back.

It reads nothing from the frames but their type and fields, logs none of them, and never sees an address. Each
consumer is made with this process's ``LiveRooms`` (``stayhere.rooms.live.root``), given by the routing.

When the process shuts down (``stayhere serve`` on SIGTERM), ``drain`` lets every room socket go with close code
1012 (docs/protocol.md, "Closing codes"): the page resumes at once through another worker, and the seat stays in
the meeting as it was, so nobody sees it drop.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import logging
import secrets
import time
import weakref
from collections.abc import Coroutine
from http.cookies import SimpleCookie
from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext_noop as _

from stayhere.audio.relay import SeatAudio
from stayhere.core.language import language_of_headers
from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.core.meeting import Join, Message, Resume
from stayhere.rooms.live import frames, wire
from stayhere.rooms.live.gate import busy_sentence
from stayhere.rooms.live.protocol import ProtocolError, decode, new_seat_id
from stayhere.rooms.live.root import LiveRooms, RoomClosed

try:  # the server ``stayhere serve`` runs (uvicorn's websockets-sansio implementation): see ``direct_socket``
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol as _SansIO
    from websockets.protocol import State

    OPEN: Any = State.OPEN
except ImportError:  # pragma: no cover (another server: every frame goes through its ASGI send)
    _SansIO = None  # type: ignore[assignment,misc]
    OPEN = None

log = logging.getLogger("stayhere.rooms")
# Audio signalling, relayed to Janus (``audio_mute`` is the room's to decide: it goes through the hub).
AUDIO_SIGNALLING = frozenset({"audio_offer", "audio_candidate", "audio_ice"})
COOKIE = "stayhere_seat"
# A frame flood: more than this many frames in FLOOD_WINDOW_S seconds closes the connection.
FLOOD_FRAMES = 40
FLOOD_WINDOW_S = 2.0
# A client that has not read this many frames is too far behind: it is closed and resumes with a snapshot.
BACKLOG_LIMIT = 2000
JOIN_TIMEOUT_S = 20.0
SOCKETS_RETRY_S = 30.0  # a source with too many room connections open is told to try again after this
PASSCODE_TRIES = 5
# The server is restarting (WebSocket's "Service Restart"): resume now, through another worker.
SERVICE_RESTART = 1012
RESTARTING = "The server is restarting: resume now."
# This process's room sockets, for ``drain`` (weakly: a socket that is gone is gone from here too).
_open: weakref.WeakSet[RoomConsumer] = weakref.WeakSet()


def browser_hash(scope: dict[str, Any]) -> str:
    """A keyed hash of the browser session's cookie: enough to refuse a removed seat, useless outside the room."""
    cookie = ""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: S112  (a malformed cookie header is the same as none)
                continue
            if COOKIE in jar:
                cookie = jar[COOKIE].value
    if not cookie:
        cookie = secrets.token_urlsafe(18)  # no session cookie: this connection is its own session
    return hmac.new(settings.SECRET_KEY.encode(), cookie.encode(), hashlib.sha256).hexdigest()[:32]


class RoomConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    # The rooms fan out through the hub, not the channel layer: no channel per connection is needed.
    channel_layer_alias = "__rooms_do_not_use_the_channel_layer__"
    language = "en"  # until connect() reads the page's from the handshake
    translates = False  # whether frames' sentences are put in the page's language (not the site's)
    socket: Any = None  # uvicorn's connection behind base_send, when frames may be written to it directly

    def __init__(self, rooms: LiveRooms) -> None:
        super().__init__()
        self.rooms = rooms
        self.hub = rooms.hub

    async def connect(self) -> None:
        self.slug: str = self.scope["url_route"]["kwargs"]["slug"]
        self.seat: str | None = None
        self.browser = browser_hash(self.scope)
        self.language = language_of_headers(self.scope.get("headers", []))  # the page's: its sentences in it
        self.translates = self.language != settings.LANGUAGE_CODE  # asked once, not for every frame
        self.base_url = base_url(self.scope)
        self.frames: collections.deque[float] = collections.deque()
        self.passcode_tries = 0
        self.backlog: collections.deque[str] = collections.deque()
        self.stalled: Coroutine[Any, Any, None] | None = None  # a send begun in push that waits for the socket
        self.stalled_on: Any = None  # what it waits for (the future it yielded)
        self.draining = False  # the writer is sending the backlog: push queues behind it
        self.wake = asyncio.Event()
        self.closing: int | None = None
        self.released = False  # let go by ``drain``: the seat stays in the meeting, to resume elsewhere
        self.audio: SeatAudio | None = None
        client = self.scope.get("client")
        self.source = self.rooms.gate.source(client[0] if client else None)  # a keyed hash, never the address
        self.counted = self.rooms.gate.open_socket(self.source)
        self.seated_once = False  # took a seat on this connection (it counts as unseated until then)
        _open.add(self)
        await self.accept()
        self.writer = asyncio.create_task(self._write())
        self.join_timer = asyncio.get_running_loop().call_later(JOIN_TIMEOUT_S, self._join_timeout)
        if not self.counted:
            self._busy(SOCKETS_RETRY_S, "")
            self.hangup(1013)

    # Channels' loop, without its per-message costs: one receive a message (not a new task and an asyncio.wait for
    # each), and no hop to a thread to close old database connections before a room message, which never uses the
    # database (the join's configuration is read through database_sync_to_async, which tidies up itself).
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        self.socket = direct_socket(send)
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    # Connection (for the hub): never awaits, so one event reaches a thousand seats without a task each.
    def push(self, text: str) -> None:
        if self.closing is not None:
            return
        if len(self.backlog) >= BACKLOG_LIMIT:
            self.hangup(4008)
            return
        if self.translates:
            text = frames.in_language(text, self.language)
        if self.backlog or self.draining or self.stalled is not None:
            self.backlog.append(text)
            self.wake.set()
            return
        self._send_now(text)

    def _send_now(self, text: str) -> None:
        """Sends a frame at once, without waking a task for it: the server's send of a WebSocket frame only waits
        when the socket cannot take more (the seat's network is slow). Then the writer task finishes that send, and
        every later frame queues behind it, in order (a connection whose backlog grows too long is closed).

        Under uvicorn's WebSocket server a frame the socket can take is written straight to it, as the bytes made
        once for every seat (``wire.text_frame``), without an ASGI message, a coroutine and an encode a seat; anything
        else (a socket that is full, closing or closed) goes through uvicorn's send as before."""
        socket = self.socket
        if (
            socket is not None
            and socket.writable.is_set()
            and not socket.close_sent
            and not socket.disconnected
            and socket.conn.state is OPEN
        ):
            try:
                socket.transport.write(wire.text_frame(text))
            except Exception:
                self.hangup(1011)  # the socket is gone: disconnect() tidies up
            return
        sending = self.base_send({"type": "websocket.send", "text": text})
        try:
            waits_on = sending.send(None)
        except StopIteration:
            return
        except Exception:
            self.hangup(1011)  # the socket is gone: disconnect() tidies up
            return
        self.stalled, self.stalled_on = sending, waits_on
        self.wake.set()

    def hangup(self, code: int) -> None:
        if self.closing is None:
            self.closing = code
            self.wake.set()

    async def _write(self) -> None:
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                self.draining = True
                if self.stalled is not None:
                    await _finish(self.stalled, self.stalled_on)
                    self.stalled = self.stalled_on = None
                while self.backlog:
                    await self.base_send({"type": "websocket.send", "text": self.backlog.popleft()})
                self.draining = False
                if self.closing is not None:
                    reason = RESTARTING if self.closing == SERVICE_RESTART else None
                    await AsyncWebsocketConsumer.close(self, code=self.closing, reason=reason)
                    return
        except Exception:
            return  # the socket is gone; disconnect() tidies up
        finally:
            if self.stalled is not None:
                self.stalled.close()
                self.stalled = self.stalled_on = None

    def let_go(self) -> None:
        """The process is shutting down: the socket closes at once with 1012, and the room is told nothing, so the
        seat keeps its place, its role, its hand and its share, and resumes through another worker. (What it had not
        been sent yet comes back with the resume. A seat that never comes back is found by the other workers once
        this process's heartbeat has lapsed, and kept for the grace period as any dropped seat.)"""
        self.released = True
        self.backlog.clear()
        self.hangup(SERVICE_RESTART)

    def _join_timeout(self) -> None:
        if self.seat is None:
            self.push(frames.error("not_joined", _("Join the meeting within 20 seconds of connecting."), ""))
            self.hangup(4001)

    def _took_seat(self) -> None:
        if self.counted and not self.seated_once:
            self.seated_once = True
            self.rooms.gate.seated()

    def _busy(self, seconds: float, ref: str) -> None:
        self.push(
            frames.error("busy", busy_sentence(seconds), ref, self.hub.current_seq(self.slug), retry_after=seconds)
        )

    async def disconnect(self, code: int) -> None:
        _open.discard(self)
        self.join_timer.cancel()
        if self.counted:
            self.counted = False
            self.rooms.gate.close_socket(self.source, seated=self.seated_once)
        if self.audio is not None:
            audio, self.audio = self.audio, None
            await self.rooms.relay.stop(audio)
        if self.seat is not None and not self.released:
            await self.hub.disconnected(self.slug, self.seat, self)
        self.closing = self.closing or 1000
        self.wake.set()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self._flooding():
            self.hangup(1008)
            return
        try:
            kind, fields = decode(text_data if text_data is not None else bytes_data)
        except ProtocolError as problem:
            self.push(self.hub.error(self.slug, problem.code, problem.message, problem.ref))
            if problem.code == "too_long":
                self.hangup(1009)
            return
        try:
            await self._act(kind, fields)
        except Exception as failure:
            # A fault in stayhere, not in the message. The room is as it was before the message (the store only
            # keeps a completed change); the person hears so; the log gets the fault's kind and where it was,
            # never the message, the name or the room's state.
            where = failure.__traceback__
            while where is not None and where.tb_next is not None:
                where = where.tb_next
            place = f"{where.tb_frame.f_code.co_filename}:{where.tb_lineno}" if where else "?"
            log.error("A room message of type %s failed with %s at %s.", kind, type(failure).__name__, place)
            sorry = _("Something went wrong on the server; nothing changed. Try again.")
            self.push(self.hub.error(self.slug, "internal", sorry, kind))

    async def _act(self, kind: str, fields: dict[str, Any]) -> None:
        if self.seat is None:
            await self._enter(kind, fields)
        elif kind in ("join", "resume"):
            self.push(self.hub.error(self.slug, "already_joined", _("You are already in this meeting."), kind))
        elif kind in AUDIO_SIGNALLING:
            await self._audio(kind, fields)
        elif kind == "audio_mute" and self.audio is None:
            self.rooms.relay.not_started(self, self.slug, kind)
        else:
            await self.hub.handle(self.slug, Message(self.seat, kind, fields))
            if kind == "leave":
                self.seat = None

    async def _enter(self, kind: str, fields: dict[str, Any]) -> None:
        if kind == "join":
            wait = self.rooms.gate.join(self.slug, self.source)
            if wait is not None:
                self._busy(wait, kind)
                return
            seat = new_seat_id()
            event = Join(
                seat=seat,
                token=secrets.token_urlsafe(18),
                browser=self.browser,
                name=fields["name"],
                passcode=fields.get("passcode"),
                chair_key=fields.get("chair_key"),
                link_key=fields.get("link_key"),
            )
            try:
                joined = await self.hub.join(self.slug, self, event, self._load_config)
            except RoomClosed as closed:
                self.push(self.hub.error(self.slug, "closed", str(closed), kind))
                return
            if joined:
                self.seat = seat
                self._took_seat()
                self.push(await self.rooms.relay.status(self.slug, seat))
            elif fields.get("passcode") is not None:
                self.passcode_tries += 1
                if self.passcode_tries >= PASSCODE_TRIES:
                    self.hangup(1008)
        elif kind == "resume":
            seat, token, last_seq = fields["seat"], fields["token"], fields["last_seq"]
            resume = Resume(seat=seat, token=token, browser=self.browser, last_seq=last_seq)
            if await self.hub.resume(self.slug, self, resume):
                self.seat = fields["seat"]
                self._took_seat()
                self.push(await self.rooms.relay.status(self.slug, self.seat))
            else:
                self.rooms.gate.failed(self.source)
        else:
            self.push(self.hub.error(self.slug, "not_joined", _("Join the meeting first."), kind))

    async def _audio(self, kind: str, fields: dict[str, Any]) -> None:
        """The browser's audio signalling, relayed to Janus by stayhere (the browser never talks to Janus)."""
        assert self.seat is not None
        relay = self.rooms.relay
        if kind == "audio_offer":
            self.audio = await relay.offer(self, self.slug, self.seat, fields["sdp"], self.audio)
        elif kind == "audio_candidate":
            await relay.candidate(self, self.slug, self.audio, fields)
        else:  # audio_ice: a fresh TURN credential before the page joins the audio (docs/audio.md)
            self.push(await relay.status(self.slug, self.seat))

    async def _load_config(self) -> RoomConfig:
        return await self.rooms.load_config(self.slug)

    def _flooding(self) -> bool:
        now = time.monotonic()
        self.frames.append(now)
        while self.frames and now - self.frames[0] > FLOOD_WINDOW_S:
            self.frames.popleft()
        return len(self.frames) > FLOOD_FRAMES


async def drain(rooms: LiveRooms, timeout: float) -> int:
    """Lets every socket of these rooms go (``RoomConsumer.let_go``) and waits, at most ``timeout`` seconds, for their
    closing handshakes. Returns how many there were. Called when the process stops, after it has stopped accepting
    connections, so the pages' resumes reach another worker."""
    leaving = [consumer for consumer in list(_open) if consumer.rooms is rooms]
    for consumer in leaving:
        consumer.let_go()
    deadline = time.monotonic() + timeout
    while any(consumer in _open for consumer in leaving) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return len(leaving)


def direct_socket(send: Any) -> Any:
    """uvicorn's websockets connection whose ``send`` this is, if frames may be written to its transport directly:
    the connection is that exact class (its fields are known), and it negotiated no extension (no compression), so a
    frame is the plain bytes RFC 6455 gives. Else None: every frame goes through the ASGI send."""
    owner = getattr(send, "__self__", None)
    if _SansIO is None or type(owner) is not _SansIO:
        return None
    if getattr(owner, "conn", None) is None or owner.conn.extensions:
        return None
    # The fields ``_send_now`` reads: a uvicorn that keeps them otherwise gets every frame through its ASGI send.
    if not all(hasattr(owner, name) for name in _DIRECT_FIELDS) or not hasattr(owner.writable, "is_set"):
        return None
    return owner


_DIRECT_FIELDS = ("writable", "close_sent", "disconnected", "transport")


def base_url(scope: dict[str, Any]) -> str:
    """This site's address as the browser sees it (the handshake's Host passed the allowed-hosts check)."""
    host = next((value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"host"), "")
    return ("https://" if scope.get("scheme") == "wss" else "http://") + host


async def _finish(sending: Coroutine[Any, Any, None], waits_on: Any) -> None:
    """Carries a send that began outside a task (``RoomConsumer._send_now``) to its end, as a task would: wait for
    what it yielded, resume it, until it returns. An error it raises is the writer's."""
    while True:
        try:
            if waits_on is None:  # a bare yield: it only gave way to the loop
                await asyncio.sleep(0)
            else:
                waits_on._asyncio_future_blocking = False  # as a task takes a future it was handed
                await waits_on
        except Exception as problem:
            try:
                waits_on = sending.throw(problem)
            except StopIteration:
                return
            continue
        try:
            waits_on = sending.send(None)
        except StopIteration:
            return
