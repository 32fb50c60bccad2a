"""Who is in the meeting, as every seat hears of it: one kind of change (``people_changed``) and, in a large
meeting, only the people who matter now.

Up to PEOPLE_LISTED admitted seats, every seat is told of everyone: each join, departure and change carries the
person. Above it (a speaker meeting, a convention) a join costs every other seat a number, not a name: a change
carries the count, the seat ids that left and the records of the people who matter now (the hosts and the other
servants, the queue, the one offered the floor, the speaker); anyone may page through the rest with
``people_list``. So one join is O(1) to tell each seat, and a snapshot is O(the people who matter), not O(room).
The runtime coalesces the changes of one tick into one frame per seat (``stayhere.rooms.live.hub``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stayhere.rooms.core.effects import Outbox
from stayhere.rooms.core.state import EVERYONE, MEMBER, Room, Seat

PEOPLE_LISTED = 200  # admitted seats up to which everyone is told of everyone
PEOPLE_PAGE = 100  # people a ``people_list`` answer holds


# The last seats mappings counted: a room's seats are an immutable value, shared by the rooms a change makes from it
# without touching the seats (a new number, a queue), so each is counted once.
_counted: list[tuple[Mapping[str, Seat], int]] = []


def admitted_count(room: Room) -> int:
    seats = room.seats
    for known, count in _counted:
        if known is seats:
            return count
    count = sum(1 for seat in seats.values() if seat.admitted)
    _counted[:] = [(seats, count), *_counted[:2]]
    return count


def listed(room: Room) -> bool:
    """Whether every seat is told of everyone (a meeting of up to PEOPLE_LISTED people)."""
    return admitted_count(room) <= PEOPLE_LISTED


def spotlight(room: Room) -> frozenset[str]:
    """The seats that hold, wait for or are offered the floor: small, whatever the size of the meeting."""
    seats = set(room.queue)
    if room.offer is not None:
        seats.add(room.offer.seat)
    if room.share is not None:
        seats.add(room.share.seat)
    return frozenset(seats)


def matters(room: Room, seat: Seat, lit: frozenset[str] | None = None) -> bool:
    """A person every seat of a large meeting is told of: a servant (any role but member) or one in the spotlight."""
    return seat.role != MEMBER or seat.id in (spotlight(room) if lit is None else lit)


def who_matters(room: Room, also: str | None = None) -> list[Seat]:
    """The admitted people who matter now, in joining order, and ``also`` (a seat's own record) wherever it is."""
    lit = spotlight(room) | {also} if also is not None else spotlight(room)
    return [s for s in room.seats.values() if s.admitted and (s.role != MEMBER or s.id in lit)]


def changed(
    room: Room,
    out: Outbox,
    *,
    joined: Iterable[Seat] = (),
    changed: Iterable[Seat] = (),
    left: Iterable[str] = (),
    everyone: bool = False,
) -> None:
    """Tells every admitted seat who came, who changed and who went. In a large meeting the records of people who do
    not matter are left out (the count says they came); ``everyone``: send them all the same (the meeting shrank
    back to a listed size, or a person came into the spotlight)."""
    count = admitted_count(room)
    full = everyone or count <= PEOPLE_LISTED
    lit = spotlight(room) if not full else frozenset()
    came = list(joined)
    named = [s.public(room.queue) for s in changed if full or matters(room, s, lit)]
    went = list(left)
    if not came and not named and not went:
        return  # a member of a large meeting dropped or came back: nothing anyone is shown changed
    out.send(
        EVERYONE,
        "people_changed",
        joined=[s.public(room.queue) for s in came if full or matters(room, s, lit)],
        changed=named,
        left=went,
        count=count,
        all=count <= PEOPLE_LISTED,
    )


def people_list(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """A page of everyone admitted, in joining order, for the one seat that asked."""
    start = int(msg.get("from", 0))
    admitted = [s for s in room.seats.values() if s.admitted]
    page = [s.public(room.queue) for s in admitted[start : start + PEOPLE_PAGE]]
    out.send_once(seat.id, "people_list", people=page, start=start, count=len(admitted))
    return room


def settle(before: Room, after: Room, out: Outbox) -> None:
    """After any change of a large meeting: the people who came into the spotlight other than through the queue
    (the floor offered in a round, a share) are told to everyone (the ``queue`` event names the queue's own), and a
    meeting that shrank back to a listed size sends everyone once."""
    was_listed, now_listed = listed(before), listed(after)
    if now_listed and not was_listed:
        changed(after, out, changed=[s for s in after.seats.values() if s.admitted], everyone=True)
        return
    if now_listed:
        return
    new = spotlight(after) - spotlight(before) - set(after.queue)  # the queue event names its own people
    seats = [after.seats[s] for s in new if s in after.seats and after.seats[s].admitted]
    if seats:
        changed(after, out, changed=seats, everyone=True)
