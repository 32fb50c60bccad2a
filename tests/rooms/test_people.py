"""Who is in the meeting: presence as one kind of change, merged per tick; a large meeting shows a count and the people
who matter now, and pages through the rest on request."""

from __future__ import annotations

import json
from typing import Any

from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.core.meeting import Join, Message
from stayhere.rooms.core.people import PEOPLE_LISTED, PEOPLE_PAGE
from stayhere.rooms.live import frames
from stayhere.rooms.live.hub import RoomHub
from tests.rooms.roomkit import CHAIR_KEY, T0, Meeting, config, run_async
from tests.rooms.test_hub import Tab


def crowd(size: int) -> tuple[Meeting, str, list[str]]:
    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    members = [meeting.join(f"Member {number}") for number in range(size - 1)]
    return meeting, chair, members


def test_n_joins_in_one_tick_reach_each_seat_already_there_as_one_presence_frame() -> None:
    hub = RoomHub(clock=lambda: T0)
    cfg = config()
    tabs: dict[str, Tab] = {}

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        for number in range(1, 4):
            seat = f"s{number:010d}"
            tabs[seat] = Tab()
            assert await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, f"Early {number}"), load)
        hub.flush("r")  # the tick: what was held goes out
        for tab in tabs.values():
            tab.frames.clear()
        for number in range(4, 14):  # ten joins, no tick between them
            seat = f"s{number:010d}"
            tabs[seat] = Tab()
            assert await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, f"Late {number}"), load)
        for number in range(1, 4):
            assert tabs[f"s{number:010d}"].types() == [], "nothing yet: the joins wait for the tick"
        hub.flush("r")
        for ticker in hub.tickers.values():
            ticker.cancel()

    run_async(steps())
    for number in range(1, 4):
        frames_seen = tabs[f"s{number:010d}"].frames
        assert [f["type"] for f in frames_seen] == ["people_changed"], "one presence frame for ten joins"
        change = frames_seen[0]
        assert [p["name"] for p in change["joined"]] == [f"Late {n}" for n in range(4, 14)]
        assert change["count"] == 13 and change["all"] is True


def test_presence_held_back_goes_before_the_next_frame_for_the_room_so_numbers_stay_in_order() -> None:
    hub = RoomHub(clock=lambda: T0)
    cfg = config(chat_policy="open")
    tabs: dict[str, Tab] = {}

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        for number, key in ((1, CHAIR_KEY), (2, None), (3, None)):
            seat = f"s{number:010d}"
            tabs[seat] = Tab()
            assert await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, f"N{number}", chair_key=key), load)
        await hub.handle("r", Message("s0000000002", "chat", {"text": "hello"}))
        for ticker in hub.tickers.values():
            ticker.cancel()

    run_async(steps())
    first = tabs["s0000000001"].frames
    numbers = [f["seq"] for f in first]
    assert numbers == sorted(numbers), numbers
    kinds = [f["type"] for f in first]
    assert kinds[-2:] == ["people_changed", "chat"], kinds
    assert [p["seat"] for p in first[-2]["joined"]][-2:] == ["s0000000002", "s0000000003"]


def test_merged_changes_leave_a_page_as_each_change_in_turn_would() -> None:
    held = frames.PeopleChanges()
    person = {"seat": "s1", "name": "A", "connected": True}
    held.add({"seq": 5, "joined": [person], "changed": [], "left": [], "count": 3, "all": True}, ("s0",))
    held.add({"seq": 6, "joined": [], "changed": [{**person, "name": "B"}], "left": [], "count": 3, "all": True}, None)
    held.add({"seq": 7, "joined": [{"seat": "s2"}], "changed": [], "left": [], "count": 4, "all": True}, ("s0",))
    held.add({"seq": 8, "joined": [], "changed": [{"seat": "s9"}], "left": ["s2"], "count": 3, "all": True}, ("s0",))
    merged = json.loads(held.frame())
    assert merged["seq"] == 8 and merged["count"] == 3
    assert merged["joined"] == [{**person, "name": "B"}], "a newcomer renamed in the batch comes with its new name"
    assert merged["changed"] == [{"seat": "s9"}] and merged["left"] == ["s2"]


def test_a_large_meetings_snapshot_holds_the_count_and_the_people_who_matter_not_every_name() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 20)
    meeting.say(members[5], "hand", up=True)
    meeting.say(chair, "role", seat=members[7], role="greeter")
    late = meeting.join("Late")
    snapshot = meeting.received(late, "welcome")[0]["snapshot"]
    assert snapshot["people_count"] == PEOPLE_LISTED + 21 and snapshot["people_all"] is False
    listed = {p["seat"] for p in snapshot["participants"]}
    assert listed == {chair, members[5], members[7], late}, "the chair, the queue, a servant, and the seat itself"


def test_a_small_meetings_snapshot_lists_everyone() -> None:
    meeting, chair, members = crowd(5)
    late = meeting.join("Late")
    snapshot = meeting.received(late, "welcome")[0]["snapshot"]
    assert snapshot["people_all"] is True and snapshot["people_count"] == 6
    assert {p["seat"] for p in snapshot["participants"]} == {chair, *members, late}


def test_a_member_joining_a_large_meeting_costs_the_others_a_count_not_a_name() -> None:
    meeting, chair, _ = crowd(PEOPLE_LISTED + 1)
    before = len(meeting.received(chair, "people_changed"))
    meeting.join("Plain member")
    meeting.join("Cohost", chair=True)
    changes = meeting.received(chair, "people_changed")[before:]
    assert changes[0]["joined"] == [], "a member: the count only"
    assert [p["name"] for p in changes[1]["joined"]] == ["Cohost"], "a host: by name"
    assert changes[1]["count"] == PEOPLE_LISTED + 3


def test_a_late_joiner_of_a_large_meeting_still_sees_who_has_the_floor() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 10)
    meeting.say(members[3], "hand", up=True)
    meeting.say(chair, "call")
    meeting.say(members[3], "accept")
    late = meeting.join("Late")
    snapshot = meeting.received(late, "welcome")[0]["snapshot"]
    assert snapshot["share"]["seat"] == members[3]
    assert members[3] in {p["seat"] for p in snapshot["participants"]}, "the speaker's name is there"


def test_a_raised_hand_in_a_large_meeting_tells_everyone_who_raised_it_in_the_queue_event_alone() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 10)
    before = len(meeting.received(chair, "people_changed"))
    meeting.say(members[9], "hand", up=True)
    meeting.say(members[2], "hand", up=True)
    queue = meeting.received(chair, "queue")[-1]
    assert queue["queue"] == [members[9], members[2]]
    assert [p["seat"] for p in queue["people"]] == [members[9], members[2]]
    assert len(meeting.received(chair, "people_changed")) == before, "one frame a hand: no presence change too"


def test_a_small_meetings_queue_event_names_nobody() -> None:
    meeting, chair, members = crowd(5)
    meeting.say(members[1], "hand", up=True)
    assert "people" not in meeting.received(chair, "queue")[-1]


def test_people_list_pages_through_everyone_in_joining_order() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 50)
    asker = members[-1]
    seen: list[str] = []
    start = 0
    while True:
        meeting.say(asker, "people_list", **{"from": start})
        page: dict[str, Any] = meeting.received(asker, "people_list")[-1]
        assert page["start"] == start and page["count"] == PEOPLE_LISTED + 50
        assert len(page["people"]) <= PEOPLE_PAGE
        seen.extend(p["seat"] for p in page["people"])
        start += len(page["people"])
        if start >= page["count"]:
            break
    assert seen == [chair, *members]
    assert all(len(meeting.received(m, "people_list")) == 0 for m in members[:-1]), "only the asker gets it"


def test_people_list_is_refused_in_the_waiting_room() -> None:
    meeting = Meeting(waiting_room=True)
    meeting.join("Chair", chair=True)
    waiting = meeting.join("Waiting")
    assert meeting.errors(meeting.say(waiting, "people_list")) == ["waiting"]


def test_a_large_meeting_that_shrinks_back_tells_everyone_of_everyone_once() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 1)
    before = len(meeting.received(chair, "people_changed"))
    meeting.say(members[0], "leave")
    change = meeting.received(chair, "people_changed")[before:]
    assert change[-1]["all"] is True
    assert len(change[-1]["changed"]) == PEOPLE_LISTED


def test_a_member_of_a_large_meeting_who_drops_and_comes_back_sends_nobody_anything() -> None:
    meeting, chair, members = crowd(PEOPLE_LISTED + 10)
    before = len(meeting.received(chair, "people_changed"))
    meeting.drop(members[4])
    meeting.resume(members[4])
    assert len(meeting.received(chair, "people_changed")) == before


def test_in_a_small_meeting_a_drop_is_told_to_everyone() -> None:
    meeting, chair, members = crowd(5)
    meeting.drop(members[1])
    change = meeting.received(chair, "people_changed")[-1]
    assert [(p["seat"], p["connected"]) for p in change["changed"]] == [(members[1], False)]


def test_held_presence_goes_before_an_error_answered_to_one_seat_so_answers_keep_their_order() -> None:
    hub = RoomHub(clock=lambda: T0)
    cfg = config()
    tabs: dict[str, Tab] = {}

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        for number, key in ((1, CHAIR_KEY), (2, None)):
            seat = f"s{number:010d}"
            tabs[seat] = Tab()
            assert await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, f"N{number}", chair_key=key), load)
        hub.flush("r")
        for tab in tabs.values():
            tab.frames.clear()
        await hub.handle("r", Message("s0000000002", "rename", {"name": "Renamed"}))  # held until the tick
        tabs["s0000000002"].push(hub.error("r", "bad_message", "Not a message.", "zz"))  # the consumer's answer
        for ticker in hub.tickers.values():
            ticker.cancel()

    run_async(steps())
    kinds = [(f["type"], f.get("ref")) for f in tabs["s0000000002"].frames]
    assert kinds == [("people_changed", None), ("error", "zz")], kinds
    assert tabs["s0000000002"].frames[0]["changed"][0]["name"] == "Renamed"
    numbers = [f["seq"] for f in tabs["s0000000002"].frames]
    assert numbers == sorted(numbers), numbers
