"""A meeting held in a listed stayhere room carries the room's link in every feed; an unlisted room's does not."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from stayhere.directory.feeds import exporter, meeting_guide_sql
from stayhere.directory.models import Attendance, Meeting
from tests.directory.factories import make_location, make_meeting
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db


def _room_meeting(name: str, attendance: str = Attendance.ONLINE, **fields: Any) -> Meeting:
    """A meeting that meets in its room here and lists no other link (as a group sets one up, and the demo)."""
    meeting = make_meeting(name, attendance=attendance, has_room=True, **fields)
    Meeting.objects.filter(pk=meeting.pk).update(conference_url="", conference_url_notes="")
    meeting.refresh_from_db()
    return meeting


NOTES = "A meeting room on stayhere: open the link in a web browser. No account or app is needed."


def _feed(client: Client) -> dict[str, dict[str, Any]]:
    response = client.get("/feeds/meeting-guide.json")
    assert response.status_code == 200
    return {item["slug"]: item for item in json.loads(b"".join(response.streaming_content))}


def _csv(client: Client) -> dict[str, dict[str, str]]:
    response = client.get("/feeds/meetings.csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return {row["Slug"]: row for row in rows}


def test_a_listed_room_is_the_meetings_conference_url_in_the_feeds(client: Client) -> None:
    made = make_room(_room_meeting("Room Meeting"))
    slug = made.meeting.slug
    link = f"http://testserver/meetings/{slug}/room"
    item = _feed(client)[slug]
    assert item["attendance_option"] == "online"
    assert (item["conference_url"], item["conference_url_notes"]) == (link, NOTES)
    row = _csv(client)[slug]
    assert (row["Conference URL"], row["Conference URL Notes"]) == (link, NOTES)
    calendar = client.get(f"/meetings/{slug}.ics").content.decode().replace("\r\n ", "")
    assert f"URL:{link}" in calendar
    bmlt = client.get("/client_interface/json/?switcher=GetSearchResults").json()
    assert {m["virtual_meeting_link"] for m in bmlt} == {link}
    # The room page the link names is there for anyone.
    assert client.get(f"/meetings/{slug}/room").status_code == 200


def test_an_unlisted_room_gives_no_link_and_making_it_unlisted_changes_the_kept_feed(client: Client) -> None:
    made = make_room(_room_meeting("Room Meeting"))
    slug = made.meeting.slug
    assert "conference_url" in _feed(client)[slug]  # the feed is now kept on disk
    made.settings.unlisted = True
    made.settings.save()
    item = _feed(client)[slug]
    assert "conference_url" not in item and "conference_url_notes" not in item
    assert _csv(client)[slug]["Conference URL"] == ""
    assert "/room" not in client.get(f"/meetings/{slug}.ics").content.decode()
    bmlt = client.get("/client_interface/json/?switcher=GetSearchResults").json()
    assert [m["virtual_meeting_link"] for m in bmlt] == [""]


def test_a_meeting_without_a_room_keeps_its_own_link_and_one_with_a_room_gives_the_rooms(client: Client) -> None:
    own = make_meeting("Zoom Group", attendance=Attendance.ONLINE, conference_url="https://zoom.example/j/1")
    plain = make_meeting("No Room")  # in person
    both = make_room(
        make_meeting("Both", attendance=Attendance.ONLINE, has_room=True, conference_url="https://z.example/2")
    )
    feed = _feed(client)
    assert feed[own.slug]["conference_url"] == "https://zoom.example/j/1"
    assert "conference_url" not in feed[plain.slug]
    room = f"http://testserver/meetings/{both.meeting.slug}/room"  # it meets in the room
    assert (feed[both.meeting.slug]["conference_url"], feed[both.meeting.slug]["conference_url_notes"]) == (room, NOTES)


def test_the_database_built_feed_and_the_python_renderer_agree_on_room_links() -> None:
    listed = make_room(_room_meeting("Listed")).meeting
    unlisted = make_room(_room_meeting("Unlisted"), unlisted=True).meeting
    hybrid = make_room(_room_meeting("Hybrid", Attendance.HYBRID, location=make_location())).meeting
    alone = _room_meeting("No Group")  # no group, so no room settings that could unlist it
    prefix = "http://stayhere.example/meetings/"
    built = json.loads("".join(meeting_guide_sql.meeting_guide_chunks(prefix)))
    rendered = json.loads("".join(exporter.python_meeting_guide_chunks(prefix)))
    assert built == rendered
    links = {item["slug"]: item.get("conference_url", "") for item in built}
    assert links == {
        listed.slug: f"{prefix}{listed.slug}/room",
        unlisted.slug: "",
        hybrid.slug: f"{prefix}{hybrid.slug}/room",
        alone.slug: f"{prefix}{alone.slug}/room",
    }
