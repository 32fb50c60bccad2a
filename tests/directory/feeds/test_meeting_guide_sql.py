"""The Meeting Guide feed built by the database (meeting_guide_sql) against the Python renderer it replaced.

The suite runs this file on SQLite and again on PostgreSQL (STAYHERE_DATABASE_URL): the
database-built feed must give back, parsed, exactly what meeting_guide.render gives, key order
included, for a generated directory and for the awkward cases a generated one may not hold.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connection

from stayhere.demo.output import store
from stayhere.demo.world import generate
from stayhere.directory.feeds import exporter, meeting_guide_sql, pieces
from stayhere.directory.feeds.pieces import BLOCK
from stayhere.directory.models import Group
from tests.conftest import TEST_DATA
from tests.directory.factories import make_location, make_meeting
from tests.directory.feeds.awkward import make_awkward_meetings
from tests.directory.feeds.test_export import VALIDATOR

pytestmark = pytest.mark.django_db

PREFIX = "http://stayhere.example/meetings/"


def _both(per_day: bool = False) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    built = json.loads("".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=per_day)))
    rendered = json.loads("".join(exporter.python_meeting_guide_chunks(PREFIX, per_day=per_day)))
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
    # One object per weekday, as the feed is served by default: the same from both.
    split, split_rendered = _both(per_day=True)
    assert len(split) == sum(len(item["day"]) if isinstance(item.get("day"), list) else 1 for item in built) > 600
    assert all(not isinstance(item.get("day"), list) for item in split)
    assert len({item["slug"] for item in split}) == len(split)
    _assert_same(split, split_rendered)


def test_awkward_meetings_give_the_same_feed_as_the_python_renderer():
    make_awkward_meetings()
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
    split, split_rendered = _both(per_day=True)
    per_day = {item["slug"]: item for item in split}
    assert [per_day[f"days--{name}"]["day"] for name in ("sun", "tue", "thu", "sat")] == [0, 2, 4, 6]
    assert "days" not in per_day and "appt" in per_day and "day" not in per_day["appt"]
    _assert_same(split, split_rendered)


def test_an_empty_directory_is_an_empty_array_from_both():
    for per_day in (False, True):
        assert "".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=per_day)) == "[]\n"
        assert "".join(exporter.python_meeting_guide_chunks(PREFIX, per_day=per_day)) == "[]\n"


def test_the_feed_view_serves_the_database_built_feed(client):
    make_meeting("Served From SQL", location=make_location(), slug="served")
    response = client.get("/feeds/meeting-guide.json")
    body = b"".join(response.streaming_content).decode()
    assert body == "".join(meeting_guide_sql.meeting_guide_chunks("http://testserver/meetings/", per_day=True))
    assert json.loads(body)[0]["slug"] == "served"


# The feed as it was written before the database stopped writing one row per weekday (each meeting is now
# written once and its weekdays' objects are cut from that text): kept byte for byte, in both forms.
GOLDEN = {
    True: TEST_DATA / "feeds" / "export" / "awkward-meetings.json",
    False: TEST_DATA / "feeds" / "export" / "awkward-meetings_arrays.json",
}


@pytest.mark.parametrize("per_day", [True, False], ids=["one-object-per-weekday", "day-arrays"])
def test_the_feed_is_the_one_written_before_byte_for_byte(per_day):
    make_awkward_meetings()
    built = "".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=per_day))
    expected = GOLDEN[per_day].read_text()
    if connection.vendor == "sqlite":
        assert built == expected
    else:  # PostgreSQL writes its own JSON numbers and arrays (", "): the same values, in the same order
        assert [list(item.items()) for item in json.loads(built)] == [
            list(item.items()) for item in json.loads(expected)
        ]


def test_a_meeting_on_several_days_is_cut_into_one_object_per_weekday_from_one_row():
    rows = [
        ('{"name":"A","slug":', '"a\\"b"', 0b1010101, ',"time":"19:00","timezone":"UTC"}'),
        ('{"name":"B","slug":', '"b"', 0b10, ',"time":"07:00","timezone":"UTC"}'),
        ('{"name":"C","slug":', '"c"', 0, ',"timezone":"UTC"}'),
    ]
    split = [json.loads(text) for text in meeting_guide_sql.objects(rows, per_day=True)]
    assert [(item["slug"], item.get("day")) for item in split] == [
        ('a"b--sun', 0),
        ('a"b--tue', 2),
        ('a"b--thu', 4),
        ('a"b--sat', 6),
        ("b", 1),
        ("c", None),
    ]
    arrays = [json.loads(text) for text in meeting_guide_sql.objects(rows, per_day=False)]
    assert [(item["slug"], item.get("day")) for item in arrays] == [('a"b', [0, 2, 4, 6]), ("b", 1), ("c", None)]
    assert list(split[0]) == ["name", "slug", "day", "time", "timezone"]


def _writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "feed-writer"]


def test_the_next_chunks_are_written_while_one_is_sent_and_a_reader_that_leaves_stops_the_writer(monkeypatch):
    monkeypatch.setattr(meeting_guide_sql, "ROWS_PER_CHUNK", 1)
    for number in range(12):  # a block of ids each (pieces.BLOCK): a chunk each, however the feed is read
        make_meeting(f"Meeting {number}", location=make_location(), slug=f"m-{number}", pk=number * BLOCK + 1)
    chunks = meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=True)
    assert next(chunks) == "["
    assert json.loads(next(chunks))["slug"] == "m-0"
    assert _writers(), "a writer thread works ahead of the reader"
    chunks.close()  # the client went away
    assert _writers() == []
    assert not connection.allow_thread_sharing
    assert Group.objects.count() == 0  # the connection is this thread's again, and works
    whole = "".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=True))
    assert [item["slug"] for item in json.loads(whole)] == [f"m-{number}" for number in range(12)]


def test_a_failure_while_writing_ahead_reaches_the_reader(monkeypatch):
    make_meeting("One", location=make_location(), slug="one")

    def broken(rows: list[Any], *, per_day: bool) -> list[str]:
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(meeting_guide_sql, "objects", broken)
    chunks = meeting_guide_sql.meeting_guide_chunks(PREFIX)
    with pytest.raises(DatabaseError, match="disk I/O error"):
        list(chunks)
    assert _writers() == [] and not connection.allow_thread_sharing


def test_pieces_are_kept_on_sqlite_only_and_postgresql_renders_the_feed_whole(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    make_meeting("Kept Or Not", location=make_location(), slug="kept-or-not")
    assert "".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=True)).count('"slug":"kept-or-not"') == 1
    kept = list(tmp_path.glob("feeds/pieces-*/*"))
    if connection.vendor == "sqlite":
        assert pieces.usable(connection) and len(kept) == 1
    else:  # a counter per block would make writers of one block wait for each other's commits (pieces.py)
        assert not pieces.usable(connection) and kept == []
