"""The Meeting Guide feed, one object per weekday by default (what TSML UI and the Meeting Guide app read), with
unique per-day slugs that old links still resolve; ``?days=array`` for one object per meeting."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from stayhere.directory.feeds.importer import import_text
from stayhere.directory.feeds.meeting_guide import split_day_slug
from stayhere.directory.models import Meeting
from tests.directory.factories import make_location, make_meeting
from tests.directory.feeds.test_export import _assert_valid

pytestmark = pytest.mark.django_db


def _feed(client: Client, query: str = "") -> list[dict[str, Any]]:
    response = client.get("/feeds/meeting-guide.json" + query)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))  # type: ignore[no-any-return]


@pytest.fixture
def meetings() -> dict[str, Meeting]:
    place = make_location()
    return {
        # Two meetings of one name: stayhere's slugs hope and hope-2, which TSML UI's own expansion of a day
        # array (hope-1, hope-2, ...) would collide with.
        "weekdays": make_meeting("Hope", days=[1, 2, 3], location=place, slug="hope"),
        "second": make_meeting("Hope", days=[5], location=place, slug="hope-2"),
        "appointment": make_meeting("By Appointment", days=[], start=None, end=None, location=place, slug="appt"),
    }


def test_a_meeting_on_several_days_is_one_object_per_day_with_unique_slugs(
    client: Client, meetings: dict[str, Meeting]
) -> None:
    feed = _feed(client)
    assert [(item["slug"], item.get("day")) for item in feed] == [
        ("hope--mon", 1),
        ("hope--tue", 2),
        ("hope--wed", 3),
        ("hope-2", 5),
        ("appt", None),
    ]
    # Each day's object is the meeting's, word for word, but for its slug and day; its url is the meeting's page.
    monday, tuesday = feed[0], feed[1]
    assert {k: v for k, v in monday.items() if k not in ("slug", "day")} == {
        k: v for k, v in tuesday.items() if k not in ("slug", "day")
    }
    assert monday["url"] == "http://testserver/meetings/hope"
    _assert_valid(feed)


def test_days_array_keeps_one_object_per_meeting_and_a_bad_value_is_a_sentence(
    client: Client, meetings: dict[str, Meeting]
) -> None:
    feed = _feed(client, "?days=array")
    assert [(item["slug"], item.get("day")) for item in feed] == [("hope", [1, 2, 3]), ("hope-2", 5), ("appt", None)]
    assert [item["slug"] for item in _feed(client, "?days=split")] == [item["slug"] for item in _feed(client)]
    response = client.get("/feeds/meeting-guide.json?days=several")
    assert response.status_code == 400
    assert "array" in response.json()["error"]


def test_both_forms_are_kept_apart_and_follow_a_change(client: Client, meetings: dict[str, Meeting]) -> None:
    for _ in range(2):  # the second round is served from the kept copies
        assert len(_feed(client)) == 5
        assert len(_feed(client, "?days=array")) == 3
    meetings["second"].days = [5, 6]
    meetings["second"].save()
    assert [item["slug"] for item in _feed(client)][3:5] == ["hope-2--fri", "hope-2--sat"]
    assert len(_feed(client, "?days=array")) == 3


def test_old_slugs_and_per_day_slugs_resolve_on_the_meeting_page(client: Client, meetings: dict[str, Meeting]) -> None:
    assert client.get("/meetings/hope").status_code == 200  # the slug of the array form, and of older links
    response = client.get("/meetings/hope--tue")
    assert (response.status_code, response["Location"]) == (301, "/meetings/hope")
    assert client.get("/meetings/hope--sun").status_code == 301  # a day it no longer meets: still the meeting
    assert client.get("/meetings/nothing--mon").status_code == 404
    assert client.get("/meetings/hope--funday").status_code == 404


def test_the_per_day_feed_read_back_is_the_same_meetings(client: Client, meetings: dict[str, Meeting]) -> None:
    text = b"".join(client.get("/feeds/meeting-guide.json").streaming_content).decode()
    before = sorted((m.slug, tuple(m.days)) for m in Meeting.objects.all())
    report = import_text(text, source_name="feed.json", key="elsewhere")
    assert [str(p) for p in report.problems if p.severity == "error"] == []
    again = sorted((m.source_slug or m.slug, tuple(m.days)) for m in Meeting.objects.filter(source="elsewhere"))
    assert again == before


def test_a_per_day_slug_reads_back_as_its_meeting_and_day() -> None:
    assert split_day_slug("hope--mon") == ("hope", 1)
    assert split_day_slug("a--b--sat") == ("a--b", 6)
    assert split_day_slug("hope-mon") is None
    assert split_day_slug("--mon") is None
    assert split_day_slug("hope--monday") is None


def test_export_feed_writes_the_same_two_forms(client: Client, meetings: dict[str, Meeting]) -> None:
    from django.core.management import call_command

    for options, query in (({}, ""), ({"days": "array"}, "?days=array")):
        out = io.StringIO()
        call_command("export_feed", base_url="http://testserver", stdout=out, **options)
        assert json.loads(out.getvalue()) == _feed(client, query)
