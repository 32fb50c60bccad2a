"""The floor on the AudioBridge: one stayhere room, one Janus room; only the seat holding the floor is heard.

The room hub emits ``Floor(seat)`` effects and calls ``floor_listener(room_id, seat)``; this module turns that
into server-side mutes. The mute state is read back from Janus each time, so a participant that unmuted itself
(a Janus ``configure`` the relay should never have passed) is muted again at the next floor change.

The floor may also be open (``OPEN_FLOOR``, when the chair opens it in a small meeting): then the server unmutes
nobody; everyone is muted when it opens, and anyone in the room may unmute themselves through the relay.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from stayhere.audio.http import JanusRefused
from stayhere.audio.janus import AudioRoom, JanusAdmin, JanusError, JanusSession, Joined, RtpJoin
from stayhere.rooms.core.effects import OPEN_FLOOR

log = logging.getLogger("stayhere.audio")


class NoAudioRoom(Exception):
    """The meeting has no audio room (not opened, already closed, or Janus is not running)."""


# The AudioBridge's answers when a room already exists (another worker made it) or no longer does.
ROOM_EXISTS = 486
NO_SUCH_ROOM = 485


@dataclass(frozen=True)
class AudioProfile:
    """How a room's audio is mixed and encoded: the AudioBridge room's ``sampling_rate``, and for each participant
    the Opus complexity (``quality``, 1-10) and ``bitrate`` of the mix it is sent (None: Janus' own choice)."""

    sampling_rate: int = 16000
    quality: int | None = None
    bitrate: int | None = None


STANDARD = AudioProfile()
# The group's setting (``RoomConfig.audio_quality``, one of rooms.core.config.AUDIO_QUALITIES) -> how Janus mixes.
# Phone-like: mixed at 8 kHz (a phone call's narrowband) and each participant's mix encoded at Opus complexity 1,
# which for 100 browsers' Opus costs Janus about half the CPU of standard (docs/BENCHMARKS.md, "Opus participants").
PROFILES = {
    "standard": STANDARD,
    "phone": AudioProfile(sampling_rate=8000, quality=1),
}


def profile_for(quality: str) -> AudioProfile:
    """The profile of a group's audio quality setting; a value stayhere does not know is refused, not guessed."""
    try:
        return PROFILES[quality]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"Unknown audio quality {quality!r}: it must be one of {known}.") from None


@dataclass
class _Room:
    audio: AudioRoom
    admin: JanusAdmin  # the Janus that holds this room
    profile: AudioProfile = STANDARD
    seats: dict[str, int] = field(default_factory=dict)  # seat id -> AudioBridge participant id (this worker's)
    floor: str | None = None  # a seat id, OPEN_FLOOR, or None
    spoke: set[str] = field(default_factory=set)  # seats that unmuted themselves while the floor has been open
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AudioFloor:
    """Audio rooms of this process, keyed by stayhere room id, with the floor each one has."""

    def __init__(
        self,
        admin: JanusAdmin,
        *,
        allow_rtp_participants: bool = True,
        shared: Callable[[str], tuple[JanusAdmin, AudioRoom]] | None = None,
    ) -> None:
        """``shared``: the Janus servers are shared by several workers, and this gives each meeting's server and
        its audio room (the same on every worker). Each worker then moves only its own seats' participants."""
        self.admin = admin
        self.allow_rtp_participants = allow_rtp_participants
        self.shared = shared
        self.rooms: dict[str, _Room] = {}
        self.pending: set[asyncio.Task[None]] = set()

    async def open(self, room_id: str, profile: AudioProfile = STANDARD) -> AudioRoom:
        """Creates the meeting's audio room (once), mixed as ``profile`` says; only seats given a token by
        ``admit`` may join it."""
        known = self.rooms.get(room_id)
        if known is not None:
            return known.audio
        rate, rtp = profile.sampling_rate, self.allow_rtp_participants
        if self.shared is None:
            audio = await self.admin.create_room(allow_rtp_participants=rtp, sampling_rate=rate)
            await self.admin.allow_tokens(audio, [secrets.token_urlsafe(24)], "enable")
            self.rooms[room_id] = _Room(audio, self.admin, profile)
            return audio
        admin, given = self.shared(room_id)
        try:
            await admin.create_room(allow_rtp_participants=rtp, sampling_rate=rate, given=given)
        except JanusRefused as refused:
            if refused.code != ROOM_EXISTS:
                raise
        else:  # made here, first: only seats with a token may join (another worker's open must not reset it)
            await admin.allow_tokens(given, [secrets.token_urlsafe(24)], "enable")
        self.rooms[room_id] = _Room(given, admin, profile)
        return given

    async def close(self, room_id: str) -> None:
        """Destroys the meeting's audio room: every participant is dropped."""
        room = self.rooms.pop(room_id, None)
        if room is None:
            return
        try:
            await room.admin.destroy_room(room.audio)
        except JanusRefused as refused:
            if self.shared is None or refused.code != NO_SUCH_ROOM:
                raise  # on a shared Janus another worker may have destroyed it first

    def _room(self, room_id: str) -> _Room:
        room = self.rooms.get(room_id)
        if room is None:
            raise NoAudioRoom(f"Room {room_id} has no audio room: open it first (or Janus is not running).")
        return room

    async def admit(self, room_id: str) -> str:
        """A fresh one-seat token for the AudioBridge's allowed list."""
        room = self._room(room_id)
        token = secrets.token_urlsafe(24)
        await room.admin.allow_tokens(room.audio, [token], "add")
        return token

    async def join_seat(
        self,
        session: JanusSession,
        handle: int,
        room_id: str,
        seat: str,
        *,
        offer: dict[str, object] | None = None,
        rtp: RtpJoin | None = None,
        display: str = "",
    ) -> Joined:
        """Joins a seat muted (a browser with its ``offer``, or a phone bridge with ``rtp``), then gives it
        its voice if it already holds the floor. Returns Janus' answer for the browser."""
        room = self._room(room_id)
        token = await self.admit(room_id)
        joined = await session.join(
            handle,
            room.audio,
            display=display,
            offer=offer,
            rtp=rtp,
            token=token,
            muted=True,
            quality=room.profile.quality,
            bitrate=room.profile.bitrate,
        )
        room.seats[seat] = joined.participant
        if room.floor == seat:
            self._schedule(room_id)
        return joined

    def seat_left(self, room_id: str, seat: str) -> None:
        room = self.rooms.get(room_id)
        if room is not None:
            room.seats.pop(seat, None)
            room.spoke.discard(seat)

    def may_unmute_self(self, room_id: str, seat: str) -> bool:
        """The relay's rule for a browser's own ``configure``: muting is always allowed, unmuting only here
        (the seat holds the floor, or the floor is open to everyone)."""
        room = self.rooms.get(room_id)
        return room is not None and room.floor in (seat, OPEN_FLOOR)

    def is_open(self, room_id: str) -> bool:
        """Whether the floor is open to everyone now (nobody is unmuted by the server; anyone may unmute)."""
        room = self.rooms.get(room_id)
        return room is not None and room.floor == OPEN_FLOOR

    def heard(self, room_id: str, seat: str) -> bool:
        """Whether the floor lets this seat be heard now: it holds the floor, or it unmuted itself in an open one."""
        room = self.rooms.get(room_id)
        if room is None:
            return False
        return room.floor == seat or (room.floor == OPEN_FLOOR and seat in room.spoke)

    def unmuting_self(self, room_id: str, seat: str) -> None:
        """The relay is about to pass a seat's own unmute: with an open floor, the floor must not mute it again."""
        room = self.rooms.get(room_id)
        if room is not None and room.floor == OPEN_FLOOR:
            room.spoke.add(seat)

    def muted_self(self, room_id: str, seat: str) -> None:
        room = self.rooms.get(room_id)
        if room is not None:
            room.spoke.discard(seat)

    def _set(self, room: _Room, seat: str | None) -> None:
        if room.floor != seat:
            room.spoke.clear()  # a floor that opens (again) starts with everyone muted
        room.floor = seat

    def floor_listener(self, room_id: str, seat: str | None) -> None:
        """For ``hub.floor_listeners``: records who holds the floor now and applies it in the background."""
        room = self.rooms.get(room_id)
        if room is None:
            return
        self._set(room, seat)
        self._schedule(room_id)

    def _schedule(self, room_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._apply_logged(room_id))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _apply_logged(self, room_id: str) -> None:
        try:
            await self.apply(room_id)
        except (JanusError, NoAudioRoom) as exc:
            log.warning("The audio floor could not be applied: %s", exc)

    async def set_floor(self, room_id: str, seat: str | None) -> None:
        """Gives ``seat`` the floor (None: nobody; OPEN_FLOOR: anyone who unmutes) and waits until Janus has it."""
        self._set(self._room(room_id), seat)
        await self.apply(room_id)

    async def apply(self, room_id: str) -> None:
        """Mutes everyone in the Janus room but the floor holder's participant, then unmutes that one. With an
        open floor nobody is unmuted here, and only those who unmuted themselves since it opened stay unmuted."""
        room = self._room(room_id)
        async with room.lock:  # changes apply one at a time, each reading the latest floor
            listed = await room.admin.list_participants(room.audio)
            if self.shared is not None:  # other workers move their own seats' participants
                mine = set(room.seats.values())
                listed = [participant for participant in listed if participant.get("id") in mine]
            if room.floor == OPEN_FLOOR:  # read after the list: a seat unmuting itself meanwhile is in `spoke`
                holder = None
                keep = {room.seats[seat] for seat in room.spoke if seat in room.seats}
            else:
                holder = room.seats.get(room.floor) if room.floor is not None else None
                keep = {holder} if holder is not None else set()
            for participant in listed:
                if participant.get("id") not in keep and not participant.get("muted"):
                    await room.admin.mute(room.audio, int(participant["id"]))
            for participant in listed:
                if holder is not None and participant.get("id") == holder and participant.get("muted"):
                    await room.admin.unmute(room.audio, int(participant["id"]))

    async def drain(self) -> None:
        """Waits for floor changes still being applied (shutdown, tests)."""
        while self.pending:
            await asyncio.gather(*list(self.pending), return_exceptions=True)

    async def mute_seat(self, room_id: str, seat: str) -> None:
        """A host's server-side mute of one seat."""
        room = self._room(room_id)
        room.spoke.discard(seat)
        participant = room.seats.get(seat)
        if participant is not None:
            await room.admin.mute(room.audio, participant)

    async def kick_seat(self, room_id: str, seat: str) -> None:
        """Drops a removed seat from the audio room."""
        room = self._room(room_id)
        room.spoke.discard(seat)
        participant = room.seats.pop(seat, None)
        if participant is not None:
            await room.admin.kick(room.audio, participant)
