"""A committed change, as every process serving the room carries it out.

``apply`` returns the core's typed effects. The hub addresses the two that depend on the room at the moment of the
change (a ``Send`` or an ``Error`` becomes a ``Push``: its frame's text, made once, and the seats it reaches; a
``Replay`` becomes a ``Resumed``: the seat's audiences and a snapshot); every other effect is carried as it is.
The store hands the carried list to each process serving the room in commit order (over Redis, as JSON by
``stayhere.rooms.live.codec``), and each process's hub runs one handler per type (``RoomHub.HANDLERS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from stayhere.rooms.core.effects import Close, Delete, Effect, Floor, IssueSlip, Muted, Voice
from stayhere.rooms.core.state import Room


@dataclass(frozen=True, slots=True)
class Push:
    """A frame for these seats' connections (None: every connection the room has here, for its last words)."""

    text: str
    seats: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Resumed:
    """A seat came back: the process holding its new connection sends what it missed after ``after`` (up to
    ``upto``) or the snapshot; any other process holding an old connection of the seat closes it."""

    seat: str
    after: int
    upto: int
    audiences: tuple[str, ...]  # the audiences an event may name that reach the seat now
    snapshot: str


@dataclass(frozen=True, slots=True)
class Presence:
    """A ``people_changed`` event for these seats, which each process may hold back and merge with the next ones
    into one frame (``RoomHub``: until the room's next tick or its next other frame, whichever comes first)."""

    event: dict[str, Any]
    seats: tuple[str, ...] | None


Carried = Push | Presence | Resumed | Close | Floor | Muted | Voice | IssueSlip | Delete
# A kept event: (its sequence number, its audiences, its encoded text).
Kept = tuple[int, tuple[str, ...], str]


@dataclass(slots=True)
class Plan:
    room: Room | None  # the room after the change (None: no such room, or the meeting is over)
    effects: list[Effect] = field(default_factory=list)  # as apply returned them
    carried: list[Carried] = field(default_factory=list)  # what every process serving the room does
    kept: list[Kept] = field(default_factory=list)
    existed: bool = True  # the store held the room before the change

    @property
    def seq(self) -> int | None:
        """The room's number after the change (None: the room is gone)."""
        return self.room.seq if self.room is not None else None


Step = Callable[[Room | None], Plan]
# (room id, the room's number after the change or None, what to carry out, the process that committed it)
Deliver = Callable[[str, int | None, list[Carried], str], Awaitable[None]]
