"""Suggest a change (anyone, no account) and the review queue: the diff, approve exactly it, reject with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from stayhere.directory.models import Meeting
from stayhere.service import listing, suggestions
from stayhere.service.models import ChangeRequest, ListingChange
from tests.service.factories import make_tree, signed_in
from tests.service.test_meeting_edit import form_data

pytestmark = pytest.mark.django_db


def suggest(meeting: Meeting, **changes: Any) -> Any:
    return Client().post(f"/meetings/{meeting.slug}/suggest", form_data(meeting, **changes))


def test_every_meeting_page_links_to_suggest_a_change() -> None:
    tree = make_tree()
    page = Client().get("/meetings/hope-tuesday").content.decode()
    assert ">Suggest a change</a>" in page
    assert 'href="/meetings/hope-tuesday/suggest"' in page
    assert tree


def test_the_form_answers_without_an_account_prefilled_with_the_listing_and_keeps_no_session() -> None:
    make_tree()
    answer = Client().get("/meetings/hope-tuesday/suggest")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'value="Hope Tuesday"' in text and 'value="19:00"' in text and 'value="America/Chicago"' in text
    assert "sessionid" not in answer.cookies
    assert Session.objects.count() == 0


def test_a_suggestion_keeps_only_the_fields_that_differ_and_changes_nothing_yet() -> None:
    tree = make_tree()
    answer = suggest(tree.meeting, start_time="19:30", note="It moved in May.", contact="me@example.org")
    assert answer.status_code == 200
    assert "your suggestion was sent" in answer.content.decode()
    request = ChangeRequest.objects.get()
    assert request.base == {"start_time": "19:00"}
    assert request.proposed == {"start_time": "19:30"}
    assert request.note == "It moved in May." and request.contact == "me@example.org"
    assert Meeting.objects.get(pk=tree.meeting.pk).start_time.strftime("%H:%M") == "19:00"


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({}, "Nothing differs from the listing"),
        ({"start_time": "half seven"}, "24-hour clock"),
        ({"timezone": "Nowhere/Land"}, "not an IANA time zone name"),
        ({"attendance": "online"}, "An online meeting needs a conference link"),
        ({"contact": "not-an-address"}, "Give an email address such as name@example.org"),
        ({"types": "O, QQQ"}, "QQQ: not a meeting type code"),
    ],
)
def test_a_bad_suggestion_is_answered_with_a_sentence_and_nothing_is_kept(
    changes: dict[str, Any], sentence: str
) -> None:
    tree = make_tree()
    answer = suggest(tree.meeting, **changes)
    assert answer.status_code == 400
    assert sentence in answer.content.decode().replace("&#x27;", "'")
    assert ChangeRequest.objects.count() == 0


def test_an_unknown_meeting_has_no_suggestion_form() -> None:
    assert Client().get("/meetings/no-such-meeting/suggest").status_code == 404


@override_settings(SUGGESTIONS_PER_MEETING=2, SUGGESTIONS_OVERALL=3)
def test_suggestions_are_limited_per_meeting_and_overall() -> None:
    tree = make_tree()
    assert suggest(tree.meeting, notes="one").status_code == 200
    assert suggest(tree.meeting, notes="two").status_code == 200
    limited = suggest(tree.meeting, notes="three")
    assert limited.status_code == 429
    assert "Please wait" in limited.content.decode() and int(limited["Retry-After"]) > 0
    assert suggest(tree.other_meeting, notes="elsewhere").status_code == 200  # another meeting's own count
    assert suggest(tree.other_meeting, notes="over the server's limit").status_code == 429
    assert ChangeRequest.objects.count() == 3


def test_the_queue_shows_a_reviewer_the_diff_and_refuses_the_outsider() -> None:
    tree = make_tree()
    suggest(tree.meeting, start_time="19:30", contact="me@example.org")
    request = ChangeRequest.objects.get()
    reviewer = signed_in(tree.reviewer)
    queue = reviewer.get("/service/bodies/north/requests").content.decode()
    assert f"Suggestion #{request.pk} for Hope Tuesday" in queue
    page = reviewer.get(f"/service/requests/{request.pk}").content.decode()
    assert "19:00" in page and "19:30" in page and "me@example.org" in page
    outsider = signed_in(tree.outsider)
    assert outsider.get("/service/bodies/north/requests").status_code == 403
    assert outsider.get(f"/service/requests/{request.pk}").status_code == 403
    assert outsider.post(f"/service/requests/{request.pk}", {"action": "approve"}).status_code == 403
    assert signed_in(tree.secretary).post(f"/service/requests/{request.pk}", {"action": "approve"}).status_code == 403
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.OPEN
    assert "Suggestion #" not in outsider.get("/service/bodies/south/requests").content.decode()


def test_approving_applies_exactly_the_diff_records_it_and_forgets_the_contact() -> None:
    tree = make_tree()
    suggest(tree.meeting, start_time="19:30", note="It moved.", contact="me@example.org")
    request = ChangeRequest.objects.get()
    # Meanwhile the secretary changes another field: the suggestion does not undo it.
    signed_in(tree.secretary).post("/service/meetings/hope-tuesday", form_data(tree.meeting, notes="Side door."))
    answer = signed_in(tree.reviewer).post(f"/service/requests/{request.pk}", {"action": "approve"})
    assert answer.status_code == 200
    assert "Approved" in answer.content.decode()
    meeting = Meeting.objects.get(pk=tree.meeting.pk)
    assert meeting.start_time.strftime("%H:%M") == "19:30"
    assert meeting.notes == "Side door."
    closed = ChangeRequest.objects.get()
    assert closed.status == ChangeRequest.Status.APPROVED and closed.closed_by == "north-review"
    assert closed.contact == "" and closed.note == ""
    change = ListingChange.objects.filter(kind="meeting", object_id=meeting.pk).first()
    assert change is not None
    assert change.who == f"suggestion #{request.pk}" and change.approved_by == "north-review"
    assert change.fields == {"start_time": ["19:00", "19:30"]}


def test_an_approval_is_refused_with_a_sentence_when_the_listing_changed_meanwhile() -> None:
    tree = make_tree()
    suggest(tree.meeting, start_time="19:30")
    request = ChangeRequest.objects.get()
    signed_in(tree.secretary).post("/service/meetings/hope-tuesday", form_data(tree.meeting, start_time="20:00"))
    answer = signed_in(tree.north_admin).post(f"/service/requests/{request.pk}", {"action": "approve"})
    assert answer.status_code == 409
    assert "The listing has changed since this suggestion was made (Starts)" in answer.content.decode()
    assert Meeting.objects.get(pk=tree.meeting.pk).start_time.strftime("%H:%M") == "20:00"
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.OPEN


def test_rejecting_needs_a_reason_then_keeps_it_and_forgets_the_contact() -> None:
    tree = make_tree()
    suggest(tree.meeting, name="Spam Meeting", contact="me@example.org")
    request = ChangeRequest.objects.get()
    reviewer = signed_in(tree.reviewer)
    bare = reviewer.post(f"/service/requests/{request.pk}", {"action": "reject", "reason": ""})
    assert bare.status_code == 400
    assert "Say why the suggestion is rejected" in bare.content.decode()
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.OPEN
    done = reviewer.post(f"/service/requests/{request.pk}", {"action": "reject", "reason": "The group kept its name."})
    assert done.status_code == 200
    closed = ChangeRequest.objects.get()
    assert closed.status == ChangeRequest.Status.REJECTED and closed.reason == "The group kept its name."
    assert closed.contact == ""
    assert Meeting.objects.get(pk=tree.meeting.pk).name == "Hope Tuesday"
    again = reviewer.post(f"/service/requests/{request.pk}", {"action": "approve"})
    assert again.status_code == 409 and "already been closed" in again.content.decode()


def test_an_approval_that_no_longer_makes_a_valid_listing_is_refused() -> None:
    tree = make_tree()
    request = suggestions.suggest(
        tree.meeting,
        {**listing.values(tree.meeting), "attendance": "hybrid", "conference_url": "https://meet.example.org/x"},
    )
    # The link the suggestion relied on is fine; now a suggestion for only the attendance, after the link went.
    only_attendance = ChangeRequest.objects.create(
        meeting=tree.meeting, base={"attendance": "in_person"}, proposed={"attendance": "online"}
    )
    answer = signed_in(tree.reviewer).post(f"/service/requests/{only_attendance.pk}", {"action": "approve"})
    assert answer.status_code == 409
    assert "would not make a valid listing" in answer.content.decode()
    assert Meeting.objects.get(pk=tree.meeting.pk).attendance == "in_person"
    assert request.status == ChangeRequest.Status.OPEN


def test_a_reviewer_edits_a_suggestion_then_approves_their_version() -> None:
    tree = make_tree()
    suggest(tree.meeting, start_time="19:30", notes="Side dor.")
    request = ChangeRequest.objects.get()
    reviewer = signed_in(tree.reviewer)
    page = reviewer.get(f"/service/requests/{request.pk}").content.decode()
    assert 'value="19:30"' in page and "Side dor." in page  # the form starts from the suggestion
    edited = form_data(tree.meeting, start_time="19:30", notes="Side door.")
    answer = reviewer.post(f"/service/requests/{request.pk}", {**edited, "action": "edit-approve"})
    assert answer.status_code == 200 and "Approved with your changes" in answer.content.decode()
    meeting = Meeting.objects.get(pk=tree.meeting.pk)
    assert meeting.start_time.strftime("%H:%M") == "19:30" and meeting.notes == "Side door."
    change = ListingChange.objects.get(kind="meeting", object_id=meeting.pk)
    assert change.who == f"suggestion #{request.pk}" and change.approved_by == "north-review"
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.APPROVED


def test_edit_then_approve_with_bad_input_applies_nothing_and_keeps_the_request_open() -> None:
    tree = make_tree()
    suggest(tree.meeting, start_time="19:30")
    request = ChangeRequest.objects.get()
    before = listing.values(Meeting.objects.get(pk=tree.meeting.pk))
    bad = {**form_data(tree.meeting, start_time="25:99"), "action": "edit-approve"}
    answer = signed_in(tree.reviewer).post(f"/service/requests/{request.pk}", bad)
    assert answer.status_code == 400
    assert "24-hour clock" in answer.content.decode()
    assert listing.values(Meeting.objects.get(pk=tree.meeting.pk)) == before
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.OPEN
    outsider = signed_in(tree.outsider).post(f"/service/requests/{request.pk}", {**bad, "start_time": "20:00"})
    assert outsider.status_code == 403
