"""The room's values are copied with some fields changed (``state.replace``) exactly as dataclasses.replace would."""

from __future__ import annotations

import dataclasses

import pytest

from stayhere.rooms.core.state import Room, Seat, replace
from tests.rooms.roomkit import Meeting


def test_a_copy_changes_only_the_fields_named_and_equals_what_dataclasses_makes() -> None:
    meeting = Meeting()
    meeting.join("Chair", chair=True)
    room = meeting.live
    copied = replace(room, seq=room.seq + 5, locked=True)
    assert copied == dataclasses.replace(room, seq=room.seq + 5, locked=True)
    assert copied.seats is room.seats and copied.locked and not room.locked
    seat = next(iter(room.seats.values()))
    assert replace(seat, name="New") == dataclasses.replace(seat, name="New")
    assert type(replace(seat, name="New")) is Seat and type(copied) is Room


def test_a_copy_with_a_field_the_value_does_not_have_is_refused() -> None:
    meeting = Meeting()
    meeting.join("Chair", chair=True)
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(meeting.live, colour="red")
