"""Meeting audio for the rooms: relays a browser's signalling to Janus and keeps the floor's rule in the server.

The browser never talks to Janus. It sends ``audio_offer`` and ``audio_candidate`` over the room's WebSocket; this
module builds every Janus request itself (so nothing a browser sends becomes a Janus body) and lets only admitted
seats join. Who may be heard is the room's decision, not this module's: ``audio_mute`` goes through the room's
state machine (``stayhere.rooms.core.voice``), and this relay carries out the effects it returns (``carry_out``:
Floor, Muted, Voice, Close, Delete). The Janus room, its secret and pin, and the seat's participant id stay here;
the person's name never goes to Janus. See docs/audio.md.

It knows the rooms only through the core's types and the ``Meetings`` it is given (the runtime's hub, at the
composition root), which also writes its frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_noop as _

from stayhere.audio.floor import AudioFloor, NoAudioRoom, profile_for
from stayhere.audio.janus import AudioRoom, JanusAdmin, JanusError, JanusSession, Joined, RtpJoin
from stayhere.audio.servers import JanusPool, shared_room
from stayhere.audio.turn import TurnSettings, ice_servers
from stayhere.rooms.core.effects import OPEN_FLOOR, Close, Delete, Effect, Floor, Muted, Voice
from stayhere.rooms.core.voice import AudioView

log = logging.getLogger("stayhere.audio")

NO_JANUS = _("This server has no meeting audio right now; the meeting goes on in text.")
NOT_ADMITTED = _("You can join the audio once a host lets you in.")
AUDIO_FAILED = _("The audio could not connect. Try “Join audio” again.")
NOT_STARTED = _("Join the audio first.")


class Connection(Protocol):
    def push(self, text: str) -> None: ...


class Meetings(Protocol):
    """The rooms, as the relay may use them (the runtime's hub): what the room decides of a seat's audio, frames
    for a room's connections, an announcement to a room's seats, and where to hear a change's audio effects."""

    audio_effects: list[Callable[[str, Effect], None]]

    async def audio_view(self, room_id: str, seat: str) -> AudioView | None: ...

    def frame(self, room_id: str, kind: str, /, **fields: Any) -> str: ...

    def error(self, room_id: str, code: str, message: str, ref: str) -> str: ...

    async def announce(self, room_id: str, kind: str, /, **fields: Any) -> None: ...


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
    live: set[str] = field(default_factory=set)  # seats the room says the floor lets be heard (see core.voice)


class AudioRelay:
    """This process's meeting audio: one AudioFloor, the room's audio effects carried out, each connection's session."""

    def __init__(
        self,
        janus: JanusServer | None,
        meetings: Meetings,
        turn: TurnSettings | None = None,
        clock: Callable[[], float] = time.time,
        pool: JanusPool | None = None,
        room_key: bytes = b"",
    ) -> None:
        """``janus``: the one Janus this process started (the embedded default). ``pool``: Janus servers shared
        by every worker (scale-out), each meeting on the one the pool picks, its room derived from ``room_key``."""
        self.janus = janus
        self.pool = pool
        self.meetings = meetings
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
        self.voicing: dict[tuple[str, str], asyncio.Task[None]] = {}  # each seat's own mute or unmute under way
        if self.floor is not None:
            meetings.audio_effects.append(self.carry_out)

    @property
    def available(self) -> bool:
        return self.floor is not None

    async def status(self, room_id: str, seat: str) -> str:
        """The ``audio`` event a seat gets after its welcome or resume (and when its page asks, ``audio_ice``).

        With TURN configured it says ``turn: true``, and an admitted seat's carries ``ice_servers`` with a fresh
        credential (and ``ice_expires``, when coturn stops accepting it for new relays); a seat in the waiting
        room gets none (its page asks again with ``audio_ice`` once it is let in). Nothing of it is kept or logged.
        """
        frame = self.meetings.frame
        if not self.available:
            return frame(room_id, "audio", available=False, reason=NO_JANUS)
        if self.turn is None:
            return frame(room_id, "audio", available=True, reason="")
        place = await self.meetings.audio_view(room_id, seat)
        if place is None or not place.admitted:
            return frame(room_id, "audio", available=True, reason="", turn=True)
        now = self.clock()
        servers = ice_servers(self.turn, now)
        return frame(
            room_id,
            "audio",
            available=True,
            reason="",
            turn=True,
            ice_servers=servers,
            ice_expires=int(now) + self.turn.ttl,
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
        conn.push(self.meetings.frame(room_id, "audio_answer", sdp=str(answer.get("sdp", ""))))
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
            conn.push(self.meetings.error(room_id, "audio_unavailable", NO_JANUS, ref))
            return None
        place = await self.meetings.audio_view(room_id, seat)
        if place is None or not place.admitted:
            conn.push(self.meetings.error(room_id, "waiting", NOT_ADMITTED, ref))
            return None
        if current is not None:
            await self.stop(current)  # a fresh join replaces the seat's earlier audio (a retry, a new microphone)
        session: JanusSession | None = None
        try:
            await self._open(room_id, seat)
            session = await self._new_session(room_id)
            handle = await session.attach()
            audio = SeatAudio(room_id, seat, session, handle, conn)
            joined = await self.floor.join_seat(session, handle, room_id, seat, offer=offer, rtp=rtp)
        except (JanusError, NoAudioRoom, ValueError) as failure:
            log.warning("A seat's audio could not join: %s", type(failure).__name__)
            if session is not None:
                with contextlib.suppress(JanusError):
                    await session.destroy()
            conn.push(self.meetings.error(room_id, "audio_failed", AUDIO_FAILED, ref))
            return None
        audio.participant = joined.participant
        known = self.rooms.setdefault(room_id, _RoomAudio())
        known.seats[seat] = audio
        if place.live:
            known.live.add(seat)
        else:
            known.live.discard(seat)
        audio.watcher = asyncio.create_task(self._watch(audio))
        return audio, joined

    def not_started(self, conn: Connection, room_id: str, ref: str) -> None:
        """The seat sent an audio message before joining the audio."""
        conn.push(self.meetings.error(room_id, "audio_not_started", NOT_STARTED, ref))

    async def candidate(self, conn: Connection, room_id: str, audio: SeatAudio | None, fields: dict[str, Any]) -> None:
        if audio is None:
            self.not_started(conn, room_id, "audio_candidate")
            return
        body: dict[str, Any] = {k: fields[k] for k in ("candidate", "sdpMid", "sdpMLineIndex") if k in fields}
        try:
            await audio.session.trickle(audio.handle, body if "candidate" in body else None)
        except JanusError as failure:
            log.warning("An ICE candidate could not be passed on: %s", type(failure).__name__)

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

    # -- the room's audio effects (they never await, so the Janus work runs in tasks) ---------------------------

    def carry_out(self, room_id: str, effect: Effect) -> None:
        """One handler per audio effect of a committed change; seats whose audio is on another worker are that
        worker's to move."""
        if isinstance(effect, Floor):
            self.on_floor(room_id, effect.seat)
        elif isinstance(effect, Muted):
            self.on_host_mute(room_id, effect.seats)
        elif isinstance(effect, Voice):
            self.on_voice(room_id, effect)
        elif isinstance(effect, Close):
            self.on_gone(room_id, effect.seat)
        elif isinstance(effect, Delete):
            self.on_end(room_id)

    def is_live(self, room_id: str, seat: str) -> bool:
        room = self.rooms.get(room_id)
        return room is not None and seat in room.live

    def _live(self, room_id: str, seat: str) -> str:
        """The ``live`` event for a seat: ``open`` says the floor is open to everyone, so the seat is muted until it
        unmutes itself (the floor opening mutes everyone)."""
        is_open = self.floor is not None and self.floor.is_open(room_id)
        return self.meetings.frame(room_id, "live", live=self.is_live(room_id, seat), open=is_open)

    def on_floor(self, room_id: str, seat: str | None) -> None:
        if self.floor is None:
            return
        self.floor.floor_listener(room_id, seat)
        room = self.rooms.get(room_id)
        if room is None:
            return
        is_open = seat == OPEN_FLOOR
        room.live = set(room.seats) if is_open else ({seat} & set(room.seats) if seat is not None else set())
        for audio in room.seats.values():
            live = is_open or audio.seat == seat
            audio.conn.push(self.meetings.frame(room_id, "live", live=live, open=is_open))
            if audio.talking and (is_open or audio.seat != seat):  # an open floor starts with everyone muted
                self._stopped_talking(audio)

    def on_host_mute(self, room_id: str, seats: tuple[str, ...]) -> None:
        room = self.rooms.get(room_id)
        if room is None or self.floor is None:
            return
        room.live.difference_update(seats)
        for seat in seats:
            self._background(self._host_mute(room_id, seat))
            audio = room.seats.get(seat)
            if audio is not None:
                audio.conn.push(self._live(room_id, seat))
                if audio.talking:
                    self._stopped_talking(audio)

    def on_voice(self, room_id: str, voice: Voice) -> None:
        """The room let the seat mute or unmute itself: Janus is told, then the seat hears where it stands."""
        room = self.rooms.get(room_id)
        audio = room.seats.get(voice.seat) if room is not None else None
        if room is None or audio is None or self.floor is None:
            return
        if voice.live:
            room.live.add(voice.seat)
        else:
            room.live.discard(voice.seat)
        if voice.muted:
            self.floor.muted_self(room_id, voice.seat)
            if audio.talking:
                self._stopped_talking(audio)
        else:
            self.floor.unmuting_self(room_id, voice.seat)  # an open floor must not mute it again
        key = (room_id, voice.seat)
        task = self.voicing[key] = self._background(self._configure(audio, voice))
        task.add_done_callback(lambda done: self.voicing.pop(key, None) if self.voicing.get(key) is done else None)

    async def _configure(self, audio: SeatAudio, voice: Voice) -> None:
        try:
            await audio.session.configure(audio.handle, muted=voice.muted)
        except JanusError as failure:
            log.warning("A seat's own mute failed: %s", type(failure).__name__)
            audio.conn.push(self.meetings.error(audio.room_id, "audio_failed", AUDIO_FAILED, "audio_mute"))
            return
        # ``live`` says the floor is this seat's or open (heard unless it muted itself), so the page offers Unmute.
        audio.conn.push(self.meetings.frame(audio.room_id, "live", live=voice.live, open=voice.open))

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

    async def _open(self, room_id: str, seat: str) -> None:
        """Creates the meeting's audio room on the first offer, with the floor the meeting has now."""
        assert self.floor is not None
        lock = self.opening.setdefault(room_id, asyncio.Lock())
        async with lock:
            if room_id in self.floor.rooms:
                return
            before = await self.meetings.audio_view(room_id, seat)
            if before is None:
                raise NoAudioRoom("The meeting has ended.")
            await self.floor.open(room_id, profile_for(before.audio_quality))
            self.rooms.setdefault(room_id, _RoomAudio())
            now = await self.meetings.audio_view(room_id, seat)
            if now is None:  # the meeting ended (or the seat left) while the audio room was made
                await self.floor.close(room_id)
                raise NoAudioRoom("The meeting has ended.")
            self.floor.rooms[room_id].floor = now.floor

    async def _watch(self, audio: SeatAudio) -> None:
        """Tells the room when this seat's participant starts and stops talking (Janus says so to every session
        in the room; each seat reports only its own)."""
        while not audio.session.closed:
            event = await audio.session.events.get()
            kind = event.data.get("audiobridge")
            if kind in ("talking", "stopped-talking") and event.data.get("id") == audio.participant:
                # Only a seat that is heard is shown speaking: a muted person's voice at home is nobody's business.
                talking = kind == "talking" and self.is_live(audio.room_id, audio.seat) and self._heard(audio)
                if talking != audio.talking:
                    audio.talking = talking
                    await self.meetings.announce(audio.room_id, "talking", seat=audio.seat, talking=talking)

    def _heard(self, audio: SeatAudio) -> bool:
        return self.floor is not None and self.floor.heard(audio.room_id, audio.seat)

    def _stopped_talking(self, audio: SeatAudio) -> None:
        audio.talking = False
        self._background(self._say_stopped(audio))

    async def _say_stopped(self, audio: SeatAudio) -> None:
        await self.meetings.announce(audio.room_id, "talking", seat=audio.seat, talking=False)

    def _background(self, work: Any) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return task

    async def _logged(self, work: Any) -> None:
        try:
            await work
        except (JanusError, NoAudioRoom) as failure:
            log.warning("A meeting audio change failed: %s", type(failure).__name__)

    async def voiced(self, room_id: str, seat: str) -> None:
        """Waits for this seat's own mute or unmute to reach Janus (a phone's *6 says "muted" only then)."""
        task = self.voicing.pop((room_id, seat), None)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def drain(self) -> None:
        """Waits for audio changes still under way (tests, shutdown)."""
        while self.pending or (self.floor is not None and self.floor.pending):
            await asyncio.gather(*list(self.pending), return_exceptions=True)
            if self.floor is not None:
                await self.floor.drain()
