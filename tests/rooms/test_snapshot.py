"""What the snapshot tells the page about permissions: the page draws a tool only if the server says it may.

The page keeps no copy of the room's rules (docs/protocol.md: `may`, `host_roles`), so these tests hold the
snapshot to what ``apply`` itself allows and refuses, role by role and message by message.
"""

from __future__ import annotations

from typing import Any

import pytest

from stayhere.rooms.core.meeting import PERMISSIONS
from stayhere.rooms.core.snapshot import snapshot_for
from stayhere.rooms.core.state import ROLES
from tests.rooms.roomkit import Meeting


def meeting_with(role: str) -> tuple[Meeting, str, str]:
    """A meeting with a chair, a seat in this role, and a member the seat can act on."""
    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    seat = chair if role == "chair" else meeting.join("Sam", chair=role == "cohost")
    if role not in ("chair", "cohost", "member"):
        meeting.say(chair, "role", seat=seat, role=role)
    other = meeting.join("Alex")
    assert meeting.live.seats[seat].role == role
    return meeting, seat, other


def fields_for(kind: str, other: str) -> dict[str, Any]:
    """Well-formed fields for each message type, aimed at a member, so only the role can stand in the way."""
    return {
        "rename": {"name": "Sammy"},
        "hand": {"up": True},
        "chat": {"text": "hello"},
        "report": {"text": "a report"},
        "slip": {"commitment": "0" * 64},
        "segment": {"index": 1},
        "mode": {"mode": "round_robin", "once": False},
        "role": {"seat": other, "role": "reader"},
        "hand_chair": {"seat": other},
        "chat_policy": {"policy": "open"},
        "open_floor": {"open": True},
        "extend": {"seconds": 60},
        "admit": {"seat": other},
        "deny": {"seat": other},
        "lock": {"locked": True},
        "mute": {"seat": other},
        "remove": {"seat": other},
        "unremove": {"removal": 1},
        "delete_chat": {"id": 1},
        "audio_mute": {"muted": True},
    }.get(kind, {})


@pytest.mark.parametrize("role", ROLES)
def test_the_snapshot_says_exactly_what_the_room_lets_each_role_do(role: str) -> None:
    for kind in [*PERMISSIONS, "leave"]:
        meeting, seat, other = meeting_with(role)
        may = snapshot_for(meeting.live, seat)["may"]
        errors = meeting.errors(meeting.say(seat, kind, **fields_for(kind, other)))
        if kind in may:
            assert "forbidden" not in errors and "unknown_type" not in errors, f"{role} may {kind}, yet: {errors}"
        else:
            assert errors == ["forbidden"], f"{role} may not {kind}, yet the room answered {errors}"


def test_a_member_may_take_part_but_use_no_service_tool() -> None:
    meeting, seat, _ = meeting_with("member")
    may = snapshot_for(meeting.live, seat)["may"]
    assert {"hand", "accept", "pass", "done", "chat", "report", "rename", "leave", "slip"} <= set(may)
    assert not {"segment", "call", "admit", "lock", "mute", "remove", "delete_chat", "end"} & set(may)
    assert may == sorted(may)


def test_a_seat_in_the_waiting_room_may_only_rename_or_leave() -> None:
    meeting = Meeting(waiting_room=True)
    meeting.join("Chair", chair=True)
    waiting = meeting.join("Alex")
    snapshot = meeting.received(waiting, "welcome")[0]["snapshot"]
    assert snapshot["admitted"] is False
    assert snapshot["may"] == ["leave", "rename"]
    assert meeting.errors(meeting.say(waiting, "hand", up=True)) == ["waiting"]


def test_a_role_change_sends_a_snapshot_with_what_the_new_role_may_do() -> None:
    meeting = Meeting()
    chair, alex = meeting.join("Chair", chair=True), meeting.join("Alex")
    meeting.say(chair, "role", seat=alex, role="greeter")
    may = meeting.received(alex, "snapshot")[-1]["may"]
    assert {"admit", "deny", "admit_all"} <= set(may)
    assert "remove" not in may and "segment" not in may
    meeting.say(chair, "role", seat=alex, role="member")
    assert "admit" not in meeting.received(alex, "snapshot")[-1]["may"]


def test_handing_on_the_chair_sends_both_seats_what_they_may_do_now() -> None:
    meeting = Meeting()
    chair, alex = meeting.join("Chair", chair=True), meeting.join("Alex")
    meeting.say(chair, "hand_chair", seat=alex)
    assert "end" in meeting.received(alex, "snapshot")[-1]["may"]
    old = meeting.received(chair, "snapshot")[-1]["may"]
    assert "end" not in old and "remove" in old  # the old chair is a co-host now


@pytest.mark.parametrize("role", ROLES)
def test_host_roles_name_exactly_the_seats_a_message_to_the_hosts_reaches(role: str) -> None:
    meeting, seat, other = meeting_with(role)
    host_roles = snapshot_for(meeting.live, other)["host_roles"]
    meeting.say(other, "chat", text="to the hosts")  # the default policy: a member writes to the hosts
    reached = any(chat["text"] == "to the hosts" for chat in meeting.received(seat, "chat"))
    assert reached == (role in host_roles), f"{role}: reached {reached}, host_roles {host_roles}"


def test_every_snapshot_carries_the_host_roles_the_waiting_room_too() -> None:
    meeting = Meeting(waiting_room=True)
    chair = meeting.join("Chair", chair=True)
    waiting = meeting.join("Alex")
    assert snapshot_for(meeting.live, chair)["host_roles"] == ["chair", "cohost"]
    assert snapshot_for(meeting.live, waiting)["host_roles"] == ["chair", "cohost"]
