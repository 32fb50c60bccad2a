"""The import service against the real database: what it writes, keeps, updates and removes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from stayhere.directory.feeds.importer import ImportFailed, import_feed, import_text
from stayhere.directory.models import Group, Location, Meeting, MeetingSlot
from tests.conftest import TEST_DATA, real_feed

pytestmark = pytest.mark.django_db

SMALL = TEST_DATA / "feeds" / "small-meeting-guide.json"

# Real feeds, the --timezone each needs, and what we observe importing them.
# zone: feeds that give neither a timezone nor coordinates for some meetings need one.
SHARED = [
    # 23 virtual meetings have placeholder coordinates and no time_zone: they take --timezone.
    ("bmlt-berlin-de-bread.json", "Europe/Berlin", 108),
    ("bmlt-upstate-ny-yap.json", None, 62),
    ("mg-alanon-massachusetts-code4recovery.json", None, 360),
    ("mg-alpena-mi-code4recovery.json", None, 46),
    ("mg-edmonton-ab-code4recovery.json", "America/Edmonton", 315),
    ("mg-kansas-city-code4recovery.json", None, 206),
    ("mg-nw-texas-code4recovery.json", "America/Chicago", 613),
    ("mg-san-jose-2018-code4recovery.json", None, 568),
    ("mg-sf-marin-airtable-code4recovery.json", "America/Los_Angeles", 545),
    ("mg-williamsport-pa-recoverysource-sites.json", None, 52),
    # 39 rows, one marked Delete = D / unpublished = 1: left out with a warning.
    ("naws-csv-cape-cod-bmlt-export.csv", None, 38),
    ("tsml-csv-san-jose-template-2016-cr-eol.csv", "America/Los_Angeles", 34),
    ("tsml-csv-san-jose-template.csv", None, 36),
]


def _import(data: Any, key: str = "test-source", **options: Any):
    text = data if isinstance(data, str) else json.dumps(data)
    return import_text(text, source_name="feed.json", key=key, **options)


def _small() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(SMALL.read_text())
    return records


def _snapshot() -> list[Any]:
    meetings = list(Meeting.objects.order_by("pk").values_list("pk", "slug", "name", "day_mask", "updated"))
    return [*meetings, Location.objects.count(), Group.objects.count(), MeetingSlot.objects.count()]


@pytest.mark.parametrize(("name", "zone", "expected"), SHARED)
def test_every_shared_real_feed_imports_without_errors(shared_feeds: Path, name, zone, expected):
    report = import_feed(str(real_feed(shared_feeds, name)), default_zone=zone)
    assert [str(p) for p in report.problems if p.severity == "error"] == []
    assert report.created == expected
    assert Meeting.objects.count() == expected
    assert MeetingSlot.objects.count() >= expected - Meeting.objects.filter(day_mask=0).count()


def test_a_feed_without_zones_reports_each_meeting_it_cannot_place_in_time(shared_feeds: Path):
    # 53 records sit on "null island" and 13 at longitude 0.0: no coordinates, no zone.
    report = import_feed(str(real_feed(shared_feeds, "mg-nw-texas-code4recovery.json")))
    assert report.created == 547
    assert report.skipped == 66
    problem = next(p for p in report.problems if p.severity == "error")
    assert problem.field == "timezone" and "--timezone" in problem.reason


def test_a_feed_with_no_zone_at_all_fails_as_a_whole_and_says_to_pass_one(shared_feeds: Path):
    with pytest.raises(ImportFailed, match="--timezone"):
        import_feed(str(real_feed(shared_feeds, "mg-edmonton-ab-code4recovery.json")))
    assert Meeting.objects.count() == 0


def test_it_writes_meetings_with_their_group_location_and_slots():
    report = _import(_small())
    assert (report.created, report.skipped, report.warned) == (3, 1, 1)
    serenity = Meeting.objects.select_related("group", "location").get(source_slug="sunday-serenity")
    assert serenity.timezone == "America/New_York"  # US/Eastern, canonicalised
    assert serenity.location is not None and serenity.location.name == "St. Clare\u2019s Hall"
    assert serenity.types == ["O", "D", "12x12"]
    assert serenity.group is not None and serenity.group.moud_welcome is True
    assert serenity.group.contacts == [{"name": "Sam", "email": "serenity@example.org", "phone": ""}]
    assert serenity.slots.count() == 1
    noon = Meeting.objects.get(source_slug="noon-step")
    assert noon.timezone == "America/New_York"  # from its coordinates
    assert noon.group == serenity.group  # one group row per name within a source


def test_an_online_meeting_keeps_no_address_only_its_regions():
    _import(_small())
    online = Meeting.objects.get(source_slug="42")
    assert online.attendance == "online"
    assert online.location is None
    assert online.regions == ["Massachusetts", "Springfield"]
    assert online.days == [1, 3, 5] and online.slots.count() == 3
    assert all(slot.cell is None for slot in online.slots.all())


def test_a_placeholder_address_with_the_link_in_the_notes_becomes_an_online_meeting():
    record = {
        "name": "Pass It On",
        "slug": "pass-it-on",
        "day": 1,
        "time": "19:00",
        "timezone": "US/Eastern",
        "address": "zoom",
        "city": "Online-Only",
        "location": "online",
        "region": "Greater Williamsport",
        "notes": '<b>Zoom:</b> <a href="https://us02web.zoom.us/j/5748311805">https://us02web.zoom.us/j/5748311805</a>',
    }
    _import([record])
    meeting = Meeting.objects.get()
    assert meeting.attendance == "online" and meeting.location is None
    assert meeting.conference_url == "https://us02web.zoom.us/j/5748311805"
    assert meeting.regions == ["Greater Williamsport"]


def test_an_online_meeting_without_a_link_or_phone_is_skipped_and_said_why():
    records = _small()
    records.append({"name": "Nowhere", "slug": "nowhere", "day": 1, "time": "19:00", "attendance_option": "online"})
    report = _import(records, default_zone="UTC")
    problem = next(p for p in report.problems if p.where == "nowhere")
    assert problem.field == "conference_url"
    assert not Meeting.objects.filter(source_slug="nowhere").exists()


def test_reimporting_the_same_feed_changes_nothing():
    _import(_small())
    before = _snapshot()
    report = _import(_small())
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 0, 3, 0)
    assert _snapshot() == before


def test_reimport_updates_what_changed_and_removes_what_the_source_dropped():
    _import(_small())
    records = [r for r in _small() if r["slug"] != "noon-step"]
    records[0]["name"] = "Sunday Serenity Renamed"
    report = _import(records)
    assert (report.created, report.updated, report.removed) == (0, 1, 1)
    assert Meeting.objects.get(source_slug="sunday-serenity").name == "Sunday Serenity Renamed"
    assert not Meeting.objects.filter(source_slug="noon-step").exists()
    # By id, not through a join: the database does not check a slot's meeting (MeetingSlot.meeting), so a slot
    # left behind would be invisible to a query that joins its meeting.
    assert MeetingSlot.objects.exclude(meeting_id__in=Meeting.objects.values("pk")).count() == 0


def test_a_meeting_deleted_one_by_one_or_in_bulk_takes_its_slots_with_it():
    _import(_small())
    first, *rest = Meeting.objects.order_by("pk")
    assert MeetingSlot.objects.filter(meeting_id__in=[m.pk for m in (first, *rest)]).exists()
    first.delete()
    assert not MeetingSlot.objects.filter(meeting_id=first.pk).exists()
    Meeting.objects.filter(pk__in=[m.pk for m in rest]).delete()
    assert MeetingSlot.objects.count() == 0


def test_a_bad_record_is_skipped_and_reported_and_its_old_row_is_kept():
    _import(_small())
    old = Meeting.objects.get(source_slug="noon-step")
    records = _small()
    next(r for r in records if r["slug"] == "noon-step")["day"] = 9
    report = _import(records)
    assert any(p.where == "noon-step" and p.field == "day" for p in report.problems)
    assert report.removed == 0
    kept = Meeting.objects.get(source_slug="noon-step")
    assert (kept.pk, kept.day_mask, kept.updated) == (old.pk, old.day_mask, old.updated)


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ((TEST_DATA / "feeds" / "malformed.json").read_text(), {}, "line 3, column 28"),
        ("[]", {}, "lists no meetings"),
        (json.dumps([{"name": "No slug"}]), {}, "no slug"),
        ("Name,Day,Time\nA,Monday,19:00\n", {"format": "bmlt"}, "not valid JSON"),
        (json.dumps({"meetings": []}), {"format": "meeting-guide"}, "array of meetings"),
        ("[]", {"default_zone": "Mars/Olympus"}, "IANA"),
    ],
)
def test_a_source_that_fails_as_a_whole_changes_nothing(text, options, message):
    _import(_small())
    before = _snapshot()
    with pytest.raises(ImportFailed, match=message):
        _import(text, **options)
    assert _snapshot() == before


def test_a_dry_run_counts_but_writes_nothing():
    report = _import(_small(), dry_run=True)
    assert report.created == 3 and report.dry_run is True
    assert _snapshot() == [0, 0, 0]


def test_the_same_slug_from_two_sources_gets_a_suffix_instead_of_a_clash():
    _import(_small(), key="one")
    report = _import(_small(), key="two")
    assert report.created == 3
    slugs = set(Meeting.objects.filter(source_slug="sunday-serenity").values_list("slug", flat=True))
    assert len(slugs) == 2 and "sunday-serenity" in slugs


def test_a_csv_feed_imports_through_the_same_service():
    report = import_feed(str(TEST_DATA / "feeds" / "small-tsml.csv"))
    assert report.format == "csv" and report.created == 2
    work = Meeting.objects.select_related("location", "group").get(source_slug="after-work")
    assert work.location is not None and work.location.city == "San Jose"
    assert work.group is not None and work.group.contacts[0]["name"] == "Pat"
    lunch = Meeting.objects.get(source_slug="lunch-online")
    assert lunch.attendance == "online" and lunch.days == [2, 4]


def test_the_command_reports_counts_and_fails_when_nothing_was_imported():
    out = io.StringIO()
    call_command("import_feed", str(SMALL), stdout=out)
    assert "3 created" in out.getvalue() and "1 skipped" in out.getvalue()
    assert "broken-day: day:" in out.getvalue()
    with pytest.raises(CommandError, match="line 3, column 28"):
        call_command("import_feed", str(TEST_DATA / "feeds" / "malformed.json"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_feed", "/nonexistent/feed.json", stdout=io.StringIO())


def test_the_import_writes_the_same_finder_slots_as_the_slots_module():
    from stayhere.directory.slots import slots_for

    _import(_small())
    fields = ("meeting_id", "start_mow", "timezone", "attendance", "fellowship", "cell", "latitude", "longitude")
    written = sorted(MeetingSlot.objects.values_list(*fields))
    meetings = Meeting.objects.select_related("location")
    expected = sorted(tuple(getattr(slot, name) for name in fields) for m in meetings for slot in slots_for(m))
    assert written == expected and len(written) == 5


def test_a_location_no_meeting_uses_any_more_is_removed_and_a_shared_one_kept():
    _import(_small())
    assert Location.objects.count() == 2  # Springfield hall, and Elm Street
    records = _small()
    next(r for r in records if r["slug"] == "noon-step")["address"] = "10 Elm Street"
    _import(records)
    addresses = sorted(Location.objects.values_list("address", flat=True))
    assert addresses == ["10 Elm Street", "123 Main Street"]


def test_an_import_tells_the_directory_caches_to_rebuild_and_a_dry_run_does_not():
    from stayhere.directory import freshness

    before = freshness.generation()
    _import(_small(), dry_run=True)
    assert freshness.generation() == before
    _import(_small())
    assert freshness.generation() > before


def test_a_feed_that_does_not_name_its_fellowship_takes_the_one_given(shared_feeds: Path):
    import_feed(
        str(real_feed(shared_feeds, "mg-alanon-massachusetts-code4recovery.json")), default_fellowship="al-anon"
    )
    assert set(Meeting.objects.values_list("fellowship", flat=True)) == {"AL-ANON"}


def test_a_fellowship_the_directory_does_not_know_is_refused_and_nothing_changes():
    _import(_small())
    before = _snapshot()
    with pytest.raises(ImportFailed, match="--fellowship: 'ABC' is not a fellowship"):
        _import(_small(), default_fellowship="abc")
    assert _snapshot() == before


def test_a_bmlt_feed_keeps_its_own_fellowship_over_the_one_given(shared_feeds: Path):
    import_feed(str(real_feed(shared_feeds, "bmlt-upstate-ny-yap.json")), default_fellowship="AA")
    assert set(Meeting.objects.values_list("fellowship", flat=True)) == {"NA"}
