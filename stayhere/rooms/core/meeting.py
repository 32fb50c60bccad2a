"""The meeting as a pure state machine: ``apply(room, event, now) -> (room, effects)``.

No I/O, no Django, no clock: time is passed in, randomness (seat ids, tokens) arrives inside the events, so
every outcome is reproducible in a test. Permissions are checked here, so no adapter can forget them. A
result of ``None`` for the room means the meeting is over and must be deleted from the store.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stayhere.rooms.core import chat, people, safety, sharing, voice
from stayhere.rooms.core.effects import Close, Delete, Effect, Error, Floor, IssueSlip, Outbox, Refused, Replay
from stayhere.rooms.core.names import name_advice
from stayhere.rooms.core.permissions import ANYONE, PERMISSIONS, WAITING_ALLOWED, forbidden_message
from stayhere.rooms.core.snapshot import snapshot_for
from stayhere.rooms.core.state import (
    ALL_SEATS,
    CHAIR,
    COHOST,
    MEMBER,
    Room,
    Seat,
    replace,
)
from stayhere.rooms.core.words import _, filled, ngettext_lazy

UNKNOWN_TYPE = filled(_("The room does not know the message type {kind}."))

# The chair is reminded this long before the scheduled end.
REMINDER_S = 5 * 60
# Wrong passcodes tried for one meeting, from any connection, before it refuses tries for a while.
PASSCODE_FAILURES = 20
PASSCODE_WINDOW_S = 60.0
# Attendance slips are given from this long before the scheduled end (or from the closing segment on).
SLIPS_FROM_S = 15 * 60

PRIVATE_MESSAGE = _(
    "This meeting's room is unlisted: it is reached only through the members' link its group shares. "
    "Ask the group for the current link."
)
ENDED_MESSAGE = _("The meeting has ended. Nothing from it was kept. Thank you for being here.")
CLOSED_MESSAGE = _("The room has closed. Nothing from it was kept.")


@dataclass(frozen=True)
class Join:
    seat: str  # a fresh random seat id from the adapter
    token: str  # a fresh random resume token
    browser: str  # a keyed hash of the browser session's cookie
    name: str  # already cleaned by the protocol
    passcode: str | None = None
    chair_key: str | None = None
    link_key: str | None = None  # the members' link key of an unlisted room


@dataclass(frozen=True)
class Resume:
    seat: str
    token: str
    browser: str
    last_seq: int


@dataclass(frozen=True)
class Message:
    seat: str
    type: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect:
    seat: str
    # The seat's epoch when the connection that dropped took it (None: whichever holds it, as when a worker died).
    # A drop from an older connection, reported after the seat resumed on a newer one, changes nothing.
    epoch: int | None = None


@dataclass(frozen=True)
class Tick:
    """Time passed: offers expire, shares warn, dropped seats go, the room closes on time."""


Event = Join | Resume | Message | Disconnect | Tick
Handler = Callable[[Room, Seat, Mapping[str, Any], float, Outbox], Room]


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def apply(room: Room, event: Event, now: float) -> tuple[Room | None, list[Effect]]:
    """The only way a room changes. A refused event leaves the room as it was and answers with an error."""
    out = Outbox(seq=room.seq)
    floor_before = sharing.floor_holder(room)
    try:
        result = _dispatch(room, event, now, out)
    except Refused as refusal:
        seat = getattr(event, "seat", None)
        ref = event.type if isinstance(event, Message) else type(event).__name__.lower()
        effects: list[Effect] = [Error(seat, refusal.code, refusal.message, ref, room.seq)] if seat else []
        if refusal.code == "removed" and seat:
            effects.append(Close(seat, 4403))
        return room, effects
    if result is None:
        return None, [*out.effects, Delete()]
    if result is room and not out.effects:
        return room, []  # nothing happened (a quiet tick): the same room, nothing to do
    result = sharing.settle_open_floor(room, result, out)
    people.settle(room, result, out)
    result = replace(result, seq=out.seq)
    floor_after = sharing.floor_holder(result)
    if floor_after != floor_before:
        result = voice.floor_moved(result)
        out.add(Floor(floor_after))
    return result, out.effects


def _dispatch(room: Room, event: Event, now: float, out: Outbox) -> Room | None:
    if isinstance(event, Message):
        return _message(room, event, now, out)
    if isinstance(event, Join):
        return _join(room, event, now, out)
    if isinstance(event, Resume):
        return _resume(room, event, out)
    if isinstance(event, Disconnect):
        return _disconnect(room, event, now, out)
    return _tick(room, now, out)


def _message(room: Room, event: Message, now: float, out: Outbox) -> Room | None:
    seat = room.seats.get(event.seat)
    if seat is None:
        raise Refused("not_joined", _("Join the meeting first."))
    if event.type == "leave":
        return _leave(room, seat, out)
    if not seat.admitted and event.type not in WAITING_ALLOWED:
        raise Refused("waiting", _("You are in the waiting room. A host will let you in soon."))
    allowed = PERMISSIONS.get(event.type, ANYONE)
    if event.type not in PERMISSIONS and event.type not in WAITING_ALLOWED:
        raise Refused("unknown_type", UNKNOWN_TYPE.format(kind=repr(event.type)))
    if allowed is not None and seat.role not in allowed:
        raise Refused("forbidden", forbidden_message(allowed))
    if event.type == "end":
        return _end(room, out)
    return HANDLERS[event.type](room, seat, event.fields, now, out)


def _rename(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    seat = replace(seat, name=msg["name"])
    room = room.with_seat(seat)
    if seat.admitted:
        people.changed(room, out, changed=(seat,), everyone=True)
    else:
        safety.waiting_changed(room, out, added=(seat,))  # the same seat again: its new name
    advice = name_advice(seat.name)
    if advice:
        out.send_once(seat.id, "advice", advice=advice)
    return room


SLIP_TOO_EARLY = ngettext_lazy(
    "A slip needs {needed} minute in the meeting; you have been here {minutes} so far.",
    "A slip needs {needed} minutes in the meeting; you have been here {minutes} so far.",
    "needed",
)


def _slip(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """A seat asks for proof of attendance: the room measures its presence from its own join time, keeps nothing."""
    if not room.config.slips:
        raise Refused("slips_off", _("This group does not give attendance slips. Ask the chair what the group does."))
    minutes = int((now - seat.joined_at) // 60)
    needed = room.config.slip_minimum_minutes
    if minutes < needed:
        raise Refused("too_early", SLIP_TOO_EARLY.format(needed=needed, minutes=minutes))
    closing = bool(room.config.format) and room.config.format[room.segment].kind == "closing"
    if not closing and now < room.config.ends_at - SLIPS_FROM_S:
        raise Refused("too_early", _("Slips are given near the end of the meeting. Ask again at the closing."))
    out.add(IssueSlip(seat.id, msg["commitment"], minutes))
    return room


HANDLERS: dict[str, Handler] = {
    "rename": _rename,
    "slip": _slip,
    "hand": sharing.hand,
    "accept": sharing.accept,
    "pass": sharing.pass_turn,
    "done": sharing.done,
    "share_text": sharing.share_text,
    "segment": sharing.set_segment,
    "call": sharing.call,
    "extend": sharing.extend,
    "end_share": sharing.end_share_by_host,
    "mode": sharing.set_mode,
    "open_floor": sharing.set_open_floor,
    "chat": chat.send_chat,
    "delete_chat": chat.delete_chat,
    "chat_policy": chat.set_policy,
    "report": safety.report,
    "audio_mute": voice.audio_mute,
    "role": safety.set_role,
    "hand_chair": safety.hand_chair,
    "admit": safety.admit,
    "deny": safety.deny,
    "deny_all": safety.deny_all,
    "admit_all": safety.admit_all,
    "lock": safety.lock,
    "waiting_list": safety.waiting_list,
    "people_list": people.people_list,
    "mute": safety.mute,
    "mute_all": safety.mute_all,
    "remove": safety.remove,
    "unremove": safety.unremove,
}


def _is_host_key(room: Room, chair_key: str | None) -> bool:
    if chair_key is None:
        return False
    expected = room.config.chair_key_hash
    if not expected or not hmac.compare_digest(hash_secret(chair_key), expected):
        raise Refused(
            "forbidden", _("This chair link is no longer valid. Ask the group's secretary for the current one.")
        )
    return True


def _join(room: Room, event: Join, now: float, out: Outbox) -> Room:
    if event.seat in room.seats:
        raise Refused("already_joined", _("You are already in this meeting."))
    is_host = _is_host_key(room, event.chair_key)
    if event.browser in room.removed_browsers() and not is_host:
        raise Refused("removed", safety.REMOVED_MESSAGE)
    expected_link = room.config.link_key_hash
    if not is_host and expected_link and not hmac.compare_digest(hash_secret(event.link_key or ""), expected_link):
        raise Refused("private", PRIVATE_MESSAGE)
    if not is_host:
        if not room.config.scheduled and not room.opened_by_host:
            raise Refused(
                "closed", _("The room is not open now. It opens 30 minutes before the meeting; see the meeting's page.")
            )
        if room.locked:
            raise Refused("locked", _("The hosts have locked this meeting; nobody new can join now."))
        if room.config.passcode:
            recent = tuple(t for t in room.passcode_failures if now - t < PASSCODE_WINDOW_S)
            if len(recent) >= PASSCODE_FAILURES:
                raise Refused("passcode_limit", _("Too many wrong passcodes were tried here just now. Wait a minute."))
            if not hmac.compare_digest(event.passcode or "", room.config.passcode):
                message = _("That passcode is not right. Check the meeting's listing and try again.")
                out.error(event.seat, "passcode", message, "join")
                return replace(room, passcode_failures=(*recent, now))
    admitted = is_host or not room.waiting_room
    if admitted and people.admitted_count(room) >= safety.SEATS_MAX:
        raise Refused("full", _("This meeting is full."))
    if not admitted and len(room.seats) - len(room.admitted()) >= safety.WAITING_MAX:
        raise Refused("waiting_full", safety.WAITING_FULL)
    role = MEMBER
    if is_host:
        chair = room.chair()
        if chair is not None and not chair.connected:
            # The chair's connection dropped and the chair link came back (a new tab, a restarted phone) instead
            # of a resume: the chair goes with the link, and the dropped seat, if it ever resumes, co-hosts.
            room = room.with_seat(replace(chair, role=COHOST))
            people.changed(room, out, changed=(room.seats[chair.id],), everyone=True)
            chair = None
        role = CHAIR if chair is None else COHOST
    seat = Seat(
        id=event.seat,
        name=event.name,
        token_hash=hash_secret(event.token),
        browser=event.browser,
        joined_at=now,
        role=role,
        admitted=admitted,
    )
    room = room.with_seat(seat)
    if is_host and not room.opened_by_host:
        room = replace(room, opened_by_host=True)
    snapshot = snapshot_for(room, seat.id)
    out.send_once(seat.id, "welcome", seat=seat.id, token=event.token, advice=name_advice(seat.name), snapshot=snapshot)
    if admitted:
        people.changed(room, out, joined=(seat,))
    else:
        out.send(seat.id, "waiting", message=_("You are in the waiting room. A host will let you in soon."))
        safety.waiting_changed(room, out, added=(seat,))
    return room


def _resume(room: Room, event: Resume, out: Outbox) -> Room:
    seat = room.seats.get(event.seat)
    if (
        seat is None
        or not hmac.compare_digest(seat.token_hash, hash_secret(event.token))
        or not hmac.compare_digest(seat.browser, event.browser)
    ):
        raise Refused("resume_failed", _("Your place in the meeting could not be kept. Join again."))
    was_connected = seat.connected
    seat = replace(seat, connected=True, dropped_at=None, epoch=seat.epoch + 1)
    room = room.with_seat(seat)
    out.add(Replay(seat.id, event.last_seq, out.seq))
    if not was_connected and seat.admitted:
        people.changed(room, out, changed=(seat,))
    return room


def _disconnect(room: Room, event: Disconnect, now: float, out: Outbox) -> Room | None:
    seat = room.seats.get(event.seat)
    if seat is None or (event.epoch is not None and event.epoch != seat.epoch):
        return room
    if not seat.admitted:
        return _leave(room, seat, out, close=False)
    seat = replace(seat, connected=False, dropped_at=now)
    room = room.with_seat(seat)
    people.changed(room, out, changed=(seat,))
    return room


def _leave(room: Room, seat: Seat, out: Outbox, *, close: bool = True) -> Room | None:
    room = _drop_seat(room, seat, out)
    if close:
        out.close(seat.id)
    return room if room.seats else None


def _drop_seat(room: Room, seat: Seat, out: Outbox) -> Room:
    room = sharing.leave_sharing(room, seat.id, "left", out)
    room = room.without_seats({seat.id})
    if seat.admitted:
        people.changed(room, out, left=(seat.id,))
    else:
        safety.waiting_changed(room, out, removed=(seat.id,))
    if seat.role == CHAIR:
        room = safety.succeed_chair(room, out)
    return room


def _end(room: Room, out: Outbox) -> Room | None:
    out.send(ALL_SEATS, "ended", message=ENDED_MESSAGE)
    return None


def _tick(room: Room, now: float, out: Outbox) -> Room | None:
    if now >= room.config.closes_at:
        out.send(ALL_SEATS, "ended", message=CLOSED_MESSAGE)
        return None
    room = sharing.tick_share(room, now, out)
    for seat in list(room.seats.values()):
        if not seat.connected and seat.dropped_at is not None and now - seat.dropped_at >= room.config.grace_s:
            room = _drop_seat(room, seat, out)
    if not room.seats:
        return None  # everyone has gone: nothing remains
    if not room.reminded and room.config.scheduled and now >= room.config.ends_at - REMINDER_S:
        minutes = max(0, round((room.config.ends_at - now) / 60))
        chair = room.chair()
        if chair is not None:
            out.send(chair.id, "reminder", minutes=minutes)
        room = replace(room, reminded=True)
    return room
