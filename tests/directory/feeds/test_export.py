"""Feeds out: the Meeting Guide JSON and CSV views, their schema, and the round trip back in."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import reverse

from stayhere.directory.feeds.importer import import_feed, import_text
from stayhere.directory.models import Attendance, Group, Location, Meeting, MeetingSlot
from tests.conftest import TEST_DATA
from tests.directory.factories import make_location, make_meeting
from tests.directory.feeds.test_import import SHARED

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "stayhere" / "directory" / "feeds" / "meeting-guide.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def _feed(client, query: str = "") -> list[dict[str, Any]]:
    response = client.get(reverse("directory:feed-meeting-guide") + query)
    assert response.status_code == 200
    feed: list[dict[str, Any]] = json.loads(b"".join(response.streaming_content))
    return feed


def _assert_valid(feed: list[dict[str, Any]]) -> None:
    errors = [f"{list(e.path)}: {e.message}"[:300] for e in VALIDATOR.iter_errors(feed)]
    assert errors[:20] == []


def _canonical() -> list[tuple[Any, ...]]:
    rows = []
    for m in Meeting.objects.select_related("location", "group").order_by("slug"):
        located = m.location is not None and m.attendance not in ("online", "phone")
        rows.append(
            (
                m.slug,
                m.name,
                m.days,
                m.start_time,
                m.end_time,
                m.timezone,
                m.attendance,
                sorted(m.all_types()),
                m.location.formatted_address() if located and m.location else "",
                (m.location.latitude, m.location.longitude) if located and m.location else None,
                m.regions,
                m.conference_url,
                m.conference_url_notes,
                m.conference_phone,
                m.conference_phone_notes,
                m.notes,
                m.group.name if m.group else "",
            )
        )
    return rows


def test_the_feed_is_json_with_cors_and_cache_headers(client):
    make_meeting(location=make_location())
    response = client.get(reverse("directory:feed-meeting-guide"))
    assert response.streaming
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"


def test_an_empty_directory_exports_an_empty_array(client):
    assert _feed(client) == []


def test_it_exports_days_times_zone_attendance_and_our_page_as_url(client):
    group = Group.objects.create(name="Serenity Group", slug="serenity", moud_welcome=True)
    make_meeting("Weekday", days=[1, 3], start="07:00", end="08:00", types=["O", "D"], group=group,
                 location=make_location(), slug="weekday")  # fmt: skip
    make_meeting("Online", days=[0], attendance=Attendance.ONLINE, regions=["Illinois", "Chicago"], slug="online")
    feed = {item["slug"]: item for item in _feed(client, "?days=array")}
    weekday, online = feed["weekday"], feed["online"]
    assert (weekday["day"], weekday["time"], weekday["end_time"]) == ([1, 3], "07:00", "08:00")
    assert weekday["timezone"] == "America/Chicago"
    assert weekday["types"] == ["O", "D", "MOUD"]
    assert weekday["url"] == "http://testserver/meetings/weekday"
    assert weekday["approximate"] == "no" and weekday["address"] == "1 Main Street"
    assert online["day"] == 0 and online["attendance_option"] == "online"
    assert "address" not in online and "latitude" not in online
    assert online["formatted_address"] == "Chicago, Illinois" and online["approximate"] == "yes"
    assert "ONL" not in online.get("types", [])
    assert dt.datetime.strptime(weekday["updated"], "%Y-%m-%d %H:%M:%S")
    _assert_valid(list(feed.values()))


def test_contacts_are_exported_only_when_the_group_made_them_public(client):
    contacts = [{"name": "Sam Example", "email": "sam@example.org", "phone": ""}]
    private = Group.objects.create(name="Private", slug="private", contacts=contacts)
    public = Group.objects.create(name="Public", slug="public", contacts=contacts, contacts_public=True)
    make_meeting("A", group=private, location=make_location(), slug="a")
    make_meeting("B", group=public, location=make_location(), slug="b")
    feed = {item["slug"]: item for item in _feed(client)}
    assert not any(key.startswith("contact_") for key in feed["a"])
    assert feed["b"]["contact_1_name"] == "Sam"  # first names only, whatever was stored
    assert feed["b"]["contact_1_email"] == "sam@example.org"
    assert "contact_1_phone" not in feed["b"]


def test_a_new_york_meeting_exports_the_same_local_time_in_january_and_july(client):
    # Imported in January and exported in July, the wall-clock time stays; only the UTC instant moves.
    feed = [{"name": "DST", "slug": "dst", "day": 2, "time": "19:30", "timezone": "America/New_York",
             "address": "1 Main Street", "city": "Albany", "updated": "2025-01-15 12:00:00"}]  # fmt: skip
    import_text(json.dumps(feed), source_name="dst.json", key="dst")
    (item,) = _feed(client)
    assert (item["day"], item["time"], item["timezone"]) == (2, "19:30", "America/New_York")
    meeting = Meeting.objects.get()
    january = meeting.next_start(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    july = meeting.next_start(dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    assert january is not None and july is not None
    assert (january.hour, january.minute) == (july.hour, july.minute) == (19, 30)
    assert january.astimezone(dt.UTC).hour == 0 and july.astimezone(dt.UTC).hour == 23


def test_every_shared_feed_exports_valid_json_and_comes_back_the_same(client, shared_feeds):
    present = [(name, zone) for name, zone, _count in SHARED if (shared_feeds / name).is_file()]
    assert present, f"no real feed in {shared_feeds}"
    for name, zone in present:
        import_feed(str(shared_feeds / name), default_zone=zone)
    before = _canonical()
    feed = _feed(client)
    _assert_valid(feed)
    assert len(feed) == len(before)

    MeetingSlot.objects.all().delete()
    Meeting.objects.all().delete()
    Location.objects.all().delete()
    Group.objects.all().delete()
    report = import_text(json.dumps(feed), source_name="export.json", key="round-trip")
    assert [str(p) for p in report.problems if p.severity == "error"] == []
    assert _canonical() == before


def test_the_csv_feed_uses_the_12_step_meeting_list_columns_and_comes_back(client):
    make_meeting("Two days", days=[1, 4], start="18:00", types=["O", "X"], location=make_location(), slug="two")
    response = client.get(reverse("directory:feed-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["Slug"], row["Day"], row["Time"]) for row in rows] == [
        ("two-monday", "Monday", "18:00"),
        ("two-thursday", "Thursday", "18:00"),
    ]
    assert rows[0]["Types"] == "Open, Wheelchair Access"
    report = import_text(text, source_name="meetings.csv", key="csv-back")
    assert report.created == 2 and report.problems == []


def test_the_export_command_writes_the_feed_to_standard_output():
    make_meeting("Command", location=make_location(), slug="command")
    out = io.StringIO()
    call_command("export_feed", "--base-url", "https://meetings.example.org", stdout=out)
    (item,) = json.loads(out.getvalue())
    assert item["url"] == "https://meetings.example.org/meetings/command"
    out = io.StringIO()
    call_command("export_feed", "--format", "csv", stdout=out)
    assert out.getvalue().startswith("Slug,Name,Day,Time")


def test_the_feed_refuses_a_post(client):
    assert client.post(reverse("directory:feed-meeting-guide")).status_code == 405


def test_the_round_trip_keeps_group_asserted_codes(client):
    import_text((TEST_DATA / "feeds" / "small-meeting-guide.json").read_text(), source_name="a.json", key="a")
    feed = _feed(client)
    serenity = next(item for item in feed if item["slug"] == "sunday-serenity")
    assert "MOUD" in serenity["types"]


def test_under_asgi_the_feed_streams_chunk_by_chunk(async_client):
    from asgiref.sync import async_to_sync

    for number in range(1100):  # more than one chunk of a thousand meetings
        make_meeting(f"M{number}", attendance=Attendance.ONLINE, slug=f"m-{number}")

    async def fetch() -> tuple[bool, list[bytes]]:
        response = await async_client.get(reverse("directory:feed-meeting-guide"))
        return response.is_async, [chunk async for chunk in response.streaming_content]

    is_async, chunks = async_to_sync(fetch)()
    assert is_async  # served from an async iterator, not read whole first
    assert len(chunks) > 2
    assert len(json.loads(b"".join(chunks))) == 1100
