"""The secretary's pages: the group's meetings, the edit form, marking a meeting inactive, and the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stayhere.directory.models import Attendance, Meeting, MeetingSlot
from stayhere.service import listing
from stayhere.service.models import ListingChange
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db


def form_data(meeting: Meeting, **changes: Any) -> dict[str, Any]:
    values = listing.values(meeting)
    data: dict[str, Any] = {**values, "days": [str(day) for day in values["days"]], "types": ", ".join(values["types"])}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_secretary_sees_their_group_s_meetings_and_the_outsider_is_refused() -> None:
    tree = make_tree()
    page = signed_in(tree.secretary).get("/service/groups/hope")
    assert page.status_code == 200
    assert "Hope Tuesday" in page.content.decode()
    refused = signed_in(tree.outsider).get("/service/groups/hope")
    assert refused.status_code == 403
    assert "Your roles do not cover this" in refused.content.decode()


def test_a_visitor_is_sent_to_sign_in() -> None:
    make_tree()
    answer = Client().get("/service/meetings/hope-tuesday")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/service/sign-in?next=/service/meetings/hope-tuesday")


def test_a_secretary_edits_a_meeting_and_the_history_records_who_and_what() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    page = client.get("/service/meetings/hope-tuesday")
    assert page.status_code == 200
    assert 'value="Hope Tuesday"' in page.content.decode()
    answer = client.post(
        "/service/meetings/hope-tuesday", form_data(tree.meeting, start_time="18:30", days=["2", "4"], types="O, D")
    )
    assert answer.status_code == 302, answer.content.decode()
    meeting = Meeting.objects.get(pk=tree.meeting.pk)
    assert meeting.start_time.strftime("%H:%M") == "18:30"
    assert meeting.days == [2, 4]
    assert meeting.types == ["O", "D"]
    assert MeetingSlot.objects.filter(meeting=meeting).count() == 2  # the finder's index follows
    change = ListingChange.objects.get(kind="meeting", object_id=meeting.pk)
    assert change.who == "hope-sec"
    assert change.fields["start_time"] == ["19:00", "18:30"]
    assert change.fields["days"] == [[2], [2, 4]]
    shown = client.get("/service/meetings/hope-tuesday?done=saved").content.decode()
    assert "Saved." in shown
    assert "hope-sec" in shown and "18:30" in shown and "Thursday" in shown


def test_saving_the_form_unchanged_changes_nothing_and_records_nothing() -> None:
    tree = make_tree()
    answer = signed_in(tree.secretary).post("/service/meetings/hope-tuesday", form_data(tree.meeting))
    assert answer.status_code == 302 and answer["Location"].endswith("?done=unchanged")
    assert ListingChange.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "sentence"),
    [
        ({"name": ""}, "name", "Give the meeting's name."),
        ({"start_time": "7pm"}, "start_time", "24-hour clock"),
        ({"start_time": ""}, "start_time", "A meeting held on set days needs a start time."),
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA time zone name"),
        ({"attendance": "teleport"}, "attendance", "Choose one of the ways to attend listed."),
        ({"attendance": "online"}, "conference_url", "An online meeting needs a conference link"),
        ({"attendance": "inactive"}, "inactive_reason", "Say why the meeting is inactive"),
        ({"conference_url": "not a link"}, "conference_url", "Give the whole link"),
        ({"types": "O, ZZZ"}, "types", "ZZZ: not a meeting type code"),
        ({"types": "O, ONL"}, "types", "ONL is not a type here"),
        ({"types": "O, MOUD"}, "types", "can only be said by the group itself"),
        ({"days": ["9"]}, "days", "Tick days from Sunday to Saturday."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
    ],
)
def test_bad_input_is_answered_with_a_sentence_and_changes_nothing(
    changes: dict[str, Any], field: str, sentence: str
) -> None:
    tree = make_tree()
    before = listing.values(Meeting.objects.get(pk=tree.meeting.pk))
    answer = signed_in(tree.secretary).post("/service/meetings/hope-tuesday", form_data(tree.meeting, **changes))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Nothing was saved" in text
    assert sentence in " ".join(answer.context["form"].errors[field])
    assert listing.values(Meeting.objects.get(pk=tree.meeting.pk)) == before
    assert ListingChange.objects.count() == 0


def test_the_outsider_cannot_edit_the_meeting() -> None:
    tree = make_tree()
    before = listing.values(tree.meeting)
    for user in (tree.outsider, tree.reviewer, tree.lapsed):
        answer = signed_in(user).post("/service/meetings/hope-tuesday", form_data(tree.meeting, name="Taken Over"))
        assert answer.status_code == 403
    assert listing.values(Meeting.objects.get(pk=tree.meeting.pk)) == before


def test_a_secretary_marks_a_meeting_temporarily_inactive_with_a_reason_and_a_date() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    answer = client.post(
        "/service/meetings/hope-tuesday",
        {"action": "inactive", "reason": "Hall closed for repairs", "until": "2099-01-31"},
    )
    assert answer.status_code == 302
    meeting = Meeting.objects.get(pk=tree.meeting.pk)
    assert meeting.attendance == Attendance.INACTIVE
    assert meeting.inactive_reason == "Hall closed for repairs"
    assert meeting.inactive_until is not None and meeting.inactive_until.isoformat() == "2099-01-31"
    public = Client().get("/meetings/hope-tuesday").content.decode()
    assert "Hall closed for repairs" in public and "2099-01-31" in public


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"reason": "", "until": ""}, "Say why the meeting is inactive"),
        ({"reason": "Closed", "until": "31/01/2099"}, "year-month-day"),
        ({"reason": "Closed", "until": "2000-01-01"}, "The date is in the past"),
    ],
)
def test_marking_inactive_with_bad_input_changes_nothing(data: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    answer = signed_in(tree.secretary).post("/service/meetings/hope-tuesday", {"action": "inactive", **data})
    assert answer.status_code == 400
    assert sentence in answer.content.decode()
    assert Meeting.objects.get(pk=tree.meeting.pk).attendance == Attendance.IN_PERSON
