"""What one seat may see of the room: a whole picture, sent on joining, on resuming and when its role changes."""

from __future__ import annotations

from typing import Any

from stayhere.rooms.core import chat, people, sharing
from stayhere.rooms.core.permissions import PERMISSIONS, WAITING_ALLOWED
from stayhere.rooms.core.state import GREETER_ROLES, HOST_ROLES, Room, Seat


def allowed(seat: Seat | None) -> list[str]:
    """The message types this seat's role lets it send: the page draws only the tools it may use."""
    if seat is None:
        return []
    if not seat.admitted:
        return sorted(WAITING_ALLOWED)
    return sorted({"leave", *(kind for kind, roles in PERMISSIONS.items() if roles is None or seat.role in roles)})


def snapshot_for(room: Room, seat_id: str) -> dict[str, Any]:
    seat = room.seats.get(seat_id)
    base: dict[str, Any] = {
        "seat": seat_id,
        "title": room.config.title,
        "phase": room.phase,
        "clock": room.clock(),
        "passcode": bool(room.config.passcode),
        "may": allowed(seat),
        "host_roles": sorted(HOST_ROLES),
    }
    if seat is None or not seat.admitted:
        # The waiting room shows nothing of the meeting: not who is there, not what is said.
        return {**base, "role": seat.role if seat else None, "admitted": False}
    snapshot = {
        **base,
        "role": seat.role,
        "admitted": True,
        "format": [segment.as_dict() for segment in room.config.format],
        "segment": room.segment,
        # Everyone, up to people.PEOPLE_LISTED; in a larger meeting the people who matter now and this seat itself,
        # and the count (``people_list`` pages through the rest).
        "participants": [s.public(room.queue) for s in _people(room, seat_id)],
        "people_count": people.admitted_count(room),
        "people_all": people.listed(room),
        "queue": list(room.queue),
        "offer": {"seat": room.offer.seat, "expires_at": room.offer.expires_at} if room.offer else None,
        "share": room.share.as_dict() if room.share else None,
        "mode": room.mode,
        "once": room.once,
        "open_floor": sharing.open_floor_state(room),
        "chat_policy": room.chat_policy,
        "chat_open": chat.open_to_all(room),
        "allow_private": room.config.allow_private,
        "chat": [m.as_event() for m in room.chat if chat.visible_to(m, seat)],
        "locked": room.locked,
        "waiting_room": room.waiting_room,
        "slips": room.config.slips,
        "slip_minimum_minutes": room.config.slip_minimum_minutes,
    }
    if seat.role in GREETER_ROLES:
        snapshot["waiting"] = waiting_page(room)
        snapshot["waiting_count"] = len(room.waiting())
    if seat.is_host:
        snapshot["reports"] = [r.as_event() for r in room.reports]
        snapshot["host_log"] = [e.public() for e in room.host_log]
        snapshot["removals"] = [r.public() for r in room.removals]
    return snapshot


def _people(room: Room, seat_id: str) -> list[Seat]:
    if people.listed(room):
        return room.admitted()
    return people.who_matters(room, also=seat_id)


WAITING_PAGE = 50  # the waiting room reaches hosts a page at a time, and as deltas: never whole per change


def waiting_page(room: Room, start: int = 0) -> list[dict[str, str]]:
    """Up to WAITING_PAGE of the people waiting, in the order they came, from ``start``."""
    return [{"seat": s.id, "name": s.name} for s in room.waiting()[start : start + WAITING_PAGE]]


def sees(seat: Seat, audiences: tuple[str, ...]) -> bool:
    """Whether an event sent to these audiences reaches this seat (resolved against its role now)."""
    from stayhere.rooms.core.state import ALL_SEATS, EVERYONE, GREETERS, HOSTS

    for audience in audiences:
        if audience == seat.id or audience == ALL_SEATS:
            return True
        if audience == EVERYONE and seat.admitted:
            return True
        if audience == HOSTS and seat.admitted and seat.is_host:
            return True
        if audience == GREETERS and seat.admitted and seat.role in GREETER_ROLES:
            return True
    return False
