"""The format and the share queue: hands, calls, share-or-pass, the share timer. Pure functions on a Room."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stayhere.rooms.core import chat, people
from stayhere.rooms.core.effects import OPEN_FLOOR, Outbox, Refused
from stayhere.rooms.core.state import EVERYONE, READER, Offer, Room, Seat, Share, replace
from stayhere.rooms.core.words import _, filled, ngettext_lazy

NO_SEGMENT = filled(_("There is no segment {index}: the format has {count}."))

# How long a called seat has to answer before the call counts as a pass.
OFFER_SECONDS = 60
SPEAKER_DEFAULT_S = 20 * 60
READING_KINDS = ("reading", "closing")


_last_floor: tuple[Room | None, str | None] = (None, None)


def floor_holder(room: Room) -> str | None:
    """Who may be heard now: the sharer; during a reading the reader (else the chair); between shares the chair,
    or, while the chair has opened the floor, anyone who unmutes (OPEN_FLOOR). A share or a reading takes the floor
    from an open floor while it runs; the open floor comes back when it ends.

    A room is a value, so the answer for the same Room object is kept: each change asks it of the room before and
    after, and the room after is the next change's room before (during a reading the answer looks at every seat)."""
    global _last_floor
    if _last_floor[0] is room:
        return _last_floor[1]
    holder = _floor_holder(room)
    _last_floor = (room, holder)
    return holder


def _floor_holder(room: Room) -> str | None:
    if room.share is not None:
        return room.share.seat
    if _kind(room) in READING_KINDS:
        for seat in room.seats.values():
            if seat.role == READER and seat.admitted and seat.connected:
                return seat.id
    elif room.open_floor:
        return OPEN_FLOOR
    chair = room.chair()
    return chair.id if chair is not None else None


def _kind(room: Room) -> str:
    return room.config.format[room.segment].kind if room.config.format else "sharing"


def open_floor_paused(room: Room) -> str | None:
    """Why an open floor is waiting now: "share" (someone is sharing), "reading" (a reading or the closing), or
    None (it is open to everyone, or it is not open at all)."""
    if not room.open_floor:
        return None
    if room.share is not None:
        return "share"
    if _kind(room) in READING_KINDS:
        return "reading"
    return None


def open_floor_state(room: Room) -> dict[str, Any]:
    """The open floor as the page shows it (the snapshot's ``open_floor``)."""
    return {
        "allowed": room.config.open_floor,
        "max": room.config.open_floor_max,
        "open": room.open_floor,
        "paused": open_floor_paused(room),
    }


OPEN_FLOOR_TOO_BIG = ngettext_lazy(
    "An open floor is for meetings of up to {limit} person, and {here} are here. Call on people instead.",
    "An open floor is for meetings of up to {limit} people, and {here} are here. Call on people instead.",
    "limit",
)


def announce_open_floor(room: Room, reason: str, out: Outbox) -> None:
    out.send(EVERYONE, "open_floor", open=room.open_floor, paused=open_floor_paused(room), reason=reason)


def set_open_floor(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """The chair opens the floor to everyone (if the group allows it and the meeting is small enough) or closes it."""
    wanted = bool(msg["open"])
    if wanted == room.open_floor:
        return room
    if wanted:
        if not room.config.open_floor:
            raise Refused(
                "open_floor_off",
                _("This group has not allowed an open floor. The group's secretary can allow it in the room settings."),
            )
        limit, here = room.config.open_floor_max, len(room.admitted())
        if here > limit:
            raise Refused(
                "open_floor_too_big",
                OPEN_FLOOR_TOO_BIG.format(limit=limit, here=here),
            )
    room = replace(room, open_floor=wanted)
    announce_open_floor(room, "chair", out)
    return room


def settle_open_floor(before: Room, after: Room, out: Outbox) -> Room:
    """After any change: an open floor closes by itself when the meeting has grown past the group's limit, and
    everyone is told when a share or a reading starts or stops holding it."""
    if after.open_floor and len(after.admitted()) > after.config.open_floor_max:
        after = replace(after, open_floor=False)
        announce_open_floor(after, "too_many", out)
    elif before.open_floor and after.open_floor and open_floor_paused(before) != open_floor_paused(after):
        announce_open_floor(after, "paused" if open_floor_paused(after) else "resumed", out)
    return after


def share_seconds(room: Room) -> int:
    if not room.config.format:
        return room.config.share_seconds
    segment = room.config.format[room.segment]
    if segment.share_seconds:
        return segment.share_seconds
    if segment.kind == "speaker":
        return SPEAKER_DEFAULT_S
    return room.config.share_seconds


def broadcast_queue(room: Room, out: Outbox) -> None:
    if people.listed(room):
        out.send(EVERYONE, "queue", queue=list(room.queue))
        return
    # A large meeting's pages know only some names: the queue brings its people's, so a raised hand is one frame.
    queued = [room.seats[seat].public(room.queue) for seat in room.queue if seat in room.seats]
    out.send(EVERYONE, "queue", queue=list(room.queue), people=queued)


def end_share(room: Room, reason: str, out: Outbox) -> Room:
    """Ends the current share, if any; the floor closes."""
    if room.share is None:
        return room
    out.send(EVERYONE, "share_ended", seat=room.share.seat, reason=reason)
    return replace(room, share=None)


def withdraw_offer(room: Room, out: Outbox, *, announce: bool = True) -> Room:
    """Withdraws a pending call; a seat called from the queue goes back to its front."""
    if room.offer is None:
        return room
    offer = room.offer
    room = replace(room, offer=None)
    if offer.from_queue and offer.seat in room.seats and offer.seat not in room.queue:
        room = replace(room, queue=(offer.seat, *room.queue))
        if announce:
            broadcast_queue(room, out)
    if announce:
        out.send(EVERYONE, "offer", seat=None, expires_at=None)
    return room


def hand(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    up = bool(msg["up"])
    if up:
        if seat.id in room.queue:
            return room  # already in the queue: raising twice keeps the place
        if room.share is not None and room.share.seat == seat.id:
            raise Refused("sharing", _("You are sharing now; raise your hand again after your share."))
        if room.offer is not None and room.offer.seat == seat.id:
            raise Refused("offered", _("You have been called: choose Share or Pass."))
        room = replace(room, queue=(*room.queue, seat.id))
    else:
        if seat.id not in room.queue:
            return room
        room = replace(room, queue=tuple(s for s in room.queue if s != seat.id))
    broadcast_queue(room, out)
    return room


def _next_candidate(room: Room) -> tuple[str, bool]:
    """The seat to call next by the room's mode, and whether it comes from the queue."""
    if room.mode == "round_robin":
        order = [s.id for s in room.admitted() if s.connected]
        pending = [sid for sid in order if sid not in room.round_done]
        if not pending:
            raise Refused("round_over", _("Everyone has had a turn this round. Call again to start a new round."))
        return pending[0], False
    if not room.queue:
        raise Refused("queue_empty", _("Nobody has a hand up."))
    if room.once:
        # Everyone once before anyone twice: the first in the queue who has shared least.
        fewest = min(room.seats[sid].shares for sid in room.queue)
        return next(sid for sid in room.queue if room.seats[sid].shares == fewest), True
    return room.queue[0], True


def call(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.share is not None:
        raise Refused("sharing", _("Someone is sharing. End that share first, then call the next person."))
    target = msg.get("seat")
    if target is None:
        if (
            room.mode == "round_robin"
            and room.round_done
            and all(s.id in room.round_done for s in room.admitted() if s.connected)
        ):
            room = replace(room, round_done=frozenset())  # a new round begins
        target, from_queue = _next_candidate(room)
    else:
        called = room.seats.get(target)
        if called is None or not called.admitted:
            raise Refused("no_such_seat", _("That person is no longer in the meeting."))
        from_queue = target in room.queue
    room = withdraw_offer(room, out, announce=False)
    queue = tuple(s for s in room.queue if s != target)
    if queue != room.queue:
        room = replace(room, queue=queue)
    broadcast_queue(room, out)
    offer = Offer(seat=target, expires_at=now + OFFER_SECONDS, from_queue=from_queue)
    out.send(EVERYONE, "offer", seat=target, expires_at=offer.expires_at)
    return replace(room, offer=offer)


def accept(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.offer is None or room.offer.seat != seat.id:
        raise Refused("no_offer", _("You have not been called, so there is nothing to accept. Raise your hand."))
    seconds = share_seconds(room)
    share = Share(seat=seat.id, started_at=now, ends_at=now + seconds, seconds=seconds)
    room = replace(room, offer=None, share=share, round_done=room.round_done | {seat.id})
    room = room.with_seat(replace(seat, shares=seat.shares + 1))
    out.send(EVERYONE, "share", **share.as_dict())
    return room


def pass_turn(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.offer is None or room.offer.seat != seat.id:
        raise Refused("no_offer", _("You have not been called, so there is nothing to pass."))
    return passed(room, seat.id, out)


def passed(room: Room, seat_id: str, out: Outbox) -> Room:
    out.send(EVERYONE, "passed", seat=seat_id)
    return replace(room, offer=None, round_done=room.round_done | {seat_id})


def done(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.share is None or room.share.seat != seat.id:
        raise Refused("not_sharing", _("You are not sharing now."))
    return end_share(room, "done", out)


TYPED_KEPT = 30  # paragraphs of a typed share the room holds (the latest), while the share lasts


def share_text(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    """A share by typing: the sharer's words go to the room for the share's time only. They are in the room's
    state while the share runs (for a seat that joins or resumes) and never kept for replay; when the share ends
    they are gone from the room, and every page clears them."""
    share = room.share
    if share is None or share.seat != seat.id:
        raise Refused("not_sharing", _("You can type a share only while you are sharing."))
    recent = tuple(t for t in seat.chat_times if now - t < chat.FLOOD_WINDOW_S)
    if len(recent) >= chat.FLOOD_MESSAGES:
        raise Refused("flood", _("You are sending messages too fast. Wait a few seconds and try again."))
    room = replace(room, share=replace(share, typed=(*share.typed, msg["text"])[-TYPED_KEPT:]))
    room = room.with_seat(replace(seat, chat_times=(*recent, now)))
    out.send_passing(EVERYONE, "share_text", seat=seat.id, text=msg["text"])
    return room


def end_share_by_host(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.share is None:
        raise Refused("not_sharing", _("Nobody is sharing now."))
    return end_share(room, "ended", out)


def extend(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    if room.share is None:
        raise Refused("not_sharing", _("Nobody is sharing now, so there is no share to extend."))
    seconds = int(msg["seconds"])
    base = max(room.share.ends_at, now)
    ends_at = base + seconds
    total = int(ends_at - room.share.started_at)
    share = replace(room.share, ends_at=ends_at, seconds=total)
    share = replace(share, warned=now >= share.warn_at, time_up=False)
    out.send(EVERYONE, "share", **share.as_dict())
    return replace(room, share=share)


def set_mode(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    mode = msg["mode"]
    once = bool(msg.get("once", room.once))
    room = replace(room, mode=mode, once=once, round_done=frozenset())
    out.send(EVERYONE, "mode", mode=mode, once=once)
    return room


def set_segment(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    index = int(msg["index"])
    if not 0 <= index < len(room.config.format):
        raise Refused("bad_message", NO_SEGMENT.format(index=index, count=len(room.config.format)))
    if index == room.segment:
        return room
    room = end_share(room, "ended", out)
    room = withdraw_offer(room, out)
    room = replace(room, segment=index)
    segment = room.config.format[index]
    out.send(EVERYONE, "segment", index=index, segment=segment.as_dict())
    if segment.kind == "closing" and room.chat_policy == "hosts" and not room.chat_open:
        room = replace(room, chat_open=True)
        out.send(EVERYONE, "chat_policy", policy=room.chat_policy, open=True)
    return room


def tick_share(room: Room, now: float, out: Outbox) -> Room:
    """Offers that expire count as a pass; a share's warning and its time-up are announced once each."""
    if room.offer is not None and now >= room.offer.expires_at:
        room = passed(room, room.offer.seat, out)
    share = room.share
    if share is not None:
        if not share.warned and now >= share.warn_at:
            remaining = max(0, round(share.ends_at - now))
            out.send(EVERYONE, "share_warning", seat=share.seat, remaining=remaining)
            share = replace(share, warned=True)
        if not share.time_up and now >= share.ends_at:
            out.send(EVERYONE, "time_up", seat=share.seat)
            share = replace(share, time_up=True)
        if share is not room.share:
            room = replace(room, share=share)
    return room


def leave_sharing(room: Room, seat_id: str, reason: str, out: Outbox) -> Room:
    """A seat that leaves the meeting leaves the queue, its call and its share."""
    if seat_id in room.queue:
        room = replace(room, queue=tuple(s for s in room.queue if s != seat_id))
        broadcast_queue(room, out)
    if room.offer is not None and room.offer.seat == seat_id:
        room = replace(room, offer=None)
        out.send(EVERYONE, "offer", seat=None, expires_at=None)
    if room.share is not None and room.share.seat == seat_id:
        room = end_share(room, reason, out)
    return room
