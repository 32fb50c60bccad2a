"""What a change to a room asks the runtime to do: send events and errors, close a connection, move the floor,
mute, voice a seat, sign a slip, delete the room. The runtime (``stayhere.rooms.live``) carries out each type with
one handler; the audio relay carries out the audio ones (Floor, Muted, Voice, Close, Delete)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Send:
    to: tuple[str, ...]  # audiences (stayhere.rooms.core.state.EVERYONE, HOSTS, GREETERS) and seat ids
    event: dict[str, Any]
    keep: bool = True  # False: not kept for replay to a seat that reconnects (errors)


@dataclass(frozen=True)
class Error:
    """The room would not act (or not wholly) on what this seat sent: ``code`` for programs, ``message`` for people.
    Never numbered or kept for replay: ``after`` is the number of the last numbered event before it."""

    seat: str
    code: str
    message: str
    ref: str  # the message type (or join, resume) it answers
    after: int


@dataclass(frozen=True)
class Close:
    seat: str
    code: int = 1000


# Floor.seat when the chair has opened the floor: nobody is unmuted by the server, anyone admitted may unmute
# themselves (a host's mute still holds). Never a seat id: those start with "s".
OPEN_FLOOR = "@open"


@dataclass(frozen=True)
class Floor:
    seat: str | None  # who may be heard now: a seat id, OPEN_FLOOR (anyone who unmutes), or None (nobody)


@dataclass(frozen=True)
class Muted:
    """A host muted these seats: the audio must mute them, whatever they had asked for themselves."""

    seats: tuple[str, ...]


@dataclass(frozen=True)
class Voice:
    """The room let this seat mute or unmute itself: the audio does so. ``live``: the floor lets it be heard now
    (it holds the floor, or the floor is open); ``open``: the floor is open to everyone."""

    seat: str
    muted: bool
    live: bool
    open: bool


@dataclass(frozen=True)
class Replay:
    seat: str  # a seat that resumed: send what it missed after ``after``, or a snapshot
    after: int
    upto: int  # the last event before the resume's own: those after it reach the seat as they are sent


@dataclass(frozen=True)
class IssueSlip:
    """Sign an attendance slip for this seat: only a commitment to its name and the minutes it was present."""

    seat: str
    commitment: str
    minutes: int


@dataclass(frozen=True)
class Delete:
    """The meeting is over: close every connection and delete the room from the store."""


Effect = Send | Error | Close | Floor | Muted | Voice | Replay | IssueSlip | Delete


class Refused(Exception):
    """A message the room will not act on; the sender gets an ``error`` event and nothing changes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Outbox:
    """Collects a change's effects, numbering each event with the meeting's next sequence number."""

    seq: int
    effects: list[Effect] = field(default_factory=list)

    def send(self, to: str | tuple[str, ...], kind: str, /, **fields: Any) -> None:
        self.seq += 1
        audiences = (to,) if isinstance(to, str) else to
        self.effects.append(Send(audiences, {"type": kind, "seq": self.seq, **fields}))

    def send_once(self, to_seat: str, kind: str, /, **fields: Any) -> None:
        """An event for one seat that a reconnecting seat must not get again (a welcome, an error)."""
        self.seq += 1
        self.effects.append(Send((to_seat,), {"type": kind, "seq": self.seq, **fields}, keep=False))

    def send_passing(self, to: str | tuple[str, ...], kind: str, /, **fields: Any) -> None:
        """A numbered event that is never kept for replay: it lives on the screens it reached and in the room's
        state while that lasts (a typed share's words)."""
        self.seq += 1
        audiences = (to,) if isinstance(to, str) else to
        self.effects.append(Send(audiences, {"type": kind, "seq": self.seq, **fields}, keep=False))

    def error(self, seat: str, code: str, message: str, ref: str) -> None:
        """An error for one seat that the room still acts on (it records something), unnumbered like all errors."""
        self.effects.append(Error(seat, code, message, ref, self.seq))

    def close(self, seat: str, code: int = 1000) -> None:
        self.effects.append(Close(seat, code))

    def add(self, effect: Effect) -> None:
        self.effects.append(effect)
