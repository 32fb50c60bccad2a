"""The published records: the directory's rules applied once, for every format that lays them out."""

from __future__ import annotations

import pytest

from stayhere.directory.feeds import meeting_guide, tsml_csv
from stayhere.directory.feeds.records import PublicContact, PublishedGroup, PublishedMeeting, published_meetings
from stayhere.directory.models import Attendance, Group, Meeting
from tests.directory.factories import make_location, make_meeting

PREFIX = "https://meetings.example.org/meetings/"


def _published() -> dict[str, PublishedMeeting]:
    return {meeting.slug: meeting for meeting in published_meetings(PREFIX)}


@pytest.mark.django_db
def test_an_online_meeting_is_published_without_its_place():
    hall = make_location()
    make_meeting("Online", attendance=Attendance.ONLINE, location=hall, slug="online")
    make_meeting("Hybrid", attendance=Attendance.HYBRID, location=hall, slug="hybrid")
    published = _published()
    assert published["online"].place is None
    assert published["hybrid"].place is not None and published["hybrid"].place.city == "Springfield"


@pytest.mark.django_db
def test_days_are_published_only_with_a_start_time():
    make_meeting("Timed", days=[1, 3], start="07:05", end="08:00", slug="timed")
    make_meeting("No time", days=[2], slug="no-time")
    make_meeting("No day", days=[2], slug="no-day")
    # Neither passes the model's validation; an older row or a hand edit may still hold one.
    Meeting.objects.filter(slug="no-time").update(start_time=None, end_time=None)
    Meeting.objects.filter(slug="no-day").update(day_mask=0)
    published = _published()
    assert (published["timed"].days, published["timed"].start, published["timed"].end) == ((1, 3), "07:05", "08:00")
    for slug in ("no-time", "no-day"):
        assert (published[slug].days, published[slug].start, published[slug].end) == ((), None, None)


@pytest.mark.django_db
def test_contacts_are_published_only_when_public_three_at_most_by_first_name():
    contacts = [{"name": f"Person{n} Surname", "email": f"p{n}@example.org", "phone": ""} for n in range(1, 5)]
    Group.objects.create(name="Private", slug="private", contacts=contacts)
    Group.objects.create(name="Public", slug="public", contacts=contacts, contacts_public=True)
    make_meeting("A", group=Group.objects.get(slug="private"), slug="a")
    make_meeting("B", group=Group.objects.get(slug="public"), slug="b")
    published = _published()
    assert published["a"].group is not None and published["a"].group.contacts == ()
    assert published["b"].group is not None
    assert [contact.name for contact in published["b"].group.contacts] == ["Person1", "Person2", "Person3"]


@pytest.mark.django_db
def test_the_groups_own_codes_follow_the_meetings_types_and_a_nameless_group_is_not_shown():
    group = Group.objects.create(name="", slug="nameless", moud_welcome=True, harm_reduction=True)
    make_meeting("Codes", types=["O", "D"], group=group, slug="codes", url="https://elsewhere.example/m")
    (meeting,) = published_meetings(PREFIX)
    assert meeting.types == ("O", "D", "MOUD", "HRED")
    assert meeting.group is None
    assert meeting.url == "https://elsewhere.example/m"


@pytest.mark.django_db
def test_a_meeting_without_its_own_link_points_at_its_page_here():
    make_meeting("Here", slug="here")
    assert _published()["here"].url == PREFIX + "here"


def _record(**changes: object) -> PublishedMeeting:
    values: dict[str, object] = dict(
        slug="s", name="Name", days=(1, 4), start="18:00", end=None, timezone="America/Chicago",
        attendance="phone", types=("O",), regions=("Texas", "Austin"), place=None,
        group=PublishedGroup("G", "", "", "", "", (PublicContact("Jo", "", "555"),)),
        conference_url="", conference_url_notes="", conference_phone="+1 555 0100", conference_phone_notes="",
        notes="", venmo="", square="", paypal="", homegroup_online="", feedback_url="", url="https://x.example/s",
        updated="2026-03-02 12:00:00",
    )  # fmt: skip
    values.update(changes)
    return PublishedMeeting(**values)  # type: ignore[arg-type]


def test_the_formats_lay_out_a_record_without_a_database():
    meeting = _record()
    item = meeting_guide.render(meeting)
    assert item["day"] == [1, 4] and item["attendance_option"] == "online"
    assert item["formatted_address"] == "Austin, Texas" and item["approximate"] == "yes"
    assert item["contact_1_name"] == "Jo" and item["contact_1_phone"] == "555" and "contact_1_email" not in item
    rows = tsml_csv.render_rows(meeting)
    assert [row[:3] for row in rows] == [["s-monday", "Name", "Monday"], ["s-thursday", "Name", "Thursday"]]
    assert all(len(row) == len(tsml_csv.COLUMNS) for row in rows)
    assert dict(zip(tsml_csv.COLUMNS, rows[0], strict=True))["Contact 1 Phone"] == "555"
