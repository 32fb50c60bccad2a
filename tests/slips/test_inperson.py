"""In-person codes: this minute's and the last are accepted; older, later and other meetings' are refused."""

from __future__ import annotations

import pytest

from stayhere.directory.models import Attendance
from stayhere.slips import inperson
from stayhere.slips.errors import SlipRefused
from stayhere.slips.verify import verify_token
from tests.slips.factories import NOW, make_slip_meeting

pytestmark = pytest.mark.django_db

START = NOW - 40 * 60  # 19:10, ten minutes into the meeting
COMMIT = "ab" * 32


def in_person(minimum: int = 30):
    return make_slip_meeting(minimum=minimum, attendance=Attendance.IN_PERSON)


def code_at(meeting, key, now):
    minute = inperson.minute_of(now)
    return minute, inperson.minute_code(key, meeting.slug, minute)


def test_the_chair_screen_shows_a_code_that_changes_each_minute() -> None:
    meeting, _key = in_person()
    first, later = inperson.current(meeting.slug, START), inperson.current(meeting.slug, START + 60)
    assert first.path != later.path and later.minute == first.minute + 1
    assert first.path.startswith(f"/slips/here/{meeting.slug}/{first.minute}/")


def test_no_code_is_shown_when_the_meeting_is_not_being_held() -> None:
    meeting, _key = in_person()
    with pytest.raises(SlipRefused, match="not being held"):
        inperson.current(meeting.slug, NOW - 6 * 3600)


def test_arriving_then_scanning_after_the_minimum_gives_a_slip_with_the_minutes_between() -> None:
    meeting, key = in_person(minimum=30)
    minute, code = code_at(meeting, key, START)
    arrived = inperson.scan(meeting.slug, minute, code, "", "", START)
    assert arrived["minutes"] == 0 and "30 minutes" in arrived["wait"] and "slip" not in arrived
    minute, code = code_at(meeting, key, NOW)
    answer = inperson.scan(meeting.slug, minute, code, arrived["arrival"], COMMIT, NOW)
    slip = answer["slip"]["slip"]
    assert (slip["minutes"], slip["via"], slip["commitment"]) == (40, "in_person", COMMIT)
    assert verify_token(answer["slip"]["token"]).code == "valid"


def test_a_scan_before_the_minimum_gets_no_slip_but_says_how_long() -> None:
    meeting, key = in_person(minimum=30)
    minute, code = code_at(meeting, key, START)
    arrived = inperson.scan(meeting.slug, minute, code, "", "", START)
    minute, code = code_at(meeting, key, START + 10 * 60)
    answer = inperson.scan(meeting.slug, minute, code, arrived["arrival"], COMMIT, START + 10 * 60)
    assert "slip" not in answer and "in 20 minutes" in answer["wait"]


def test_the_code_of_the_minute_before_is_still_accepted() -> None:
    meeting, key = in_person(minimum=0)
    minute, code = code_at(meeting, key, NOW - 60)
    assert "slip" in inperson.scan(meeting.slug, minute, code, "", COMMIT, NOW)


def test_a_replayed_code_from_an_earlier_minute_is_refused() -> None:
    meeting, key = in_person(minimum=0)
    minute, code = code_at(meeting, key, NOW - 120)
    with pytest.raises(SlipRefused, match="earlier minute"):
        inperson.scan(meeting.slug, minute, code, "", COMMIT, NOW)


def test_a_code_from_another_meeting_is_refused() -> None:
    meeting, key = in_person(minimum=0)
    other, _other_key = in_person(minimum=0)
    minute, code = code_at(meeting, key, NOW)
    with pytest.raises(SlipRefused, match="not this meeting's code"):
        inperson.scan(other.slug, minute, code, "", COMMIT, NOW)


def test_a_truncated_or_invented_code_is_refused() -> None:
    meeting, key = in_person(minimum=0)
    minute, code = code_at(meeting, key, NOW)
    for bad in (code[:-3], "AAAAAAAAAAAAAAAA", ""):
        with pytest.raises(SlipRefused, match="not this meeting's code"):
            inperson.scan(meeting.slug, minute, bad, "", COMMIT, NOW)


def test_a_code_of_a_later_minute_is_refused() -> None:
    meeting, key = in_person(minimum=0)
    minute, code = code_at(meeting, key, NOW + 120)
    with pytest.raises(SlipRefused, match="not valid yet"):
        inperson.scan(meeting.slug, minute, code, "", COMMIT, NOW)


def test_an_arrival_ticket_from_another_meeting_counts_for_nothing() -> None:
    meeting, key = in_person(minimum=30)
    other, other_key = in_person(minimum=30)
    minute, code = code_at(other, other_key, START)
    ticket = inperson.scan(other.slug, minute, code, "", "", START)["arrival"]
    minute, code = code_at(meeting, key, NOW)
    answer = inperson.scan(meeting.slug, minute, code, ticket, COMMIT, NOW)
    assert answer["minutes"] == 0 and "slip" not in answer and answer["arrival"] != ticket


def test_a_forged_arrival_ticket_counts_for_nothing() -> None:
    meeting, key = in_person(minimum=30)
    minute, code = code_at(meeting, key, NOW)
    answer = inperson.scan(meeting.slug, minute, code, f"{minute - 60}.AAAAAAAAAAAAAAAA", COMMIT, NOW)
    assert answer["minutes"] == 0 and "slip" not in answer
