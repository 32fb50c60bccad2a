"""Meeting codes: random, stored, stable, rotatable; published with the site's number for listed rooms only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from stayhere.phone import codes
from stayhere.phone.models import PhoneCode
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db

NUMBER = "+15550100200"


def test_a_code_is_random_stored_stable_and_rotated_by_drawing_again() -> None:
    room, other = make_room(), make_room()
    code = codes.code_for(room.meeting)
    assert len(code) == codes.DIGITS and code.isdigit()
    assert codes.code_for(room.meeting) == code, "stable until rotated"
    assert code not in room.meeting.slug and str(room.meeting.pk) != code
    assert codes.code_for(other.meeting) != code
    assert codes.line_for(code) == codes.Line(room.meeting.slug, "en")
    fresh = codes.rotate(room.meeting)
    assert fresh != code and codes.line_for(code) is None, "the old code stops working at once"
    assert codes.line_for(fresh) is not None
    assert PhoneCode.objects.count() == 2


def test_a_meeting_without_a_room_or_a_code_that_is_not_digits_opens_nothing() -> None:
    room = make_room()
    code = codes.code_for(room.meeting)
    assert codes.line_for("12a45678") is None and codes.line_for("") is None
    room.meeting.has_room = False
    room.meeting.save(update_fields=["has_room"])
    assert codes.line_for(code) is None


def test_a_spanish_meeting_speaks_spanish_to_its_callers() -> None:
    room = make_room()
    room.meeting.types = ["O", "S"]
    room.meeting.save(update_fields=["types"])
    assert codes.line_for(codes.code_for(room.meeting)) == codes.Line(room.meeting.slug, "es")


def feeds(client: Client, slug: str) -> tuple[str, str, str]:
    guide = client.get("/feeds/meeting-guide.json")
    csv = client.get("/feeds/meetings.csv")
    ics = client.get(f"/meetings/{slug}.ics")
    return (
        b"".join(guide.streaming_content).decode() if guide.streaming else guide.content.decode(),  # type: ignore[attr-defined]
        b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode(),  # type: ignore[attr-defined]
        ics.content.decode(),
    )


def test_the_feeds_carry_a_listed_rooms_number_and_code_when_the_site_has_a_number(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    listed = make_room()
    hidden = make_room(unlisted=True)
    code, secret = codes.code_for(listed.meeting), codes.code_for(hidden.meeting)
    for meeting in (listed.meeting, hidden.meeting):
        meeting.day_mask, meeting.start_time = 2, "19:00"
        meeting.save(update_fields=["day_mask", "start_time"])
    client = Client()

    guide, csv, ics = feeds(client, listed.meeting.slug)
    assert code not in guide + csv + ics, "no number, no phone line published"

    monkeypatch.setenv("STAYHERE_PHONE_NUMBER", NUMBER)
    codes.note_published_number(tmp_path)  # as `stayhere serve` does at start: the feeds are rebuilt
    guide, csv, ics = feeds(client, listed.meeting.slug)
    entry = next(m for m in json.loads(guide) if m["slug"].startswith(listed.meeting.slug))
    assert entry["conference_phone"] == f"{NUMBER},,{code}#"
    assert f"{NUMBER},,{code}#" in csv
    assert f"{NUMBER},,{code}#" in ics.replace("\r\n ", "").replace("\\,", ","), "(unfolded, commas unescaped)"
    _, _, hidden_ics = feeds(client, hidden.meeting.slug)
    assert secret not in guide + csv + ics + hidden_ics, "an unlisted room's code is its members' to share"


def test_rotating_a_code_changes_what_the_feed_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAYHERE_PHONE_NUMBER", NUMBER)
    room = make_room()
    old = codes.code_for(room.meeting)
    client = Client()
    assert old in feeds(client, room.meeting.slug)[0]
    new = codes.rotate(room.meeting)
    guide = feeds(client, room.meeting.slug)[0]
    assert new in guide and old not in guide


def test_the_listing_shows_a_listed_rooms_line_and_an_unlisted_rooms_only_behind_its_members_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stayhere.rooms.web import keys

    monkeypatch.setenv("STAYHERE_PHONE_NUMBER", NUMBER)
    listed, hidden = make_room(), make_room(unlisted=True)
    link_key = keys.rotate_link_key(hidden.settings)
    client = Client()
    page = client.get(f"/meetings/{listed.meeting.slug}").content.decode()
    code = codes.code_for(listed.meeting)
    assert f"enter the meeting code {code}, then #" in page and f'href="tel:{NUMBER},,{code}%23"' in page
    assert f"meeting code {code}" in client.get(f"/meetings/{listed.meeting.slug}/room").content.decode()

    secret = codes.code_for(hidden.meeting)
    assert secret not in client.get(f"/meetings/{hidden.meeting.slug}").content.decode()
    members = client.get(f"/meetings/{hidden.meeting.slug}/room/link/{link_key}")
    assert members.status_code == 200 and f"meeting code {secret}" in members.content.decode()

    monkeypatch.delenv("STAYHERE_PHONE_NUMBER")
    assert "By phone: call" not in client.get(f"/meetings/{listed.meeting.slug}").content.decode()
