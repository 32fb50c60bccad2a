"""Chat in the room: ephemeral, by the group's policy, with flood control. Pure functions on a Room."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stayhere.rooms.core.effects import Outbox, Refused
from stayhere.rooms.core.state import CHAT_KEPT, EVERYONE, HOSTS, ChatMessage, Room, Seat, replace
from stayhere.rooms.core.words import _

FLOOD_MESSAGES = 5
FLOOD_WINDOW_S = 10.0


def open_to_all(room: Room) -> bool:
    return room.chat_policy == "open" or (room.chat_policy == "hosts" and room.chat_open)


def audience(message: ChatMessage) -> tuple[str, ...]:
    if message.to is None:
        return (EVERYONE,)
    if message.to == "hosts":
        return (HOSTS, message.sender)
    return (message.to, message.sender)


def visible_to(message: ChatMessage, seat: Seat) -> bool:
    if message.to is None:
        return True
    if message.to == "hosts":
        return seat.is_host or seat.id == message.sender
    return seat.id in (message.to, message.sender)


def _recipient(room: Room, seat: Seat, to: str | None) -> str | None:
    """Where a message goes under the policy; refuses what the group does not allow."""
    if room.chat_policy == "off":
        raise Refused("chat_off", _("Chat is off in this meeting. To reach the hosts, use Report."))
    if to is not None:
        target = room.seats.get(to)
        if target is None or not target.admitted:
            raise Refused("no_such_seat", _("That person is no longer in the meeting."))
        if target.id == seat.id:
            raise Refused("bad_message", _("You cannot send a private message to yourself."))
        if not (room.config.allow_private or seat.is_host or target.is_host):
            raise Refused("forbidden", _("This group does not allow private messages. Write to everyone or the hosts."))
        return to
    if seat.is_host or open_to_all(room):
        return None
    return "hosts"  # hosts-only during the meeting: a member's message reaches the hosts


def send_chat(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    to = _recipient(room, seat, msg.get("to"))
    recent = tuple(t for t in seat.chat_times if now - t < FLOOD_WINDOW_S)
    if len(recent) >= FLOOD_MESSAGES:
        raise Refused("flood", _("You are sending messages too fast. Wait a few seconds and try again."))
    message = ChatMessage(id=room.next_id, sender=seat.id, name=seat.name, text=msg["text"], to=to, at=now)
    room = replace(room, next_id=room.next_id + 1, chat=(*room.chat, message)[-CHAT_KEPT:])
    room = room.with_seat(replace(seat, chat_times=(*recent, now)))
    out.send(audience(message), "chat", **message.as_event())
    return room


def delete_chat(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    wanted = int(msg["id"])
    kept = tuple(m for m in room.chat if m.id != wanted)
    if len(kept) == len(room.chat):
        raise Refused("no_such_message", _("That message is no longer in the chat."))
    out.send(EVERYONE, "chat_deleted", id=wanted)
    return replace(room, chat=kept)


def set_policy(room: Room, seat: Seat, msg: Mapping[str, Any], now: float, out: Outbox) -> Room:
    policy = msg["policy"]
    chat_open = policy == "open" or (policy == "hosts" and room.chat_open)
    room = replace(room, chat_policy=policy, chat_open=chat_open)
    out.send(EVERYONE, "chat_policy", policy=policy, open=open_to_all(room))
    return room
