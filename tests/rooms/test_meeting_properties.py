"""Invariants of the room that hold whatever anyone sends, in any order, at any time (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stayhere.rooms.core.effects import OPEN_FLOOR
from stayhere.rooms.core.meeting import PERMISSIONS, Disconnect, Join, Message, Resume, Tick, apply
from stayhere.rooms.core.sharing import floor_holder
from stayhere.rooms.core.state import HOST_ROLES, Room, open_room
from stayhere.rooms.live.protocol import SCHEMAS, ProtocolError, decode
from tests.rooms.roomkit import CHAIR_KEY, T0, config

SEATS = [f"s{n:010d}" for n in range(6)]
KINDS = sorted(set(SCHEMAS) - {"join", "resume"})

seat_ids = st.sampled_from(SEATS)
field_values = st.one_of(
    seat_ids,
    st.integers(min_value=-5, max_value=2000),
    st.booleans(),
    st.sampled_from(["raise_hand", "round_robin", "off", "hosts", "open", "cohost", "reader", "chair", ""]),
    st.text(max_size=30),
    st.none(),
)
messages = st.builds(
    lambda seat, kind, fields: Message(seat, kind, fields),
    seat_ids,
    st.sampled_from(KINDS),
    st.dictionaries(
        st.sampled_from(
            ["seat", "index", "seconds", "mode", "once", "role", "locked", "up", "text", "to", "id", "open"]
        ),
        field_values,
        max_size=3,
    ),
)
joins = st.builds(
    lambda seat, chair, browser, passcode: Join(
        seat=seat,
        token="t" + seat,
        browser=browser,
        name="Name " + seat[-2:],
        chair_key=CHAIR_KEY if chair else None,
        passcode=passcode,
    ),
    seat_ids,
    st.booleans(),
    st.sampled_from(["b1", "b2", "b3"]),
    st.sampled_from([None, "1234", "0000"]),
)
events = st.one_of(
    messages,
    joins,
    st.builds(Disconnect, seat_ids),
    st.builds(lambda seat, seq: Resume(seat, "t" + seat, "b1", seq), seat_ids, st.integers(0, 50)),
    st.just(Tick()),
)
steps = st.lists(st.tuples(events, st.floats(min_value=0, max_value=90)), max_size=60)


def checked(message: Message) -> Message | None:
    """What the protocol would let through: the room only ever sees schema-valid messages."""
    import orjson

    try:
        kind, fields = decode(orjson.dumps({"type": message.type, **message.fields}))
    except (ProtocolError, TypeError):
        return None
    return Message(message.seat, kind, fields)


def assert_invariants(room: Room) -> None:
    sharers = [room.share.seat] if room.share else []
    assert len(sharers) <= 1
    assert len(room.queue) == len(set(room.queue)), "a seat is in the queue twice"
    assert all(seat in room.seats for seat in room.queue), "the queue holds a seat that is gone"
    assert all(room.seats[seat].admitted for seat in room.queue), "a waiting seat is in the queue"
    assert sum(1 for seat in room.seats.values() if seat.role == "chair") <= 1, "two chairs"
    removed = room.removed_browsers()
    assert not any(s.browser in removed and s.role not in HOST_ROLES for s in room.seats.values()), "removed seat back"
    if room.share is not None:
        assert room.share.seat in room.seats
    if room.offer is not None:
        assert room.offer.seat in room.seats and (room.share is None)
    assert 0 <= room.segment < len(room.config.format)
    if room.open_floor:
        assert room.config.open_floor, "an open floor in a group that does not allow it"
        assert len(room.admitted()) <= room.config.open_floor_max, "an open floor in a meeting past the limit"
    if floor_holder(room) == OPEN_FLOOR:
        assert room.open_floor and room.share is None, "the floor is open to all while it is closed, or in a share"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.booleans(), st.sampled_from(["off", "hosts", "open"]), st.booleans())
def test_no_sequence_of_events_breaks_the_rooms_invariants(
    sequence: list[tuple[Any, float]], waiting_room: bool, chat_policy: str, open_floor: bool
) -> None:
    room: Room | None = apply(
        _fresh(waiting_room, chat_policy, open_floor), Join("s9999999999", "t", "b0", "Chair", chair_key=CHAIR_KEY), T0
    )[0]
    now = T0
    for event, gap in sequence:
        if room is None:
            break
        now += gap
        if isinstance(event, Message):
            valid = checked(event)
            if valid is None:
                continue
            event = valid
        before = room
        role = before.seats[event.seat].role if isinstance(event, Message) and event.seat in before.seats else None
        room, _ = apply(room, event, now)
        if room is None:
            continue
        assert_invariants(room)
        assert room.seq >= before.seq
        if isinstance(event, Message) and event.type in PERMISSIONS:
            allowed = PERMISSIONS[event.type]
            if allowed is not None and role not in allowed:
                assert room == before, f"{role} changed the room with {event.type}"
        if isinstance(event, Message) and event.type == "segment" and room.segment != before.segment:
            assert role == "chair", "only the chair moves the format"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["join", "remove", "rejoin"]), st.sampled_from(["b1", "b2"])), max_size=20))
def test_a_removed_browser_never_gets_back_in(actions: list[tuple[str, str]]) -> None:
    opened = open_room(config(waiting_room=False), T0)
    room: Room | None = apply(opened, Join("s9999999999", "t", "b0", "Chair", chair_key=CHAIR_KEY), T0)[0]
    removed: set[str] = set()
    for number, (action, browser) in enumerate(actions):
        assert room is not None
        seat = f"s{number:010d}"
        if action in ("join", "rejoin"):
            room, _ = apply(room, Join(seat, "t", browser, "Guest"), T0)
            assert room is not None
            assert (seat in room.seats) == (browser not in removed)
        else:
            target = next((s.id for s in room.seats.values() if s.browser == browser), None)
            if target is not None:
                room, _ = apply(room, Message("s9999999999", "remove", {"seat": target}), T0)
                removed.add(browser)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_the_protocol_answers_any_frame_with_a_message_or_a_clear_error(frame: bytes | str) -> None:
    try:
        kind, fields = decode(frame)
    except ProtocolError as problem:
        assert problem.code in {"bad_json", "bad_message", "unknown_type", "too_long"}
        assert problem.message.endswith(".")
    else:
        assert kind in SCHEMAS and isinstance(fields, dict)


def _fresh(waiting_room: bool, chat_policy: str, open_floor: bool = False) -> Room:
    # A small limit (3 of the 7 seats the events use), so that the open floor's limit is reached often.
    changes = {"open_floor": open_floor, "open_floor_max": 3}
    return open_room(config(waiting_room=waiting_room, chat_policy=chat_policy, passcode="1234", **changes), T0)
