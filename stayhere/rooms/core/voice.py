"""A seat's own voice under the floor: who may unmute themselves, what a host's mute holds, who is heard when the
floor is open. Decided here, inside ``apply``; the audio relay only carries out the Floor, Muted and Voice effects.

The rules: a seat may always mute itself; it may unmute itself only while the floor lets it be heard (it holds the
floor, or the chair opened the floor) and no host has muted it since the floor last moved. When the floor moves,
every host mute and every open-floor unmute lapses (a floor that opens starts with everyone muted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stayhere.rooms.core.effects import OPEN_FLOOR, Muted, Outbox, Refused, Voice
from stayhere.rooms.core.sharing import floor_holder
from stayhere.rooms.core.state import Room, Seat, replace
from stayhere.rooms.core.words import _

HOST_MUTED = "A host muted you. You can speak again when the floor comes back to you."
NOT_YOUR_TURN = _("You can unmute when it is your turn to speak: raise your hand, or accept when you are called.")


@dataclass(frozen=True)
class AudioView:
    """What the audio needs to know of one seat now (the relay asks the runtime for it; it decides nothing)."""

    admitted: bool
    floor: str | None  # who holds the floor: a seat id, OPEN_FLOOR or None
    live: bool  # the floor lets this seat be heard, and no host muted it since it moved
    open: bool  # the floor is open to everyone
    heard: bool  # it is heard now: it holds the floor, or it unmuted itself in an open floor
    audio_quality: str = "standard"  # how the group has its meeting's audio mixed (config.AUDIO_QUALITIES)


def is_live(room: Room, seat_id: str) -> bool:
    return floor_holder(room) in (seat_id, OPEN_FLOOR) and seat_id not in room.host_muted


def view(room: Room, seat_id: str) -> AudioView | None:
    seat = room.seats.get(seat_id)
    if seat is None:
        return None
    holder = floor_holder(room)
    is_open = holder == OPEN_FLOOR
    live = is_live(room, seat_id)
    heard = live and (holder == seat_id or seat_id in room.spoke)
    return AudioView(
        admitted=seat.admitted,
        floor=holder,
        live=live,
        open=is_open,
        heard=heard,
        audio_quality=room.config.audio_quality,
    )


def audio_mute(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """The seat's own mute (always allowed) or unmute (only with the floor, and no host mute since it moved)."""
    holder = floor_holder(room)
    is_open = holder == OPEN_FLOOR
    if msg["muted"]:
        room = replace(room, spoke=room.spoke - {seat.id})
        out.add(Voice(seat.id, muted=True, live=is_live(room, seat.id), open=is_open))
        return room
    if seat.id in room.host_muted:
        raise Refused("host_muted", HOST_MUTED)
    if holder not in (seat.id, OPEN_FLOOR):
        raise Refused("not_your_turn", NOT_YOUR_TURN)
    if is_open:
        room = replace(room, spoke=room.spoke | {seat.id})
    out.add(Voice(seat.id, muted=False, live=True, open=is_open))
    return room


def host_mute(room: Room, seats: tuple[str, ...], out: Outbox) -> Room:
    """A host muted these seats: the audio mutes them, and they stay muted until the floor moves."""
    out.add(Muted(seats))
    return replace(room, host_muted=room.host_muted | set(seats), spoke=room.spoke - set(seats))


def floor_moved(room: Room) -> Room:
    """The floor moved: host mutes and open-floor unmutes lapse."""
    if not room.host_muted and not room.spoke:
        return room
    return replace(room, host_muted=frozenset(), spoke=frozenset())
