"""Hosts' tools against intruders, and service roles: the waiting room, lock, mute, removal and its undo,
reports to the hosts, the ephemeral host log. Pure functions on a Room."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stayhere.rooms.core import people, sharing, voice
from stayhere.rooms.core.effects import Outbox, Refused
from stayhere.rooms.core.snapshot import snapshot_for, waiting_page
from stayhere.rooms.core.state import (
    CHAIR,
    COHOST,
    EVERYONE,
    GREETERS,
    HOST_LOG_KEPT,
    HOSTS,
    REPORTS_KEPT,
    LogEntry,
    Removal,
    Report,
    Room,
    Seat,
    replace,
)
from stayhere.rooms.core.words import _

REMOVED_MESSAGE = _("The hosts removed you from this meeting.")


def log(room: Room, by: Seat, action: str, target: str, now: float, out: Outbox) -> Room:
    """Adds a line to the host log, which only hosts see and which ends with the meeting."""
    entry = LogEntry(at=now, by=by.name, action=action, target=target)
    out.send(HOSTS, "host_log", entry=entry.public())
    return replace(room, host_log=(*room.host_log, entry)[-HOST_LOG_KEPT:])


def waiting_changed(room: Room, out: Outbox, *, added: tuple[Seat, ...] = (), removed: tuple[str, ...] = ()) -> None:
    """Tells the hosts and greeters what changed in the waiting room (a delta, small whatever the room holds)."""
    out.send(
        GREETERS,
        "waiting_changed",
        added=[{"seat": s.id, "name": s.name} for s in added],
        removed=list(removed),
        count=len(room.waiting()),
    )


def waiting_list(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """A page of the waiting room, for the one host or greeter who asked (a page: see WAITING_PAGE)."""
    start = int(msg.get("from", 0))
    out.send(seat.id, "waiting_list", waiting=waiting_page(room, start), start=start, count=len(room.waiting()))
    return room


def send_removals(room: Room, out: Outbox) -> None:
    out.send(HOSTS, "removals", removals=[r.public() for r in room.removals])


def _waiting_seat(room: Room, seat_id: str) -> Seat:
    target = room.seats.get(seat_id)
    if target is None or target.admitted:
        raise Refused("no_such_seat", _("That person is no longer waiting."))
    return target


def _admitted_seat(room: Room, seat_id: str) -> Seat:
    target = room.seats.get(seat_id)
    if target is None or not target.admitted:
        raise Refused("no_such_seat", _("That person is no longer in the meeting."))
    return target


def let_in(room: Room, target: Seat, out: Outbox) -> Room:
    """Admits a seat: it gets the room, everyone learns it joined."""
    target = replace(target, admitted=True)
    room = room.with_seat(target)
    out.send(target.id, "admitted")
    people.changed(room, out, joined=(target,))
    out.send(target.id, "snapshot", **snapshot_for(room, target.id))
    return room


FULL = _("The meeting is full: nobody more can be let in until someone leaves.")
SEATS_MAX = 3000  # admitted seats; the waiting room has its own limit, so nobody unadmitted can fill a meeting
WAITING_MAX = 100
WAITING_FULL = _(
    "The waiting room is full just now, while the hosts let people in. Try again in a minute or two; "
    "the meeting's page has its other ways in."
)


def admit(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    target = _waiting_seat(room, msg["seat"])
    if len(room.admitted()) >= SEATS_MAX:
        raise Refused("full", FULL)
    room = let_in(room, target, out)
    waiting_changed(room, out, removed=(target.id,))
    return log(room, seat, "admit", target.name, now, out)


def admit_all(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    waiting = room.waiting()
    if not waiting:
        raise Refused("nobody_waiting", _("Nobody is waiting."))
    room_for = SEATS_MAX - len(room.admitted())
    if room_for <= 0:
        raise Refused("full", FULL)
    waiting = waiting[:room_for]  # the first who came, as many as the meeting has room for
    for target in waiting:
        room = let_in(room, target, out)
    waiting_changed(room, out, removed=tuple(target.id for target in waiting))
    return log(room, seat, "admit_all", str(len(waiting)), now, out)


DENIED = _("The hosts did not let you in to this meeting.")


def deny_all(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """Clears the waiting room: everyone in it is turned away at once (a flood of joins nobody knows)."""
    if not room.waiting():
        raise Refused("nobody_waiting", _("Nobody is waiting."))
    return _clear_waiting(room, seat, now, out)


def _clear_waiting(room: Room, seat: Seat, now: float, out: Outbox) -> Room:
    waiting = room.waiting()
    for target in waiting:
        out.send(target.id, "denied", message=DENIED)
        out.close(target.id)
    room = room.without_seats({target.id for target in waiting})
    waiting_changed(room, out, removed=tuple(target.id for target in waiting))
    return log(room, seat, "deny_all", str(len(waiting)), now, out)


def deny(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    target = _waiting_seat(room, msg["seat"])
    out.send(target.id, "denied", message=DENIED)
    out.close(target.id)
    room = room.without_seats({target.id})
    waiting_changed(room, out, removed=(target.id,))
    return log(room, seat, "deny", target.name, now, out)


def lock(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """Locks or unlocks the meeting; locking with ``clear_waiting`` also turns away everyone waiting."""
    locked = bool(msg["locked"])
    room = replace(room, locked=locked)
    out.send(EVERYONE, "room", locked=locked, waiting_room=room.waiting_room, passcode=bool(room.config.passcode))
    room = log(room, seat, "lock" if locked else "unlock", "", now, out)
    if locked and msg.get("clear_waiting") and room.waiting():
        room = _clear_waiting(room, seat, now, out)
    return room


def mute(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """Mutes a seat's audio; it stays muted until the floor moves (see voice)."""
    target = _admitted_seat(room, msg["seat"])
    room = voice.host_mute(room, (target.id,), out)
    return log(room, seat, "mute", target.name, now, out)


def mute_all(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    room = voice.host_mute(room, tuple(target.id for target in room.admitted() if target.id != seat.id), out)
    return log(room, seat, "mute_all", "", now, out)


def remove(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    target = room.seats.get(msg["seat"])
    if target is None:
        raise Refused("no_such_seat", _("That person is no longer in the meeting."))
    if target.id == seat.id:
        raise Refused("forbidden", _("You cannot remove yourself; use Leave."))
    if target.role == CHAIR:
        raise Refused("forbidden", _("The chair cannot be removed. Ask the chair to hand the chair on first."))
    if target.role == COHOST and seat.role != CHAIR:
        raise Refused("forbidden", _("Only the chair can remove a co-host."))
    # Every seat of that browser session goes, and cannot come back to this meeting.
    gone = [s for s in room.seats.values() if s.browser == target.browser and s.role != CHAIR]
    removal = Removal(id=room.next_id, browser=target.browser, name=target.name, at=now)
    room = replace(room, next_id=room.next_id + 1, removals=(*room.removals, removal))
    for victim in gone:
        room = sharing.leave_sharing(room, victim.id, "removed", out)
        out.send(victim.id, "removed", message=REMOVED_MESSAGE)
        out.close(victim.id, 4403)
    room = room.without_seats({victim.id for victim in gone})
    if any(victim.admitted for victim in gone):
        people.changed(room, out, left=[victim.id for victim in gone if victim.admitted])
    if any(not victim.admitted for victim in gone):
        waiting_changed(room, out, removed=tuple(victim.id for victim in gone if not victim.admitted))
    send_removals(room, out)
    return log(room, seat, "remove", target.name, now, out)


def unremove(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    wanted = int(msg["removal"])
    removal = next((r for r in room.removals if r.id == wanted), None)
    if removal is None:
        raise Refused("no_such_removal", _("That removal has already been undone."))
    room = replace(room, removals=tuple(r for r in room.removals if r.id != wanted))
    send_removals(room, out)
    return log(room, seat, "undo_remove", removal.name, now, out)


def set_role(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    target = _admitted_seat(room, msg["seat"])
    if target.role == CHAIR:
        raise Refused("forbidden", _("To change the chair, hand the chair to someone else."))
    target = replace(target, role=msg["role"])
    room = room.with_seat(target)
    people.changed(room, out, changed=(target,), everyone=True)
    out.send(target.id, "snapshot", **snapshot_for(room, target.id))  # what the new role may see
    return log(room, seat, f"role:{target.role}", target.name, now, out)


def hand_chair(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    target = _admitted_seat(room, msg["seat"])
    if target.id == seat.id:
        raise Refused("bad_message", _("You are already the chair."))
    if not target.connected:
        raise Refused("no_such_seat", _("That person has lost their connection; hand the chair to someone present."))
    new_chair = replace(target, role=CHAIR)
    old_chair = replace(seat, role=COHOST)
    room = room.with_seat(new_chair).with_seat(old_chair)
    people.changed(room, out, changed=(new_chair, old_chair), everyone=True)
    for changed in (new_chair, old_chair):
        out.send(changed.id, "snapshot", **snapshot_for(room, changed.id))
    return log(room, seat, "hand_chair", target.name, now, out)


def succeed_chair(room: Room, out: Outbox) -> Room:
    """When the chair has left, the longest-present co-host takes the chair so the meeting keeps a host."""
    if room.chair() is not None:
        return room
    for candidate in room.seats.values():
        if candidate.role == COHOST and candidate.admitted:
            promoted = replace(candidate, role=CHAIR)
            room = room.with_seat(promoted)
            people.changed(room, out, changed=(promoted,), everyone=True)
            out.send(promoted.id, "snapshot", **snapshot_for(room, promoted.id))
            return room
    return room


def report(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    about = msg.get("about")
    if about is not None and about not in room.seats:
        raise Refused(
            "no_such_seat", _("That person is no longer in the meeting; send the report without naming them.")
        )
    entry = Report(id=room.next_id, sender=seat.id, name=seat.name, text=msg["text"], about=about, at=now)
    room = replace(room, next_id=room.next_id + 1, reports=(*room.reports, entry)[-REPORTS_KEPT:])
    out.send((HOSTS, seat.id), "report", **entry.as_event())
    return room
