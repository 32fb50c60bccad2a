"""The room state machine, one behaviour per test, with the clock in the test's hands."""

from __future__ import annotations

import pytest

from stayhere.rooms.core import safety
from stayhere.rooms.core.effects import Error, Send
from stayhere.rooms.core.meeting import PERMISSIONS, Join
from stayhere.rooms.core.snapshot import snapshot_for
from tests.rooms.roomkit import CHAIR_KEY, Meeting


def chaired(**changes: object) -> tuple[Meeting, str]:
    meeting = Meeting(**changes)
    chair = meeting.join("Chair", chair=True)
    return meeting, chair


def test_a_chair_link_makes_the_first_host_the_chair_and_the_next_a_cohost() -> None:
    meeting, chair = chaired()
    second = meeting.join("Second host", chair=True)
    assert meeting.live.seats[chair].role == "chair"
    assert meeting.live.seats[second].role == "cohost"


def test_a_stale_chair_key_is_refused_rather_than_joining_as_a_member() -> None:
    meeting = Meeting()
    effects = meeting.apply(
        __import__("stayhere.rooms.core.meeting", fromlist=["Join"]).Join(
            seat="s0000000999", token="t", browser="b", name="Pat", chair_key="old-key"
        )
    )
    assert meeting.errors(effects) == ["forbidden"]
    assert meeting.live.seats == {}


def test_a_member_waits_until_a_host_admits_them_and_sees_nothing_before() -> None:
    meeting, chair = chaired(waiting_room=True)
    member = meeting.join("Alex")
    assert not meeting.live.seats[member].admitted
    welcome = meeting.received(member, "welcome")[0]
    assert "participants" not in welcome["snapshot"] and "chat" not in welcome["snapshot"]
    changed = meeting.received(chair, "waiting_changed")[-1]
    assert (changed["added"], changed["removed"], changed["count"]) == ([{"seat": member, "name": "Alex"}], [], 1)
    meeting.say(chair, "admit", seat=member)
    assert meeting.live.seats[member].admitted
    assert meeting.received(member, "admitted")


def test_a_waiting_seat_cannot_raise_a_hand_or_chat() -> None:
    meeting, _ = chaired(waiting_room=True)
    member = meeting.join("Alex")
    assert meeting.errors(meeting.say(member, "hand", up=True)) == ["waiting"]
    assert meeting.errors(meeting.say(member, "chat", text="hello")) == ["waiting"]
    assert meeting.live.queue == ()


def test_a_denied_seat_is_told_and_disconnected() -> None:
    meeting, chair = chaired(waiting_room=True)
    member = meeting.join("Intruder")
    meeting.say(chair, "deny", seat=member)
    assert member not in meeting.live.seats
    assert member in meeting.closed()


def test_a_wrong_passcode_is_refused_and_the_right_one_lets_you_in() -> None:
    meeting, _ = chaired(passcode="4321")
    before = dict(meeting.live.seats)
    assert meeting.errors(meeting.apply(_join("s0000000001", passcode="1234"))) == ["passcode"]
    assert dict(meeting.live.seats) == before
    meeting.apply(_join("s0000000002", passcode="4321"))
    assert "s0000000002" in meeting.live.seats


def test_a_locked_room_admits_nobody_new_but_a_host() -> None:
    meeting, chair = chaired()
    meeting.say(chair, "lock", locked=True)
    assert meeting.errors(meeting.apply(_join("s0000000003"))) == ["locked"]
    host = meeting.join("Co-host", chair=True)
    assert meeting.live.seats[host].role == "cohost"


def test_members_cannot_open_a_room_outside_its_schedule_but_a_chair_can() -> None:
    meeting = Meeting(scheduled=False)
    assert meeting.errors(meeting.apply(_join("s0000000004"))) == ["closed"]
    meeting.join("Chair", chair=True)
    meeting.apply(_join("s0000000005"))
    assert "s0000000005" in meeting.live.seats


def test_the_queue_keeps_raised_hands_in_order_and_a_seat_only_once() -> None:
    meeting, _chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(a, "hand", up=True)
    meeting.say(b, "hand", up=True)
    meeting.say(a, "hand", up=True)
    assert meeting.live.queue == (a, b)
    meeting.say(a, "hand", up=False)
    assert meeting.live.queue == (b,)
    assert meeting.received(a, "queue")[-1]["queue"] == [b]


def test_a_called_member_can_share_and_the_floor_follows_the_share() -> None:
    meeting, chair = chaired()
    meeting.say(chair, "segment", index=3)
    a = meeting.join("A")
    meeting.say(a, "hand", up=True)
    meeting.say(chair, "call")
    assert meeting.live.offer is not None and meeting.live.offer.seat == a
    meeting.say(a, "accept")
    share = meeting.live.share
    assert share is not None and share.seat == a and share.seconds == 180
    assert meeting.floors()[-1] == a
    meeting.say(a, "done")
    assert meeting.live.share is None
    assert meeting.floors()[-1] == chair
    assert meeting.live.seats[a].shares == 1


def test_passing_is_always_possible_and_ends_the_call() -> None:
    meeting, chair = chaired()
    a = meeting.join("A")
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "pass")
    assert meeting.live.offer is None and meeting.live.share is None
    assert meeting.received(chair, "passed")[-1]["seat"] == a


def test_nobody_but_the_called_seat_can_accept_or_pass() -> None:
    meeting, chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(chair, "call", seat=a)
    assert meeting.errors(meeting.say(b, "accept")) == ["no_offer"]
    assert meeting.errors(meeting.say(b, "pass")) == ["no_offer"]
    assert meeting.live.offer is not None and meeting.live.offer.seat == a


def test_an_unanswered_call_counts_as_a_pass_after_a_minute() -> None:
    meeting, chair = chaired()
    a = meeting.join("A")
    meeting.say(chair, "call", seat=a)
    meeting.tick(59)
    assert meeting.live.offer is not None
    meeting.tick(2)
    assert meeting.live.offer is None
    assert meeting.received(a, "passed")


def test_a_speaker_segment_gives_one_long_share() -> None:
    meeting, chair = chaired()
    meeting.say(chair, "segment", index=2)
    speaker = meeting.join("Speaker")
    meeting.say(chair, "call", seat=speaker)
    meeting.say(speaker, "accept")
    assert meeting.live.share is not None and meeting.live.share.seconds == 1200


def test_the_sharer_is_warned_once_near_the_end_then_told_time_is_up() -> None:
    meeting, chair = chaired()
    meeting.say(chair, "segment", index=3)
    a = meeting.join("A")
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "accept")
    meeting.tick(130)  # a 180-second share is warned 45 seconds before its end
    assert not meeting.received(a, "share_warning")
    meeting.tick(6)
    meeting.tick(1)
    warnings = meeting.received(a, "share_warning")
    assert len(warnings) == 1 and warnings[0]["seat"] == a
    meeting.tick(60)
    assert len(meeting.received(a, "time_up")) == 1


def test_the_chair_can_extend_and_end_a_share_and_a_member_cannot() -> None:
    meeting, chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "accept")
    ends = meeting.live.share.ends_at if meeting.live.share else 0
    assert meeting.errors(meeting.say(b, "extend", seconds=60)) == ["forbidden"]
    assert meeting.errors(meeting.say(b, "end_share")) == ["forbidden"]
    meeting.say(chair, "extend", seconds=60)
    assert meeting.live.share is not None and meeting.live.share.ends_at == ends + 60
    meeting.say(chair, "end_share")
    assert meeting.live.share is None
    assert meeting.received(a, "share_ended")[-1]["reason"] == "ended"


def test_a_timekeeper_may_end_a_share() -> None:
    meeting, chair = chaired()
    a, keeper = meeting.join("A"), meeting.join("Keeper")
    meeting.say(chair, "role", seat=keeper, role="timekeeper")
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "accept")
    meeting.say(keeper, "end_share")
    assert meeting.live.share is None


def test_round_robin_offers_each_participant_in_turn_then_starts_a_new_round() -> None:
    meeting, chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(chair, "mode", mode="round_robin")
    offered = []
    for _ in range(4):
        meeting.say(chair, "call")
        assert meeting.live.offer is not None
        offered.append(meeting.live.offer.seat)
        meeting.say(meeting.live.offer.seat, "pass")
    assert offered[:3] == [chair, a, b]
    assert offered[3] == chair


def test_everyone_once_before_anyone_twice_skips_those_who_shared() -> None:
    meeting, chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(chair, "mode", mode="raise_hand", once=True)
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "accept")
    meeting.say(a, "done")
    meeting.say(a, "hand", up=True)
    meeting.say(b, "hand", up=True)
    meeting.say(chair, "call")
    assert meeting.live.offer is not None and meeting.live.offer.seat == b


def test_a_member_cannot_use_any_host_only_message() -> None:
    meeting, _chair = chaired()
    member, other = meeting.join("Member"), meeting.join("Other")
    host_only = {kind for kind, roles in PERMISSIONS.items() if roles is not None}
    fields = {"seat": other, "index": 1, "seconds": 60, "mode": "round_robin", "role": "cohost", "locked": True}
    fields |= {"removal": 1, "id": 1, "policy": "open"}
    for kind in sorted(host_only):
        before = meeting.live
        effects = meeting.say(member, kind, **fields)
        assert meeting.errors(effects) == ["forbidden"], kind
        assert meeting.live == before, kind


def test_only_the_chair_moves_through_the_format_and_everyone_sees_the_reading() -> None:
    meeting, chair = chaired()
    member = meeting.join("M")
    meeting.say(chair, "segment", index=4)
    event = meeting.received(member, "segment")[-1]
    assert event["index"] == 4 and event["segment"]["text"] == "Keep coming back."


def test_hosts_only_chat_reaches_the_hosts_during_the_meeting_and_everyone_at_the_closing() -> None:
    meeting, chair = chaired(chat_policy="hosts")
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(a, "chat", text="is there a phone list?")
    assert meeting.received(chair, "chat")[-1]["text"] == "is there a phone list?"
    assert not meeting.received(b, "chat")
    meeting.say(chair, "segment", index=4)
    meeting.say(a, "chat", text="thank you all")
    assert meeting.received(b, "chat")[-1]["text"] == "thank you all"


def test_chat_off_refuses_messages_but_reports_still_reach_the_hosts() -> None:
    meeting, chair = chaired(chat_policy="off")
    a = meeting.join("A")
    assert meeting.errors(meeting.say(a, "chat", text="hi")) == ["chat_off"]
    meeting.say(a, "report", text="someone is posting hateful things")
    assert meeting.received(chair, "report")[-1]["text"] == "someone is posting hateful things"


def test_reports_go_to_hosts_and_the_sender_only() -> None:
    meeting, chair = chaired(chat_policy="open")
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(a, "report", text="B is recording", about=b)
    assert meeting.received(chair, "report") and meeting.received(a, "report")
    assert not meeting.received(b, "report")


def test_private_messages_need_the_groups_permission() -> None:
    meeting, _ = chaired(chat_policy="open")
    a, b = meeting.join("A"), meeting.join("B")
    assert meeting.errors(meeting.say(a, "chat", text="psst", to=b)) == ["forbidden"]
    allowed, _ = chaired(chat_policy="open", allow_private=True)
    c, d, e = allowed.join("C"), allowed.join("D"), allowed.join("E")
    allowed.say(c, "chat", text="psst", to=d)
    assert allowed.received(d, "chat") and not allowed.received(e, "chat")


def test_a_chat_flood_is_slowed_per_seat() -> None:
    meeting, _ = chaired(chat_policy="open")
    a = meeting.join("A")
    codes = [meeting.errors(meeting.say(a, "chat", text=f"m{i}")) for i in range(6)]
    assert codes[:5] == [[]] * 5 and codes[5] == ["flood"]
    meeting.tick(11)
    assert meeting.errors(meeting.say(a, "chat", text="later")) == []


def test_a_host_deletes_a_message_for_everyone() -> None:
    meeting, chair = chaired(chat_policy="open")
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(a, "chat", text="spam spam")
    message_id = meeting.received(b, "chat")[-1]["id"]
    meeting.say(chair, "delete_chat", id=message_id)
    assert meeting.received(b, "chat_deleted")[-1]["id"] == message_id
    assert snapshot_for(meeting.live, b)["chat"] == []


def test_a_removed_seat_cannot_rejoin_from_the_same_browser_until_the_removal_is_undone() -> None:
    meeting, chair = chaired()
    intruder = meeting.join("Intruder", browser="browser-x")
    meeting.say(intruder, "hand", up=True)
    meeting.say(chair, "remove", seat=intruder)
    assert intruder not in meeting.live.seats and meeting.live.queue == ()
    assert intruder in meeting.closed()
    again = meeting.apply(_join("s0000000010", browser="browser-x"))
    assert meeting.errors(again) == ["removed"]
    removal = meeting.received(chair, "removals")[-1]["removals"][0]
    meeting.say(chair, "unremove", removal=removal["id"])
    meeting.apply(_join("s0000000011", browser="browser-x"))
    assert "s0000000011" in meeting.live.seats


def test_removing_the_sharer_ends_the_share() -> None:
    meeting, chair = chaired()
    a = meeting.join("A")
    meeting.say(chair, "call", seat=a)
    meeting.say(a, "accept")
    meeting.say(chair, "remove", seat=a)
    assert meeting.live.share is None
    assert meeting.received(chair, "share_ended")[-1]["reason"] == "removed"


def test_a_cohost_cannot_remove_the_chair_or_another_cohost() -> None:
    meeting, chair = chaired()
    cohost, other = meeting.join("Co", chair=True), meeting.join("Co2", chair=True)
    assert meeting.errors(meeting.say(cohost, "remove", seat=chair)) == ["forbidden"]
    assert meeting.errors(meeting.say(cohost, "remove", seat=other)) == ["forbidden"]


def test_host_actions_are_logged_for_hosts_only() -> None:
    meeting, chair = chaired()
    a = meeting.join("A")
    meeting.say(chair, "mute", seat=a)
    assert meeting.received(chair, "host_log")[-1]["entry"]["action"] == "mute"
    assert not meeting.received(a, "host_log")


def test_the_chair_hands_the_chair_on_and_becomes_a_cohost() -> None:
    meeting, chair = chaired()
    a = meeting.join("A")
    meeting.say(chair, "hand_chair", seat=a)
    assert meeting.live.seats[a].role == "chair" and meeting.live.seats[chair].role == "cohost"
    assert meeting.errors(meeting.say(chair, "segment", index=1)) == ["forbidden"]


def test_a_dropped_seat_keeps_its_place_within_the_grace_period() -> None:
    meeting, _chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    meeting.say(a, "hand", up=True)
    meeting.say(b, "hand", up=True)
    meeting.drop(a)
    meeting.tick(30)
    effects = meeting.resume(a, last_seq=3)
    assert meeting.errors(effects) == []
    assert meeting.live.queue == (a, b) and meeting.live.seats[a].connected


def test_a_dropped_seat_is_gone_after_the_grace_period() -> None:
    meeting, _chair = chaired()
    a = meeting.join("A")
    meeting.say(a, "hand", up=True)
    meeting.drop(a)
    meeting.tick(61)
    assert a not in meeting.live.seats and meeting.live.queue == ()
    assert meeting.errors(meeting.resume(a)) == ["resume_failed"]


def test_a_resume_with_a_wrong_token_is_refused() -> None:
    meeting, _ = chaired()
    a = meeting.join("A")
    meeting.drop(a)
    assert meeting.errors(meeting.resume(a, token="guess")) == ["resume_failed"]


def test_when_the_chair_leaves_a_cohost_takes_the_chair() -> None:
    meeting, chair = chaired()
    cohost = meeting.join("Co", chair=True)
    meeting.say(chair, "leave")
    assert meeting.live.seats[cohost].role == "chair"


def test_the_chair_is_reminded_before_the_end_and_the_room_closes_after_it() -> None:
    meeting, chair = chaired()
    meeting.tick(3600 - 300)
    assert meeting.received(chair, "reminder")[-1]["minutes"] == 5
    meeting.tick(300 + 15 * 60)
    assert meeting.room is None and meeting.deleted()


def test_ending_the_meeting_deletes_everything() -> None:
    meeting, chair = chaired()
    meeting.join("A")
    meeting.say(chair, "end")
    assert meeting.room is None and meeting.deleted()
    assert any(send.event["type"] == "ended" for send in meeting.sent)


def test_when_everyone_has_left_nothing_remains() -> None:
    meeting, chair = chaired()
    meeting.say(chair, "leave")
    assert meeting.room is None


def test_every_event_carries_a_rising_sequence_number() -> None:
    meeting, _chair = chaired()
    a = meeting.join("A")
    meeting.say(a, "hand", up=True)
    numbers = [send.event["seq"] for send in meeting.sent if send.keep]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert meeting.live.seq == max(send.event["seq"] for send in meeting.sent)


def test_a_name_that_looks_like_an_email_gets_advice_not_a_refusal() -> None:
    meeting, _ = chaired()
    seat = meeting.join("sam@example.org")
    assert seat in meeting.live.seats
    assert "email" in meeting.received(seat, "welcome")[0]["advice"]


def _join(seat: str, **fields: object) -> object:
    from stayhere.rooms.core.meeting import Join

    return Join(seat=seat, token="t" + seat, browser=str(fields.pop("browser", "b" + seat)), name="Pat", **fields)  # type: ignore[arg-type]


COMMITMENT = "ab" * 32


def test_a_slip_needs_the_groups_minimum_time_and_the_end_of_the_meeting() -> None:
    meeting, _chair = chaired(slips=True, slip_minimum_minutes=45)
    member = meeting.join("M")
    meeting.tick(30 * 60)
    assert meeting.errors(meeting.say(member, "slip", commitment=COMMITMENT)) == ["too_early"]
    meeting.tick(20 * 60)  # 50 minutes in, 10 before the scheduled end
    effects = meeting.say(member, "slip", commitment=COMMITMENT)
    issued = [e for e in effects if type(e).__name__ == "IssueSlip"]
    assert len(issued) == 1 and issued[0].minutes == 50 and issued[0].commitment == COMMITMENT  # type: ignore[attr-defined]
    assert meeting.errors(effects) == []


def test_a_slip_is_refused_where_the_group_gives_none() -> None:
    meeting, _ = chaired(slips=False)
    member = meeting.join("M")
    meeting.tick(3000)
    assert meeting.errors(meeting.say(member, "slip", commitment=COMMITMENT)) == ["slips_off"]


def test_the_closing_opens_slips_even_before_the_last_quarter_hour() -> None:
    meeting, chair = chaired(slips=True, slip_minimum_minutes=1, ends_at=10_000_000_000.0)
    member = meeting.join("M")
    meeting.tick(120)
    assert meeting.errors(meeting.say(member, "slip", commitment=COMMITMENT)) == ["too_early"]
    meeting.say(chair, "segment", index=4)
    assert meeting.errors(meeting.say(member, "slip", commitment=COMMITMENT)) == []


def test_wrong_passcodes_are_limited_per_meeting_whatever_the_connection() -> None:
    meeting, _ = chaired(passcode="4321")
    for number in range(20):
        assert meeting.errors(meeting.apply(_join(f"s{number:010d}", passcode="0000"))) == ["passcode"]
    assert meeting.errors(meeting.apply(_join("s0000000099", passcode="4321"))) == ["passcode_limit"]
    meeting.tick(61)
    meeting.apply(_join("s0000000098", passcode="4321"))
    assert "s0000000098" in meeting.live.seats


def test_a_host_mute_tells_the_audio_which_seats_to_mute() -> None:
    from stayhere.rooms.core.effects import Muted

    meeting, chair = chaired()
    a, b = meeting.join("A"), meeting.join("B")
    assert [e for e in meeting.say(chair, "mute", seat=a) if isinstance(e, Muted)] == [Muted((a,))]
    assert [e for e in meeting.say(chair, "mute_all") if isinstance(e, Muted)] == [Muted((a, b))]
    assert not [e for e in meeting.say(a, "mute", seat=b) if isinstance(e, Muted)]


def test_a_refusal_for_the_role_says_whom_to_ask() -> None:
    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    cohost = meeting.join("Co", chair_key=CHAIR_KEY)
    member = meeting.join("Alex")
    assert meeting.live.seats[cohost].role == "cohost"
    said = {
        (who, kind): next(e.message for e in meeting.say(who, kind, **fields) if isinstance(e, Error))
        for who, kind, fields in (
            (cohost, "end", {}),
            (member, "extend", {"seconds": 60}),
            (member, "admit_all", {}),
            (member, "lock", {"locked": True}),
        )
    }
    assert said[(cohost, "end")] == "Only the chair can do that. Ask the chair."
    assert said[(member, "extend")] == "Only the chair or the timekeeper can do that."
    assert said[(member, "admit_all")] == "Only the meeting's hosts and greeters can do that."
    assert said[(member, "lock")] == "Only the meeting's hosts can do that."
    assert chair in meeting.live.seats


def test_people_nobody_admitted_can_never_make_a_meeting_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "WAITING_MAX", 3)
    monkeypatch.setattr(safety, "SEATS_MAX", 4)
    meeting = Meeting(waiting_room=True)
    chair = meeting.join("Chair", chair=True)
    fillers = [meeting.join(f"Filler {n}") for n in range(3)]
    assert all(not meeting.live.seats[seat].admitted for seat in fillers)
    before = meeting.live
    late = meeting.apply(Join("s0000999999", "t", "b-late", "Late"))
    assert meeting.errors(late) == ["waiting_full"] and meeting.live == before
    # The waiting room being full never keeps a host out, and the meeting's own seats are still free.
    cohost = meeting.join("Co-host", chair_key=CHAIR_KEY)
    assert meeting.live.seats[cohost].admitted

    # One host action clears the waiting room: each is told and let go; the room is left as it was before them.
    effects = meeting.say(chair, "deny_all")
    assert sorted(meeting.closed()) == sorted(fillers)
    denied = [e for e in effects if isinstance(e, Send) and e.event["type"] == "denied"]
    assert sorted(send.to[0] for send in denied) == sorted(fillers)
    assert not meeting.live.waiting() and meeting.errors(effects) == []
    assert meeting.errors(meeting.say(chair, "deny_all")) == ["nobody_waiting"]
    newcomer = meeting.join("Newcomer")
    assert not meeting.live.seats[newcomer].admitted, "a real newcomer gets into the waiting room again"


def test_hosts_learn_of_the_waiting_room_in_small_deltas_and_pages_never_the_whole_list() -> None:
    meeting = Meeting(waiting_room=True)
    chair = meeting.join("Chair", chair=True)
    greeter = meeting.join("Greeter", chair=True)
    meeting.say(chair, "role", seat=greeter, role="greeter")
    waiting = [meeting.join(f"Waiting {n}") for n in range(safety.WAITING_MAX)]
    changes = meeting.received(chair, "waiting_changed")
    assert len(changes) == len(waiting), "one delta per join"
    assert all(len(change["added"]) == 1 and change["removed"] == [] for change in changes), "never the whole list"
    assert [change["count"] for change in changes] == list(range(1, len(waiting) + 1))
    assert not meeting.received(chair, "waiting_list"), "no list is pushed"

    # A fresh snapshot holds the first page and the count; the rest comes a page at a time, to whoever asked.
    snapshot = snapshot_for(meeting.live, chair)
    page = snapshot_for(meeting.live, chair)["waiting"]
    assert [w["seat"] for w in page] == waiting[: len(page)] and snapshot["waiting_count"] == len(waiting)
    assert len(page) < len(waiting)
    meeting.say(greeter, "waiting_list", **{"from": len(page)})
    rest = meeting.received(greeter, "waiting_list")[-1]
    assert [w["seat"] for w in rest["waiting"]] == waiting[len(page) :][: len(page)]
    assert (rest["start"], rest["count"]) == (len(page), len(waiting))
    assert not meeting.received(chair, "waiting_list"), "a page goes only to the one who asked"
    member = meeting.join("Member", chair=True)
    meeting.say(chair, "role", seat=member, role="member")
    assert meeting.errors(meeting.say(member, "waiting_list")) == ["forbidden"]

    # Letting one in, turning one away, and one leaving are each one small delta; admitting all is one delta.
    meeting.say(chair, "admit", seat=waiting[0])
    meeting.say(chair, "deny", seat=waiting[1])
    meeting.say(waiting[2], "leave")
    meeting.say(waiting[3], "rename", name="Renamed")
    last = meeting.received(chair, "waiting_changed")[-4:]
    assert [(c["added"], c["removed"]) for c in last] == [
        ([], [waiting[0]]),
        ([], [waiting[1]]),
        ([], [waiting[2]]),
        ([{"seat": waiting[3], "name": "Renamed"}], []),
    ]
    meeting.say(chair, "admit_all")
    everyone = meeting.received(chair, "waiting_changed")[-1]
    assert everyone["removed"] == waiting[3:] and everyone["count"] == 0


def test_locking_can_turn_away_everyone_already_waiting() -> None:
    meeting = Meeting(waiting_room=True)
    chair = meeting.join("Chair", chair=True)
    waiting = [meeting.join(f"Waiting {n}") for n in range(5)]
    meeting.say(chair, "lock", locked=True)
    assert [s.id for s in meeting.live.waiting()] == waiting, "a plain lock keeps who is waiting"
    meeting.say(chair, "lock", locked=False)
    effects = meeting.say(chair, "lock", locked=True, clear_waiting=True)
    assert meeting.live.locked and not meeting.live.waiting()
    assert sorted(meeting.closed()) == sorted(waiting)
    assert meeting.errors(effects) == []
    assert meeting.received(chair, "waiting_changed")[-1]["count"] == 0
    assert meeting.errors(meeting.apply(Join("s0000999999", "t", "b-late", "Late"))) == ["locked"]


def test_a_meeting_full_of_members_says_so_and_admitting_stops_at_its_seats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "SEATS_MAX", 3)
    meeting = Meeting(waiting_room=True)
    chair = meeting.join("Chair", chair=True)
    waiting = [meeting.join(f"Member {n}") for n in range(3)]
    meeting.say(chair, "admit_all")
    assert len(meeting.live.admitted()) == 3, "two of the three let in: the meeting has three seats"
    assert [s.id for s in meeting.live.waiting()] == waiting[2:], "the first who came went first"
    assert meeting.errors(meeting.say(chair, "admit", seat=waiting[2])) == ["full"]
    assert meeting.errors(meeting.say(chair, "admit_all")) == ["full"]


def test_a_chair_who_drops_and_opens_the_chair_link_again_is_the_chair_at_once() -> None:
    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    member = meeting.join("Alex")
    meeting.drop(chair)  # the tab closed; the grace period runs
    again = meeting.join("Chair", chair=True)  # the chair link opened anew, not a resume
    assert meeting.live.seats[again].role == "chair"
    assert meeting.live.seats[chair].role == "cohost", "the dropped seat co-hosts if it ever comes back"
    assert meeting.errors(meeting.say(again, "end")) == [] and meeting.room is None, "the chair can end the meeting"
    assert member


def test_a_second_chair_link_while_the_chair_is_present_is_a_cohost() -> None:
    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    other = meeting.join("Helper", chair=True)
    assert meeting.live.seats[chair].role == "chair" and meeting.live.seats[other].role == "cohost"


def test_a_drop_reported_for_an_older_connection_after_the_seat_resumed_changes_nothing() -> None:
    from stayhere.rooms.core.meeting import Disconnect

    meeting = Meeting()
    chair = meeting.join("Chair", chair=True)
    member = meeting.join("Alex")
    first = meeting.live.seats[member].epoch
    meeting.drop(member)
    meeting.resume(member)  # back on a new connection, perhaps through another worker
    assert meeting.live.seats[member].epoch == first + 1
    # The old connection's worker reports its drop late: the seat stays as it is, connected, nobody told.
    effects = meeting.apply(Disconnect(member, first))
    assert meeting.live.seats[member].connected and effects == []
    # A drop of the connection that holds the seat now, or of whichever (a worker that died), is a drop.
    meeting.apply(Disconnect(member, first + 1))
    assert not meeting.live.seats[member].connected
    meeting.resume(member)
    meeting.apply(Disconnect(member))
    assert not meeting.live.seats[member].connected
    assert chair in meeting.live.seats


def test_a_share_by_typing_reaches_the_room_for_the_shares_time_only_and_is_never_kept_for_replay() -> None:
    meeting = Meeting(chat_policy="off")  # a typed share is a share, not chat: it works with chat off
    chair = meeting.join("Chair", chair=True)
    member = meeting.join("Alex")
    other = meeting.join("Sam")
    assert meeting.errors(meeting.say(member, "share_text", text="not my turn")) == ["not_sharing"]
    meeting.say(member, "hand", up=True)
    meeting.say(chair, "call")
    meeting.say(member, "accept")
    effects = meeting.say(member, "share_text", text="I cannot speak tonight, so I am typing.")
    sent = [e for e in effects if isinstance(e, Send) and e.event["type"] == "share_text"]
    assert len(sent) == 1 and sent[0].keep is False, "never in the ring a resuming seat is replayed from"
    assert meeting.received(other, "share_text")[-1]["text"] == "I cannot speak tonight, so I am typing."
    assert snapshot_for(meeting.live, other)["share"]["typed"] == ["I cannot speak tonight, so I am typing."]
    assert meeting.errors(meeting.say(other, "share_text", text="me too")) == ["not_sharing"]
    for n in range(4):
        meeting.say(member, "share_text", text=f"line {n}")
    assert meeting.errors(meeting.say(member, "share_text", text="too fast")) == ["flood"], "the limits of chat"
    meeting.say(member, "done")
    assert meeting.live.share is None
    assert "typing" not in repr(meeting.live), "gone from the room when the share ends"
