"""A Room, and a change's carried effects, to bytes and back, for a store outside the process (Redis in the
scale-out deployment).

Plain JSON (orjson), never pickle: whoever can write to the store must not be able to run code in the
server. Decoding builds each value with its own constructor, field by field, so a stored room that does not
have the expected shape fails loudly (``ValueError``) instead of becoming a half-built room.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any

import orjson

from stayhere.rooms.core.config import RoomConfig, Segment
from stayhere.rooms.core.effects import Close, Delete, Floor, IssueSlip, Muted, Voice
from stayhere.rooms.core.state import ChatMessage, LogEntry, Offer, Removal, Report, Room, Seat, Share
from stayhere.rooms.live.plan import Carried, Presence, Push, Resumed


def _default(value: Any) -> Any:
    if isinstance(value, MappingProxyType):
        return dict(value)
    if isinstance(value, frozenset):
        return sorted(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a room")


# Seats are immutable and most of them do not change from one change of a room to the next: each seat is encoded
# once and its JSON reused while the same Seat object is in the room, and decoding hands back the Seat already
# built for the same values. Both caches are bounded; they hold what is in the rooms anyway, nothing more.
_SEATS_KEPT = 50_000
_encoded: dict[int, tuple[Seat, orjson.Fragment]] = {}
_decoded: dict[tuple[Any, ...], Seat] = {}
_ROOM_FIELDS = tuple(f.name for f in fields(Room))


def dump_room(room: Room) -> bytes:
    if len(_encoded) > _SEATS_KEPT:
        _encoded.clear()
    seats = {}
    for seat_id, seat in room.seats.items():
        known = _encoded.get(id(seat))
        if known is None or known[0] is not seat:
            known = (seat, orjson.Fragment(orjson.dumps(seat)))
            _encoded[id(seat)] = known
        seats[seat_id] = known[1]
    values = {name: getattr(room, name) for name in _ROOM_FIELDS}
    values["seats"] = seats
    return orjson.dumps(values, default=_default)


def load_room(data: bytes | str) -> Room:
    try:
        raw = orjson.loads(data)
        return _room(raw)
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as problem:
        raise ValueError(f"a stored room could not be read ({type(problem).__name__})") from None


def _room(raw: Mapping[str, Any]) -> Room:
    offer = raw["offer"]
    share = raw["share"]
    return Room(
        config=_config(raw["config"]),
        opened_at=raw["opened_at"],
        seq=raw["seq"],
        phase=raw["phase"],
        seats=MappingProxyType({key: _seat(value) for key, value in raw["seats"].items()}),
        segment=raw["segment"],
        queue=tuple(raw["queue"]),
        offer=Offer(**offer) if offer is not None else None,
        share=Share(**{**share, "typed": tuple(share.get("typed", ()))}) if share is not None else None,
        mode=raw["mode"],
        once=raw["once"],
        round_done=frozenset(raw["round_done"]),
        chat_policy=raw["chat_policy"],
        chat_open=raw["chat_open"],
        chat=tuple(ChatMessage(**message) for message in raw["chat"]),
        locked=raw["locked"],
        waiting_room=raw["waiting_room"],
        removals=tuple(Removal(**removal) for removal in raw["removals"]),
        reports=tuple(Report(**report) for report in raw["reports"]),
        host_log=tuple(LogEntry(**entry) for entry in raw["host_log"]),
        open_floor=raw.get("open_floor", False),  # absent from a room stored before the open floor existed
        host_muted=frozenset(raw.get("host_muted", ())),  # absent from a room stored before voice moved into apply
        spoke=frozenset(raw.get("spoke", ())),
        reminded=raw["reminded"],
        passcode_failures=tuple(raw["passcode_failures"]),
        opened_by_host=raw["opened_by_host"],
        next_id=raw["next_id"],
    )


def _seat(raw: Mapping[str, Any]) -> Seat:
    key = (
        raw["id"],
        raw["name"],
        raw["token_hash"],
        raw["browser"],
        raw["joined_at"],
        raw["role"],
        raw["admitted"],
        raw["connected"],
        raw["dropped_at"],
        raw["shares"],
        tuple(raw["chat_times"]),
        raw.get("epoch", 0),  # absent from a seat stored before epochs
        len(raw),  # a stored seat with other fields than these is built (and refused) by Seat itself
    )
    seat = _decoded.get(key)
    if seat is None:
        if len(_decoded) > _SEATS_KEPT:
            _decoded.clear()
        seat = Seat(**{**raw, "chat_times": tuple(raw["chat_times"])})
        _decoded[key] = seat
    return seat


def _config(raw: Mapping[str, Any]) -> RoomConfig:
    return RoomConfig(**{**raw, "format": tuple(Segment(**segment) for segment in raw["format"])})


# -- a committed change's carried effects, for the other workers ----------------------------------------------------


def _carried_item(item: Carried) -> list[Any]:
    return [type(item).__name__, *(getattr(item, f.name) for f in fields(item))]


def dump_carried(seq: int | None, carried: list[Carried]) -> bytes:
    return orjson.dumps({"seq": seq, "do": [_carried_item(item) for item in carried]})


def _seats(value: list[str] | None) -> tuple[str, ...] | None:
    return tuple(value) if value is not None else None


_CARRIED: dict[str, Callable[..., Carried]] = {
    "Push": lambda text, seats: Push(text, _seats(seats)),
    "Presence": lambda event, seats: Presence(dict(event), _seats(seats)),
    "Resumed": lambda seat, after, upto, audiences, snapshot: Resumed(seat, after, upto, tuple(audiences), snapshot),
    "Close": Close,
    "Floor": Floor,
    "Muted": lambda seats: Muted(tuple(seats)),
    "Voice": Voice,
    "IssueSlip": IssueSlip,
    "Delete": Delete,
}


def load_carried(data: bytes | str) -> tuple[int | None, list[Carried]]:
    """Each item built by its own constructor; an unknown or misshapen one fails loudly (ValueError)."""
    try:
        raw = orjson.loads(data)
        return raw["seq"], [_CARRIED[item[0]](*item[1:]) for item in raw["do"]]
    except (orjson.JSONDecodeError, KeyError, TypeError, IndexError) as problem:
        raise ValueError(f"a room change could not be read ({type(problem).__name__})") from None
