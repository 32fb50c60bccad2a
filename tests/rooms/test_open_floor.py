"""The open floor in the room state machine: the chair lets everyone unmute in a small meeting, if the group allows.

The format (tests/rooms/roomkit.py) starts with a reading; segment 3 is open sharing.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stayhere.rooms.core.effects import OPEN_FLOOR, Error, Floor, Send
from stayhere.rooms.core.meeting import PERMISSIONS, Disconnect, Join, Message, Tick, apply
from stayhere.rooms.core.sharing import floor_holder, open_floor_paused
from stayhere.rooms.core.snapshot import snapshot_for
from stayhere.rooms.core.state import Room, open_room
from stayhere.rooms.live.codec import dump_room, load_room
from stayhere.rooms.live.protocol import SCHEMAS, ProtocolError, decode
from tests.rooms.roomkit import CHAIR_KEY, FORMAT, T0, Meeting, config

SHARING = 3
READING = 0


def small_meeting(members: int = 2, **config: Any) -> tuple[Meeting, str, list[str]]:
    """A meeting in its open sharing, with a chair and ``members`` others, whose group allows an open floor."""
    settings: dict[str, Any] = {"open_floor": True, "open_floor_max": 4, **config}
    meeting = Meeting(**settings)
    chair = meeting.join("Chair", chair=True)
    seats = [meeting.join(f"Member {n}") for n in range(members)]
    meeting.say(chair, "segment", index=SHARING)
    return meeting, chair, seats


def announced(meeting: Meeting, seat: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "seq"} for e in meeting.received(seat, "open_floor")]


def test_only_the_chair_may_open_the_floor_and_its_message_is_a_checked_bool() -> None:
    assert PERMISSIONS["open_floor"] == frozenset({"chair"})
    assert decode('{"type": "open_floor", "open": true}') == ("open_floor", {"open": True})
    for bad in ('{"type": "open_floor"}', '{"type": "open_floor", "open": "yes"}'):
        try:
            decode(bad)
        except ProtocolError as problem:
            assert problem.code == "bad_message"
        else:
            raise AssertionError(f"{bad} was accepted")
    assert "open_floor" in SCHEMAS


def test_the_chair_opens_the_floor_everyone_is_told_and_the_audio_floor_is_open() -> None:
    meeting, chair, (alex, sam) = small_meeting()
    assert meeting.floors()[-1] == chair, "the chair holds the floor between shares"
    effects = meeting.say(chair, "open_floor", open=True)
    assert meeting.errors(effects) == []
    assert meeting.live.open_floor is True
    assert meeting.floors()[-1] == OPEN_FLOOR
    for seat in (chair, alex, sam):
        assert announced(meeting, seat) == [{"type": "open_floor", "open": True, "paused": None, "reason": "chair"}]
    assert snapshot_for(meeting.live, alex)["open_floor"] == {"allowed": True, "max": 4, "open": True, "paused": None}

    # Opening it again changes nothing and says nothing more.
    floors = len(meeting.floors())
    assert meeting.say(chair, "open_floor", open=True) == []
    assert len(meeting.floors()) == floors and len(announced(meeting, alex)) == 1

    meeting.say(chair, "open_floor", open=False)
    assert meeting.live.open_floor is False
    assert meeting.floors()[-1] == chair, "closing the open floor gives it back to the chair"
    assert announced(meeting, sam)[-1] == {"type": "open_floor", "open": False, "paused": None, "reason": "chair"}


def test_a_group_that_does_not_allow_it_gets_a_clear_refusal_and_nothing_changes() -> None:
    meeting, chair, _ = small_meeting(open_floor=False)
    before = meeting.live
    effects = meeting.say(chair, "open_floor", open=True)
    assert meeting.errors(effects) == ["open_floor_off"]
    error = next(e for e in effects if isinstance(e, Error))
    assert "secretary can allow it in the room settings" in error.message and error.ref == "open_floor"
    assert meeting.live == before
    assert snapshot_for(meeting.live, chair)["open_floor"]["allowed"] is False


def test_a_member_cannot_open_the_floor_and_nothing_changes() -> None:
    meeting, _chair, (alex, _sam) = small_meeting()
    before = meeting.live
    floors = len(meeting.floors())
    effects = meeting.say(alex, "open_floor", open=True)
    assert meeting.errors(effects) == ["forbidden"]
    assert meeting.live == before and len(meeting.floors()) == floors
    assert announced(meeting, alex) == []


def test_a_meeting_larger_than_the_groups_limit_cannot_open_the_floor() -> None:
    meeting, chair, _ = small_meeting(members=4)  # five admitted seats; the limit is four
    before = meeting.live
    effects = meeting.say(chair, "open_floor", open=True)
    assert meeting.errors(effects) == ["open_floor_too_big"]
    error = next(e for e in effects if isinstance(e, Error))
    assert "up to 4 people, and 5 are here" in error.message
    assert meeting.live == before


def test_the_open_floor_closes_by_itself_when_the_meeting_grows_past_the_limit() -> None:
    meeting, chair, (alex, _sam) = small_meeting(members=2)
    meeting.say(chair, "open_floor", open=True)
    meeting.join("Fourth")
    assert meeting.live.open_floor is True, "four admitted seats: still within the limit"
    fifth = meeting.join("Fifth")
    assert meeting.live.open_floor is False
    assert meeting.floors()[-1] == chair
    closing = {"type": "open_floor", "open": False, "paused": None, "reason": "too_many"}
    assert announced(meeting, alex)[-1] == closing
    assert announced(meeting, fifth)[-1] == closing, "the newcomer hears it closed after its welcome"
    assert snapshot_for(meeting.live, fifth)["open_floor"]["open"] is False
    # And it cannot be opened again while the meeting is that large.
    assert meeting.errors(meeting.say(chair, "open_floor", open=True)) == ["open_floor_too_big"]


def test_people_in_the_waiting_room_do_not_count_until_they_are_admitted() -> None:
    meeting, chair, _ = small_meeting(members=2, waiting_room=True)
    for seat in list(meeting.live.seats):
        if not meeting.live.seats[seat].admitted:
            meeting.say(chair, "admit", seat=seat)
    meeting.say(chair, "open_floor", open=True)
    waiting = [meeting.join("Waiting 1"), meeting.join("Waiting 2")]
    assert meeting.live.open_floor is True
    meeting.say(chair, "admit", seat=waiting[0])
    assert meeting.live.open_floor is True
    meeting.say(chair, "admit", seat=waiting[1])
    assert meeting.live.open_floor is False
    assert announced(meeting, chair)[-1]["reason"] == "too_many"


def test_a_share_holds_the_floor_and_the_open_floor_resumes_when_it_ends() -> None:
    meeting, chair, (alex, sam) = small_meeting()
    meeting.say(chair, "open_floor", open=True)
    meeting.say(alex, "hand", up=True)
    meeting.say(chair, "call")
    assert meeting.floors()[-1] == OPEN_FLOOR, "a call alone does not take the floor"
    meeting.say(alex, "accept")
    assert meeting.floors()[-1] == alex
    assert announced(meeting, sam)[-1] == {"type": "open_floor", "open": True, "paused": "share", "reason": "paused"}
    assert snapshot_for(meeting.live, sam)["open_floor"]["paused"] == "share"
    meeting.say(alex, "done")
    assert meeting.floors()[-1] == OPEN_FLOOR
    assert announced(meeting, sam)[-1] == {"type": "open_floor", "open": True, "paused": None, "reason": "resumed"}


def test_a_share_ended_by_the_chair_or_by_leaving_gives_the_floor_back_to_everyone() -> None:
    meeting, chair, (alex, sam) = small_meeting()
    meeting.say(chair, "open_floor", open=True)
    meeting.say(chair, "call", seat=alex)
    meeting.say(alex, "accept")
    meeting.say(chair, "end_share")
    assert meeting.floors()[-1] == OPEN_FLOOR
    meeting.say(chair, "call", seat=sam)
    meeting.say(sam, "accept")
    meeting.say(sam, "leave")
    assert meeting.floors()[-1] == OPEN_FLOOR
    assert meeting.live.open_floor is True


def test_a_reading_holds_the_floor_and_the_open_floor_waits_for_it() -> None:
    meeting, chair, (alex, _sam) = small_meeting()
    meeting.say(chair, "open_floor", open=True)
    meeting.say(chair, "role", seat=alex, role="reader")
    meeting.say(chair, "segment", index=READING)
    assert meeting.floors()[-1] == alex, "the reader reads"
    assert announced(meeting, chair)[-1]["paused"] == "reading"
    meeting.say(chair, "segment", index=SHARING)
    assert meeting.floors()[-1] == OPEN_FLOOR
    assert announced(meeting, chair)[-1]["reason"] == "resumed"


def test_opening_the_floor_during_a_reading_takes_effect_after_it() -> None:
    meeting = Meeting(open_floor=True, open_floor_max=4)
    chair = meeting.join("Chair", chair=True)
    meeting.say(chair, "open_floor", open=True)
    assert meeting.floors()[-1] == chair, "the chair reads the opening reading"
    assert announced(meeting, chair)[-1] == {"type": "open_floor", "open": True, "paused": "reading", "reason": "chair"}
    meeting.say(chair, "segment", index=SHARING)
    assert meeting.floors()[-1] == OPEN_FLOOR


def test_the_open_floor_survives_the_room_store() -> None:
    meeting, chair, _ = small_meeting()
    meeting.say(chair, "open_floor", open=True)
    assert load_room(dump_room(meeting.live)) == meeting.live
    assert load_room(dump_room(meeting.live)).open_floor is True


CHAIR_SEAT = "s9999999999"
OTHERS = [f"s{n:010d}" for n in range(5)]
any_seat = st.sampled_from([CHAIR_SEAT, *OTHERS])
other = st.sampled_from(OTHERS)
actions = st.one_of(
    st.builds(lambda seat, wanted: Message(seat, "open_floor", {"open": wanted}), any_seat, st.booleans()),
    st.builds(lambda wanted: Message(CHAIR_SEAT, "open_floor", {"open": wanted}), st.booleans()),
    st.builds(lambda index: Message(CHAIR_SEAT, "segment", {"index": index}), st.integers(0, len(FORMAT) - 1)),
    st.builds(lambda seat: Message(seat, "hand", {"up": True}), other),
    st.just(Message(CHAIR_SEAT, "call", {})),
    st.builds(lambda seat: Message(seat, "accept", {}), other),
    st.builds(lambda seat: Message(seat, "done", {}), other),
    st.just(Message(CHAIR_SEAT, "end_share", {})),
    st.builds(lambda seat: Message(seat, "leave", {}), other),
    st.builds(lambda seat: Message(CHAIR_SEAT, "admit", {"seat": seat}), other),
    st.just(Message(CHAIR_SEAT, "admit_all", {})),
    st.builds(
        lambda seat, role: Message(CHAIR_SEAT, "role", {"seat": seat, "role": role}),
        other,
        st.sampled_from(["reader", "member"]),
    ),
    st.builds(lambda seat: Join(seat, "t" + seat, "b-" + seat, "Name"), other),
    st.builds(lambda seat: Join(seat, "t" + seat, "b-" + seat, "Name"), other),  # twice: joins matter most here
    st.builds(Disconnect, other),
    st.just(Tick()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3), st.lists(actions, min_size=5, max_size=50), st.booleans(), st.booleans())
def test_the_open_floor_keeps_its_rules_whatever_happens(
    present: int, events: list[Any], waiting_room: bool, allowed: bool
) -> None:
    """Never open past the limit or where the group does not allow it; only the chair opens or closes it, or the
    meeting's growth closes it (and says so); an open floor is the audio's floor only between shares and readings."""
    cfg = config(open_floor=allowed, open_floor_max=3, waiting_room=waiting_room)
    room: Room | None = apply(open_room(cfg, T0), Join(CHAIR_SEAT, "t", "b0", "Chair", chair_key=CHAIR_KEY), T0)[0]
    now = T0
    # Some people already there (the rest of OTHERS may join later), so that the limit of 3 is often in reach.
    events = [Join(seat, "t" + seat, "b-" + seat, "Name") for seat in OTHERS[:present]] + events
    for event in events:
        assert room is not None
        now += 5
        before = room
        room, effects = apply(room, event, now)
        assert room is not None, "the chair never leaves here, so the meeting goes on"
        if room.open_floor:
            assert room.config.open_floor and len(room.admitted()) <= room.config.open_floor_max
        holder = floor_holder(room)
        assert (holder == OPEN_FLOOR) == (room.open_floor and open_floor_paused(room) is None)
        floors = [e.seat for e in effects if isinstance(e, Floor)]
        assert floors in ([], [holder]), "the audio is told the floor the room has now"
        if floors == [] and holder != floor_holder(before):
            raise AssertionError("the floor moved without telling the audio")
        said = [e.event for e in effects if isinstance(e, Send) and e.event["type"] == "open_floor"]
        by_chair = isinstance(event, Message) and event.type == "open_floor" and event.seat == CHAIR_SEAT
        if isinstance(event, Message) and event.type == "open_floor" and not by_chair:
            assert room == before, "someone other than the chair changed the open floor"
        if before.open_floor != room.open_floor:
            assert said and said[-1]["open"] is room.open_floor
            assert by_chair or said[-1]["reason"] == "too_many"
