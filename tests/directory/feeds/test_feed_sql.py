"""The Meeting Guide feed built by the database (feed_sql) against the Python renderer it replaced.

The suite runs this file on SQLite and again on PostgreSQL (STAYHERE_DATABASE_URL): the
database-built feed must give back, parsed, exactly what meeting_guide.render gives, key order
included, for a generated directory and for the awkward cases a generated one may not hold.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from stayhere.directory import exporter, feed_sql
from stayhere.directory.demo import generate
from stayhere.directory.demo_output import store
from stayhere.directory.models import Attendance, Group, Meeting
from tests.directory.factories import make_location, make_meeting
from tests.directory.feeds.test_export import VALIDATOR

pytestmark = pytest.mark.django_db

PREFIX = "http://stayhere.example/meetings/"


def _both() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    built = json.loads("".join(feed_sql.meeting_guide_chunks(PREFIX)))
    rendered = json.loads("".join(exporter.python_meeting_guide_chunks(PREFIX)))
    return built, rendered


def _assert_same(built: list[dict[str, Any]], rendered: list[dict[str, Any]]) -> None:
    assert len(built) == len(rendered)
    for new, old in zip(built, rendered, strict=True):
        assert new == old
        assert list(new) == list(old), f"key order differs for {old['slug']}"
    errors = [f"{list(e.path)}: {e.message}"[:300] for e in VALIDATOR.iter_errors(built)]
    assert errors[:20] == []


def test_a_generated_directory_gives_the_same_feed_as_the_python_renderer():
    store(generate(600, seed=5, today=dt.date(2026, 3, 2)))
    # Some groups show their contacts, so the contact fields are compared too.
    Group.objects.filter(pk__in=Group.objects.order_by("pk").values("pk")[:5]).update(contacts_public=True)
    built, rendered = _both()
    assert len(built) == 600
    assert {item.get("attendance_option") for item in built} >= {"in_person", "online", "hybrid", "inactive"}
    assert any("contact_1_name" in item for item in built)
    _assert_same(built, rendered)


def test_awkward_meetings_give_the_same_feed_as_the_python_renderer():
    contacts = [
        {"name": "Sam Example Person", "email": "sam@example.org", "phone": ""},
        {"name": "", "email": "", "phone": "+1 555 0100"},
        {"name": "Jo", "email": "jo@example.org", "phone": "+1 555 0101"},
        {"name": "Fourth", "email": "fourth@example.org", "phone": ""},
    ]
    both = Group.objects.create(
        name="Both Codes", slug="both", moud_welcome=True, harm_reduction=True, contacts=contacts,
        contacts_public=True, notes="Group\nnotes", email="g@example.org", website="https://g.example.org",
    )  # fmt: skip
    hred = Group.objects.create(name="Harm Reduction Only", slug="hred", harm_reduction=True, phone="555")
    quiet = Group.objects.create(name="Quiet", slug="quiet", contacts=contacts)  # contacts kept private
    precise = make_location(lat=40.712775300000005, lng=-73.98765432109876, approximate=True, notes="Side door")
    bare = make_location(lat=None, lng=None, name="", address="", city="Nowhere", state="", country="")
    make_meeting("No types, both codes", types=[], group=both, location=precise, slug="codes-only")
    make_meeting("Several days", days=[0, 2, 4, 6], types=["O", "D"], group=hred, location=bare, slug="days")
    make_meeting("By appointment", days=[], start=None, end=None, group=quiet, location=precise, slug="appt")
    make_meeting("No end", end=None, location=precise, slug="no-end", url="https://elsewhere.example/m/1")
    make_meeting("Crosses midnight", start="23:30", end="00:30", location=bare, slug="late")
    make_meeting(
        'Quotes " and \\ and \t tabs, é, 日本, \u2028', location=precise, slug="odd-text",
        notes='Line one\nline "two"\u0001', conference_phone="+1 555 0199", conference_phone_notes="PIN 1#",
        venmo="@v", square="$s", paypal="p", homegroup_online="h", feedback_url="https://f.example.org",
    )  # fmt: skip
    make_meeting("Online with regions", attendance=Attendance.ONLINE, regions=["Ohio", "Columbus", "Short North"],
                 conference_url_notes="Password: none", slug="online")  # fmt: skip
    make_meeting("Online without regions", attendance=Attendance.ONLINE, location=precise, slug="online-bare")
    make_meeting("Phone only", attendance=Attendance.PHONE, conference_phone="+1 555 0123", regions=["Texas"],
                 slug="phone")  # fmt: skip
    make_meeting("Hybrid", attendance=Attendance.HYBRID, location=precise, regions=["NY"], slug="hybrid")
    make_meeting("Inactive", attendance=Attendance.INACTIVE, inactive_reason="Repairs", location=bare, slug="gone")
    Meeting.objects.filter(slug="late").update(updated=dt.datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC))
    built, rendered = _both()
    by_slug = {item["slug"]: item for item in built}
    assert by_slug["codes-only"]["types"] == ["MOUD", "HRED"]
    assert by_slug["codes-only"]["contact_1_name"] == "Sam" and "contact_4_email" not in by_slug["codes-only"]
    assert by_slug["codes-only"]["latitude"] == 40.712775300000005
    assert by_slug["days"]["day"] == [0, 2, 4, 6] and by_slug["days"]["types"] == ["O", "D", "HRED"]
    assert by_slug["phone"]["attendance_option"] == "online"
    assert by_slug["online"]["formatted_address"] == "Short North, Columbus, Ohio"
    assert by_slug["late"]["updated"] == "2025-06-30 23:59:59"
    assert by_slug["no-end"]["url"] == "https://elsewhere.example/m/1"
    assert by_slug["hybrid"]["url"] == PREFIX + "hybrid"
    assert not any(key.startswith("contact_") for key in by_slug["appt"])
    _assert_same(built, rendered)


def test_an_empty_directory_is_an_empty_array_from_both():
    assert "".join(feed_sql.meeting_guide_chunks(PREFIX)) == "[]\n"
    assert "".join(exporter.python_meeting_guide_chunks(PREFIX)) == "[]\n"


def test_the_feed_view_serves_the_database_built_feed(client):
    make_meeting("Served From SQL", location=make_location(), slug="served")
    response = client.get("/feeds/meeting-guide.json")
    body = b"".join(response.streaming_content).decode()
    assert body == "".join(feed_sql.meeting_guide_chunks("http://testserver/meetings/"))
    assert json.loads(body)[0]["slug"] == "served"
