"""A room survives the trip to a store outside the process (Redis) and back, unchanged and without pickle."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from stayhere.rooms.core.effects import Close, Delete, Floor, IssueSlip, Muted, Voice
from stayhere.rooms.core.meeting import Join, Message, apply
from stayhere.rooms.core.state import Room
from stayhere.rooms.live.codec import dump_carried, dump_room, load_carried, load_room
from stayhere.rooms.live.plan import Presence, Push, Resumed
from tests.rooms.roomkit import CHAIR_KEY, T0
from tests.rooms.test_meeting_properties import _fresh, checked, steps


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_every_reachable_room_reads_back_equal_to_what_was_stored(sequence: list[tuple[Any, float]]) -> None:
    room: Room | None = apply(_fresh(True, "open"), Join("s9999999999", "t", "b0", "Chair", chair_key=CHAIR_KEY), T0)[0]
    now = T0
    for event, gap in sequence:
        if room is None:
            break
        now += gap
        if isinstance(event, Message):
            event = checked(event)
            if event is None:
                continue
        room, _ = apply(room, event, now)
        if room is not None:
            back = load_room(dump_room(room))
            assert back == room
            assert list(back.seats) == list(room.seats), "the seats' joining order changed"


def test_a_stored_room_is_plain_json_not_code() -> None:
    room = apply(_fresh(True, "open"), Join("s9999999999", "t", "b0", "Chair", chair_key=CHAIR_KEY), T0)[0]
    assert room is not None
    stored = orjson.loads(dump_room(room))
    assert stored["seats"]["s9999999999"]["name"] == "Chair"


@pytest.mark.parametrize("bad", [b"", b"[]", b'{"config": 1}', b"\x80\x04pickle", b'{"seats": {}}'])
def test_a_stored_room_of_the_wrong_shape_is_refused_loudly(bad: bytes) -> None:
    with pytest.raises(ValueError, match="could not be read"):
        load_room(bad)


def test_a_changes_carried_effects_read_back_as_the_same_typed_values() -> None:
    carried = [
        Push('{"type":"chat"}', ("s1", "s2")),
        Presence({"type": "people_changed", "seq": 4, "joined": [], "left": ["s3"], "count": 2, "all": True}, ("s1",)),
        Push("{}", None),
        Resumed("s1", 3, 9, ("s1", "@all"), '{"type":"snapshot"}'),
        Close("s2", 4403),
        Floor(None),
        Muted(("s1",)),
        Voice("s1", muted=False, live=True, open=True),
        IssueSlip("s1", "ab" * 32, 40),
        Delete(),
    ]
    assert load_carried(dump_carried(12, carried)) == (12, carried)
    assert load_carried(dump_carried(None, [])) == (None, [])


@pytest.mark.parametrize(
    "bad",
    [b"not json", b"[]", b'{"seq": 1}', b'{"seq": 1, "do": [["Exec", "rm -rf /"]]}', b'{"seq": 1, "do": [["Close"]]}'],
)
def test_a_carried_change_of_the_wrong_shape_is_refused_loudly(bad: bytes) -> None:
    with pytest.raises(ValueError, match="could not be read"):
        load_carried(bad)
