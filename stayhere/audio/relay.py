"""Meeting audio for the rooms: relays a browser's signalling to Janus and keeps the floor's rule in the server.

The browser never talks to Janus. It sends ``audio_offer``, ``audio_candidate`` and ``audio_mute`` over the room's
WebSocket; this module builds every Janus request itself (so nothing a browser sends becomes a Janus body), lets
only admitted seats join, lets a seat mute itself at any time but unmute itself only while it holds the floor and
no host has muted it since. The Janus room, its secret and pin, and the seat's participant id stay here; the
person's name never goes to Janus. See docs/audio.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from stayhere.audio.floor import AudioFloor, NoAudioRoom
from stayhere.audio.janus import AudioRoom, JanusAdmin, JanusError, JanusSession, Joined, RtpJoin
from stayhere.audio.servers import JanusPool, shared_room
from stayhere.audio.turn import TurnSettings, ice_servers
from stayhere.rooms.core import sharing
from stayhere.rooms.core.effects import OPEN_FLOOR
from stayhere.rooms.live.hub import Connection, RoomHub
from stayhere.rooms.live.protocol import encode
from stayhere.rooms.live.store import StoreUnavailable

log = logging.getLogger("stayhere.audio")

NO_JANUS = "This server has no meeting audio right now; the meeting goes on in text."
NOT_ADMITTED = "You can join the audio once a host lets you in."
NOT_YOUR_TURN = "You can unmute when it is your turn to speak: raise your hand, or accept when you are called."
HOST_MUTED = "A host muted you. You can speak again when the floor comes back to you."
AUDIO_FAILED = "The audio could not connect. Try “Join audio” again."
NOT_STARTED = "Join the audio first."


class JanusServer(Protocol):
    def admin(self) -> JanusAdmin: ...

    async def new_session(self) -> JanusSession: ...


@dataclass
class SeatAudio:
    """One connection's audio: its Janus session and handle, and its participant in the room's audio room."""

    room_id: str
    seat: str
    session: JanusSession
    handle: int
    conn: Connection
    participant: int = 0
    watcher: asyncio.Task[None] | None = None
    talking: bool = False
    remote: tuple[str, int] | None = None  # a phone's: where Janus takes the caller's RTP


@dataclass
class _RoomAudio:
    seats: dict[str, SeatAudio] = field(default_factory=dict)
    host_muted: set[str] = field(default_factory=set)  # muted by a host since the floor last moved


def _event(kind: str, **fields: Any) -> str:
    return encode({"type": kind, "seq": 0, **fields})


def _error(code: str, message: str, ref: str) -> str:
    return encode({"type": "error", "seq": 0, "code": code, "message": message, "ref": ref})


class AudioRelay:
    """This process's meeting audio: one AudioFloor, the hub's audio listeners, and each connection's session."""

    def __init__(
        self,
        janus: JanusServer | None,
        hub: RoomHub,
        turn: TurnSettings | None = None,
        clock: Callable[[], float] = time.time,
        pool: JanusPool | None = None,
        room_key: bytes = b"",
    ) -> None:
        """``janus``: the one Janus this process started (the embedded default). ``pool``: Janus servers shared
        by every worker (scale-out), each meeting on the one the pool picks, its room derived from ``room_key``."""
        self.janus = janus
        self.pool = pool
        self.hub = hub
        self.turn = turn
        self.clock = clock
        self.floor: AudioFloor | None = None
        if pool is not None:

            def shared(room_id: str) -> tuple[JanusAdmin, AudioRoom]:
                return pool.admin_for(room_id), shared_room(room_id, room_key)

            self.floor = AudioFloor(pool.servers[0].admin(), shared=shared)
        elif janus is not None:
            self.floor = AudioFloor(janus.admin())
        self.rooms: dict[str, _RoomAudio] = {}
        self.opening: dict[str, asyncio.Lock] = {}
        self.pending: set[asyncio.Task[None]] = set()
        if self.floor is not None:
            hub.floor_listeners.append(self.on_floor)
            hub.mute_listeners.append(self.on_host_mute)
            hub.gone_listeners.append(self.on_gone)
            hub.end_listeners.append(self.on_end)

    @property
    def available(self) -> bool:
        return self.floor is not None

    async def status(self, room_id: str, seat: str) -> str:
        """The ``audio`` event a seat gets after its welcome or resume (and when its page asks, ``audio_ice``).

        With TURN configured it says ``turn: true``, and an admitted seat's carries ``ice_servers`` with a fresh
        credential (and ``ice_expires``, when coturn stops accepting it for new relays); a seat in the waiting
        room gets none (its page asks again with ``audio_ice`` once it is let in). Nothing of it is kept or logged.
        """
        if not self.available:
            return _event("audio", available=False, reason=NO_JANUS)
        if self.turn is None:
            return _event("audio", available=True, reason="")
        try:
            room = await self.hub.store.get(room_id)
        except StoreUnavailable:
            room = None
        place = room.seats.get(seat) if room is not None else None
        if place is None or not place.admitted:
            return _event("audio", available=True, reason="", turn=True)
        now = self.clock()
        servers = ice_servers(self.turn, now)
        return _event(
            "audio", available=True, reason="", turn=True, ice_servers=servers, ice_expires=int(now) + self.turn.ttl
        )

    # -- the browser's messages ----------------------------------------------------------------------------

    async def offer(
        self, conn: Connection, room_id: str, seat: str, sdp: str, current: SeatAudio | None
    ) -> SeatAudio | None:
        """Joins the seat to the meeting's audio room muted; the browser gets Janus' answer. None when refused."""
        found = await self._join(conn, room_id, seat, current, "audio_offer", offer={"type": "offer", "sdp": sdp})
        if found is None:
            return None
        audio, joined = found
        answer = joined.answer or {}
        conn.push(_event("audio_answer", sdp=str(answer.get("sdp", ""))))
        conn.push(self._live(room_id, seat))
        return audio

    async def join_phone(
        self, conn: Connection, room_id: str, seat: str, rtp: RtpJoin, current: SeatAudio | None = None
    ) -> SeatAudio | None:
        """Joins a phone caller's seat as a plain RTP participant, muted like anyone. ``rtp`` is where the phone
        bridge receives the mix; the returned audio's ``remote`` is where it sends the caller's voice."""
        found = await self._join(conn, room_id, seat, current, "phone", rtp=rtp)
        if found is None:
            return None
        audio, joined = found
        where = joined.rtp or {}
        audio.remote = (str(where.get("ip", "")), int(where.get("port", 0)))
        conn.push(self._live(room_id, seat))
        return audio

    async def _join(
        self,
        conn: Connection,
        room_id: str,
        seat: str,
        current: SeatAudio | None,
        ref: str,
        *,
        offer: dict[str, object] | None = None,
        rtp: RtpJoin | None = None,
    ) -> tuple[SeatAudio, Joined] | None:
        if self.floor is None:
            conn.push(_error("audio_unavailable", NO_JANUS, ref))
            return None
        room = await self.hub.store.get(room_id)
        place = room.seats.get(seat) if room is not None else None
        if room is None or place is None or not place.admitted:
            conn.push(_error("waiting", NOT_ADMITTED, ref))
            return None
        if current is not None:
            await self.stop(current)  # a fresh join replaces the seat's earlier audio (a retry, a new microphone)
        session: JanusSession | None = None
        try:
            await self._open(room_id)
            session = await self._new_session(room_id)
            handle = await session.attach()
            audio = SeatAudio(room_id, seat, session, handle, conn)
            joined = await self.floor.join_seat(session, handle, room_id, seat, offer=offer, rtp=rtp)
        except (JanusError, NoAudioRoom, ValueError) as failure:
            log.warning("A seat's audio could not join: %s", type(failure).__name__)
            if session is not None:
                with contextlib.suppress(JanusError):
                    await session.destroy()
            conn.push(_error("audio_failed", AUDIO_FAILED, ref))
            return None
        audio.participant = joined.participant
        self.rooms.setdefault(room_id, _RoomAudio()).seats[seat] = audio
        audio.watcher = asyncio.create_task(self._watch(audio))
        return audio, joined

    async def candidate(self, conn: Connection, audio: SeatAudio | None, fields: dict[str, Any]) -> None:
        if audio is None:
            conn.push(_error("audio_not_started", NOT_STARTED, "audio_candidate"))
            return
        body: dict[str, Any] = {k: fields[k] for k in ("candidate", "sdpMid", "sdpMLineIndex") if k in fields}
        try:
            await audio.session.trickle(audio.handle, body if "candidate" in body else None)
        except JanusError as failure:
            log.warning("An ICE candidate could not be passed on: %s", type(failure).__name__)

    async def mute(self, conn: Connection, audio: SeatAudio | None, muted: bool) -> None:
        """A seat's own mute: always allowed; its unmute only with the floor and no host mute since."""
        if audio is None or self.floor is None:
            conn.push(_error("audio_not_started", NOT_STARTED, "audio_mute"))
            return
        if not muted:
            if audio.seat in self.rooms.get(audio.room_id, _RoomAudio()).host_muted:
                conn.push(_error("host_muted", HOST_MUTED, "audio_mute"))
                return
            if not self.floor.may_unmute_self(audio.room_id, audio.seat):
                conn.push(_error("not_your_turn", NOT_YOUR_TURN, "audio_mute"))
                return
            self.floor.unmuting_self(audio.room_id, audio.seat)  # an open floor must not mute it again
        else:
            self.floor.muted_self(audio.room_id, audio.seat)
            if audio.talking:
                self._stopped_talking(audio)
        try:
            await audio.session.configure(audio.handle, muted=muted)
        except JanusError as failure:
            log.warning("A seat's own mute failed: %s", type(failure).__name__)
            conn.push(_error("audio_failed", AUDIO_FAILED, "audio_mute"))
            return
        # ``live`` says the floor is this seat's or open (heard unless it muted itself), so the page offers Unmute.
        conn.push(self._live(audio.room_id, audio.seat))

    async def stop(self, audio: SeatAudio) -> None:
        """The connection went away (or replaced its audio): the seat leaves the audio room."""
        room = self.rooms.get(audio.room_id)
        if room is not None and room.seats.get(audio.seat) is audio:
            del room.seats[audio.seat]
            if self.floor is not None:
                known = self.floor.rooms.get(audio.room_id)
                if known is not None and known.seats.get(audio.seat) == audio.participant:
                    self.floor.seat_left(audio.room_id, audio.seat)
        if audio.watcher is not None:
            audio.watcher.cancel()
        with contextlib.suppress(JanusError):
            await audio.session.destroy()

    # -- the room's changes (hub listeners; they never await, so they run in tasks) ------------------------

    def is_live(self, room_id: str, seat: str) -> bool:
        room = self.rooms.get(room_id)
        held = self.floor is not None and self.floor.may_unmute_self(room_id, seat)
        return held and (room is None or seat not in room.host_muted)

    def _live(self, room_id: str, seat: str) -> str:
        """The ``live`` event for a seat: ``open`` says the floor is open to everyone, so the seat is muted until it
        unmutes itself (the floor opening mutes everyone)."""
        is_open = self.floor is not None and self.floor.is_open(room_id)
        return _event("live", live=self.is_live(room_id, seat), open=is_open)

    def on_floor(self, room_id: str, seat: str | None) -> None:
        if self.floor is None:
            return
        self.floor.floor_listener(room_id, seat)
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.host_muted.clear()
        is_open = seat == OPEN_FLOOR
        for audio in room.seats.values():
            audio.conn.push(_event("live", live=is_open or audio.seat == seat, open=is_open))
            if audio.talking and (is_open or audio.seat != seat):  # an open floor starts with everyone muted
                self._stopped_talking(audio)

    def on_host_mute(self, room_id: str, seats: tuple[str, ...]) -> None:
        room = self.rooms.get(room_id)
        if room is None or self.floor is None:
            return
        room.host_muted.update(seats)
        for seat in seats:
            self._background(self._host_mute(room_id, seat))
            audio = room.seats.get(seat)
            if audio is not None:
                audio.conn.push(self._live(room_id, seat))
                if audio.talking:
                    self._stopped_talking(audio)

    async def _host_mute(self, room_id: str, seat: str) -> None:
        assert self.floor is not None
        await self.floor.mute_seat(room_id, seat)

    def on_gone(self, room_id: str, seat: str) -> None:
        room = self.rooms.get(room_id)
        if room is None or self.floor is None or seat not in room.seats:
            return
        audio = room.seats[seat]
        self._background(self._kick(audio))

    async def _kick(self, audio: SeatAudio) -> None:
        assert self.floor is not None
        await self.floor.kick_seat(audio.room_id, audio.seat)
        await self.stop(audio)

    def on_end(self, room_id: str) -> None:
        room = self.rooms.pop(room_id, None)
        self.opening.pop(room_id, None)
        if self.floor is None:
            return
        self._background(self._end(room_id, room))

    async def _end(self, room_id: str, room: _RoomAudio | None) -> None:
        assert self.floor is not None
        await self.floor.close(room_id)
        for audio in list(room.seats.values()) if room is not None else []:
            await self.stop(audio)

    # -- internals -------------------------------------------------------------------------------------------

    async def _new_session(self, room_id: str) -> JanusSession:
        """A Janus session on the server that holds this meeting's audio room."""
        if self.pool is not None:
            return await self.pool.new_session(room_id)
        assert self.janus is not None
        return await self.janus.new_session()

    async def _open(self, room_id: str) -> None:
        """Creates the meeting's audio room on the first offer, with the floor the meeting has now."""
        assert self.floor is not None
        lock = self.opening.setdefault(room_id, asyncio.Lock())
        async with lock:
            if room_id in self.floor.rooms:
                return
            await self.floor.open(room_id)
            self.rooms.setdefault(room_id, _RoomAudio())
            room = await self.hub.store.get(room_id)
            if room is None:  # the meeting ended while the audio room was made
                await self.floor.close(room_id)
                raise NoAudioRoom("The meeting has ended.")
            self.floor.rooms[room_id].floor = sharing.floor_holder(room)

    async def _watch(self, audio: SeatAudio) -> None:
        """Tells the room when this seat's participant starts and stops talking (Janus says so to every session
        in the room; each seat reports only its own)."""
        while not audio.session.closed:
            event = await audio.session.events.get()
            kind = event.data.get("audiobridge")
            if kind in ("talking", "stopped-talking") and event.data.get("id") == audio.participant:
                # Only a seat that is heard is shown speaking: a muted person's voice at home is nobody's business.
                talking = kind == "talking" and self.is_live(audio.room_id, audio.seat) and self._heard(audio)
                room = await self.hub.store.get(audio.room_id)
                if room is not None and talking != audio.talking:
                    audio.talking = talking
                    said = {"type": "talking", "seat": audio.seat, "talking": talking}
                    await self.hub.announce(audio.room_id, said, room)

    def _heard(self, audio: SeatAudio) -> bool:
        return self.floor is not None and self.floor.heard(audio.room_id, audio.seat)

    def _stopped_talking(self, audio: SeatAudio) -> None:
        audio.talking = False
        self._background(self._say_stopped(audio))

    async def _say_stopped(self, audio: SeatAudio) -> None:
        room = await self.hub.store.get(audio.room_id)
        if room is not None:
            await self.hub.announce(audio.room_id, {"type": "talking", "seat": audio.seat, "talking": False}, room)

    def _background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _logged(self, work: Any) -> None:
        try:
            await work
        except (JanusError, NoAudioRoom) as failure:
            log.warning("A meeting audio change failed: %s", type(failure).__name__)

    async def drain(self) -> None:
        """Waits for audio changes still under way (tests, shutdown)."""
        while self.pending or (self.floor is not None and self.floor.pending):
            await asyncio.gather(*list(self.pending), return_exceptions=True)
            if self.floor is not None:
                await self.floor.drain()


_relays: dict[int, AudioRelay] = {}


def relay_for(hub: RoomHub) -> AudioRelay:
    """The hub's audio relay, made on first use inside the event loop (with the Janus ``serve`` started, if any)."""
    relay = _relays.get(id(hub))
    if relay is None or relay.hub is not hub:
        from stayhere.audio.process import current_janus

        servers = getattr(settings, "JANUS_SERVERS", ())
        turn = getattr(settings, "TURN", None)
        if servers:
            pool = JanusPool(tuple(servers))
            relay = AudioRelay(None, hub, turn=turn, pool=pool, room_key=settings.SECRET_KEY.encode())
        else:
            relay = AudioRelay(current_janus(), hub, turn=turn)
        _relays[id(hub)] = relay
    return relay


def use_relay(relay: AudioRelay) -> None:
    """Sets a hub's relay (tests: a relay on a Janus the test started)."""
    _relays[id(relay.hub)] = relay
