"""The room as a value: seats, the format position, the queue, the share, chat and safety state.

Everything here is immutable; ``stayhere.rooms.core.meeting.apply`` makes a new Room from an old one. Nothing in
a Room is ever written to the database, a file or a log: it lives in the room store and is deleted when the
meeting ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, TypeVar

from stayhere.rooms.core.config import RoomConfig

CHAIR = "chair"
COHOST = "cohost"
GREETER = "greeter"
READER = "reader"
TIMEKEEPER = "timekeeper"
MEMBER = "member"
ROLES = (CHAIR, COHOST, GREETER, READER, TIMEKEEPER, MEMBER)
ASSIGNABLE_ROLES = (COHOST, GREETER, READER, TIMEKEEPER, MEMBER)
HOST_ROLES = frozenset({CHAIR, COHOST})
GREETER_ROLES = frozenset({CHAIR, COHOST, GREETER})

# Audiences a Send names, besides a seat id.
EVERYONE = "@all"  # every admitted seat
HOSTS = "@hosts"  # chair and co-hosts
GREETERS = "@greeters"  # chair, co-hosts and greeters
ALL_SEATS = "@seats"  # every seat, the waiting room too
OPEN = "open"
ENDED = "ended"

# Bounded buffers: enough for a seat that reconnects, never a history.
CHAT_KEPT = 100
REPORTS_KEPT = 50
HOST_LOG_KEPT = 100


@dataclass(frozen=True, slots=True)
class Seat:
    id: str
    name: str
    token_hash: str  # sha256 of the resume token the seat was given
    browser: str  # a keyed hash of the browser session's cookie, for removals
    joined_at: float
    role: str = MEMBER
    admitted: bool = True
    connected: bool = True
    dropped_at: float | None = None
    shares: int = 0
    chat_times: tuple[float, ...] = ()
    epoch: int = 0  # how many times the seat has resumed: a drop names the connection it ends (see Disconnect)

    @property
    def is_host(self) -> bool:
        return self.role in HOST_ROLES

    def public(self, queue: tuple[str, ...]) -> dict[str, Any]:
        position = queue.index(self.id) + 1 if self.id in queue else None
        return {
            "seat": self.id,
            "name": self.name,
            "role": self.role,
            "hand": position is not None,
            "hand_at": position,
            "connected": self.connected,
            "shares": self.shares,
        }


@dataclass(frozen=True, slots=True)
class Offer:
    seat: str
    expires_at: float
    from_queue: bool


@dataclass(frozen=True, slots=True)
class Share:
    seat: str
    started_at: float
    ends_at: float
    seconds: int
    warned: bool = False
    time_up: bool = False
    typed: tuple[str, ...] = ()  # a share by typing: what the sharer typed, for the share's time only

    @property
    def warn_at(self) -> float:
        return self.ends_at - warning_lead(self.seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seat": self.seat,
            "started_at": self.started_at,
            "ends_at": self.ends_at,
            "seconds": self.seconds,
            "warn_at": self.warn_at,
            "typed": list(self.typed),
        }


def warning_lead(seconds: int) -> int:
    """How long before the end of a share its speaker is told time is nearly up: a minute, less for short ones."""
    return min(60, max(10, seconds // 4))


@dataclass(frozen=True, slots=True)
class ChatMessage:
    id: int
    sender: str
    name: str
    text: str
    to: str | None  # None: everyone; "hosts"; or a seat id
    at: float

    def as_event(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.sender, "name": self.name, "text": self.text, "to": self.to, "at": self.at}


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    sender: str
    name: str
    text: str
    about: str | None
    at: float

    def as_event(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.sender,
            "name": self.name,
            "text": self.text,
            "about": self.about,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class Removal:
    id: int
    browser: str
    name: str
    at: float

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "at": self.at}


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: float
    by: str
    action: str
    target: str

    def public(self) -> dict[str, Any]:
        return {"at": self.at, "by": self.by, "action": self.action, "target": self.target}


def _frozen(seats: Mapping[str, Seat]) -> Mapping[str, Seat]:
    return MappingProxyType(dict(seats))


@dataclass(frozen=True, slots=True)
class Room:
    config: RoomConfig
    opened_at: float
    seq: int = 0
    phase: str = OPEN
    seats: Mapping[str, Seat] = field(default_factory=lambda: MappingProxyType({}))  # in joining order
    segment: int = 0
    queue: tuple[str, ...] = ()
    offer: Offer | None = None
    share: Share | None = None
    mode: str = "raise_hand"
    once: bool = False
    round_done: frozenset[str] = frozenset()
    chat_policy: str = "hosts"
    chat_open: bool = False
    chat: tuple[ChatMessage, ...] = ()
    locked: bool = False
    waiting_room: bool = True
    removals: tuple[Removal, ...] = ()
    reports: tuple[Report, ...] = ()
    host_log: tuple[LogEntry, ...] = ()
    open_floor: bool = False  # the chair opened the floor to everyone (see sharing.floor_holder)
    host_muted: frozenset[str] = frozenset()  # seats a host muted since the floor last moved (see voice)
    spoke: frozenset[str] = frozenset()  # seats that unmuted themselves since the floor opened (see voice)
    reminded: bool = False
    passcode_failures: tuple[float, ...] = ()  # when wrong passcodes were tried (times only), for a rate limit
    opened_by_host: bool = False  # a host has joined this instance (needed to open it outside the schedule)
    next_id: int = 1

    def with_seat(self, seat: Seat) -> Room:
        seats = dict(self.seats)
        seats[seat.id] = seat
        return _replace(self, seats=_frozen(seats))

    def without_seats(self, seat_ids: set[str]) -> Room:
        return _replace(self, seats=_frozen({k: v for k, v in self.seats.items() if k not in seat_ids}))

    def admitted(self) -> list[Seat]:
        return [seat for seat in self.seats.values() if seat.admitted]

    def waiting(self) -> list[Seat]:
        return [seat for seat in self.seats.values() if not seat.admitted]

    def chair(self) -> Seat | None:
        for seat in self.seats.values():
            if seat.role == CHAIR:
                return seat
        return None

    def removed_browsers(self) -> frozenset[str]:
        return frozenset(removal.browser for removal in self.removals)

    def clock(self) -> dict[str, float | bool]:
        return {
            "starts_at": self.config.starts_at,
            "ends_at": self.config.ends_at,
            "closes_at": self.config.closes_at,
            # False: a chair opened the room outside the schedule; its hour runs from the opening, not the listing.
            "scheduled": self.config.scheduled,
        }


def _replace(room: Room, **changes: Any) -> Room:
    return replace(room, **changes)


T = TypeVar("T")


def _evolver(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """A copy of a frozen value with some fields changed, written out field by field for one class (as dataclasses
    writes its own __init__): every change of a room copies the Room, so this is on every event's path, and
    ``dataclasses.replace`` looks the fields up anew each time."""
    names = [f.name for f in fields(cls)]
    lines = ["def evolve(obj, changes):", "    new = new_object(cls)"]
    lines += [f"    put(new, {name!r}, changes[{name!r}] if {name!r} in changes else obj.{name})" for name in names]
    lines.append("    return new")
    scope: dict[str, Any] = {"new_object": object.__new__, "put": object.__setattr__, "cls": cls}
    exec("\n".join(lines), scope)  # noqa: S102 (our own text, made from the class's field names)
    evolve: Callable[[Any, dict[str, Any]], Any] = scope["evolve"]
    return evolve


_EVOLVERS: dict[type, tuple[frozenset[str], Callable[[Any, dict[str, Any]], Any]]] = {}


def replace(value: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` for the room's values (Room, Seat, Share, Offer), faster; any other dataclass goes to
    ``dataclasses.replace``. An unknown field is a TypeError, as there."""
    known = _EVOLVERS.get(type(value))
    if known is None:
        return dataclasses.replace(value, **changes)  # type: ignore[type-var]
    allowed, evolve = known
    if not allowed.issuperset(changes):
        raise TypeError(f"{type(value).__name__} has no field {sorted(set(changes) - allowed)[0]!r}")
    result: T = evolve(value, changes)
    return result


for _cls in (Room, Seat, Share, Offer):
    _EVOLVERS[_cls] = (frozenset(f.name for f in fields(_cls)), _evolver(_cls))


def open_room(config: RoomConfig, now: float) -> Room:
    """A new, empty meeting instance, set up as the group configured it."""
    return Room(
        config=config,
        opened_at=now,
        mode=config.mode,
        once=config.once,
        chat_policy=config.chat_policy,
        waiting_room=config.waiting_room,
    )
