"""The demo directory generator, the load_demo command, and the directory benchmark's smoke run."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stayhere.directory.demo import ATTENDANCE_MODES, World, generate
from stayhere.directory.demo_output import meeting_guide_records
from stayhere.directory.demo_places import CONFERENCE_HOSTS, CONTACT_NAMES
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Meeting, MeetingSlot
from stayhere.directory.schedule import zone_at

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 23)
FICTIONAL_PHONE = re.compile(r"^\+1-555-01\d\d(,,\d+#)?$")


@pytest.fixture(scope="module")
def world() -> World:
    return generate(600, seed=3, today=TODAY)


def test_the_same_seed_gives_the_same_world() -> None:
    first = meeting_guide_records(generate(300, seed=9, today=TODAY))
    second = meeting_guide_records(generate(300, seed=9, today=TODAY))
    assert first == second


def test_another_seed_gives_another_world() -> None:
    first = meeting_guide_records(generate(300, seed=9, today=TODAY))
    other = meeting_guide_records(generate(300, seed=10, today=TODAY))
    assert first != other


def test_it_makes_exactly_the_number_of_meetings_asked_for() -> None:
    assert len(generate(1, seed=1, today=TODAY).meetings) == 1
    assert len(generate(257, seed=1, today=TODAY).meetings) == 257


def test_it_rejects_a_world_without_meetings() -> None:
    with pytest.raises(ValueError, match="at least one meeting"):
        generate(0, seed=1)


def test_every_located_meeting_lies_in_the_time_zone_it_is_listed_in(world: World) -> None:
    located = [m for m in world.meetings if m.venue is not None]
    assert located
    for meeting in located:
        assert meeting.venue is not None
        assert zone_at(meeting.venue.latitude, meeting.venue.longitude) == meeting.town.region.zone, meeting.slug


def test_the_world_spans_many_time_zones(world: World) -> None:
    zones = {m.town.region.zone for m in world.meetings}
    for expected in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "Europe/London",
        "Europe/Berlin",
        "America/Mexico_City",
        "Australia/Sydney",
    ):
        assert expected in zones


def test_a_small_world_still_shows_every_attendance_mode() -> None:
    tiny = generate(5, seed=4, today=TODAY)
    assert {m.attendance for m in tiny.meetings} == set(ATTENDANCE_MODES)


def test_online_and_phone_meetings_have_no_address_and_a_placeholder_line(world: World) -> None:
    for meeting in world.meetings:
        if meeting.attendance == "online":
            assert meeting.venue is None and meeting.regions
            assert meeting.conference_url.split("/")[2] in CONFERENCE_HOSTS
        if meeting.attendance == "phone":
            assert meeting.venue is None and not meeting.conference_url
            assert FICTIONAL_PHONE.match(meeting.conference_phone)
        if meeting.attendance == "hybrid":
            assert meeting.venue is not None and meeting.conference_url


def test_inactive_meetings_say_why_and_until_when(world: World) -> None:
    inactive = [m for m in world.meetings if m.attendance == "inactive"]
    assert inactive
    for meeting in inactive:
        assert meeting.inactive_reason
        assert meeting.inactive_until is not None and meeting.inactive_until > TODAY


def test_contacts_are_first_names_only_with_made_up_addresses(world: World) -> None:
    contacts = [(group, c) for group in world.groups for c in group.contacts]
    assert contacts
    for _group, contact in contacts:
        assert contact["name"] in CONTACT_NAMES and " " not in contact["name"]
        assert contact["email"].endswith("@example.org")
        assert FICTIONAL_PHONE.match(contact["phone"])
    with_contacts = [group for group in world.groups if group.contacts]
    assert sum(group.contacts_public for group in with_contacts) < len(with_contacts) / 2


def test_group_names_name_no_contact(world: World) -> None:
    for group in world.groups:
        assert not set(group.name.split()) & set(CONTACT_NAMES), group.name


def test_schedules_vary_like_real_ones(world: World) -> None:
    meetings = world.meetings
    assert any(len(m.days) > 1 for m in meetings) and any(len(m.days) == 1 for m in meetings)
    assert any(m.end is None for m in meetings) and any(m.end is not None for m in meetings)
    assert any(m.end is not None and m.end <= m.start for m in meetings), "no meeting crosses midnight"
    evening = sum(1 for m in meetings if 17 <= m.start.hour < 22)
    morning = sum(1 for m in meetings if m.start.hour < 11)
    assert evening > morning > 0


def test_facets_and_fellowships_are_mixed(world: World) -> None:
    codes = Counter(code for m in world.meetings for code in m.types)
    for code in ("O", "C", "D", "SP", "X", "EN", "S"):
        assert codes[code] > 0, code
    assert len({m.fellowship for m in world.meetings}) >= 4
    assert any(g.moud_welcome or g.harm_reduction for g in world.groups)


def test_big_towns_hold_many_meetings_and_small_towns_few() -> None:
    big = generate(12000, seed=2, today=TODAY)
    per_town = sorted(Counter(id(m.town) for m in big.meetings).values(), reverse=True)
    assert len(per_town) > 300
    assert per_town[0] >= 10 * per_town[len(per_town) // 2]
    assert per_town[-1] <= 3


@pytest.mark.django_db
def test_load_demo_writes_meetings_and_their_slots() -> None:
    call_command("load_demo", meetings=40, seed=2, verbosity=0)
    assert Meeting.objects.count() == 40
    expected_slots = sum(len(m.days) for m in Meeting.objects.all())
    assert MeetingSlot.objects.count() == expected_slots


@pytest.mark.django_db
def test_load_demo_if_empty_leaves_a_filled_directory_alone() -> None:
    call_command("load_demo", meetings=20, seed=2, verbosity=0)
    call_command("load_demo", meetings=30, seed=5, if_empty=True, verbosity=0)
    assert Meeting.objects.count() == 20


@pytest.mark.django_db
def test_load_demo_refuses_to_mix_with_existing_meetings() -> None:
    call_command("load_demo", meetings=10, seed=2, verbosity=0)
    with pytest.raises(CommandError, match="already has 10 meetings"):
        call_command("load_demo", meetings=10, seed=3, verbosity=0)
    assert Meeting.objects.count() == 10


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["x", "0", "-5", "2000000"])
def test_load_demo_rejects_a_meeting_count_it_cannot_make(bad: str) -> None:
    with pytest.raises(CommandError, match="meetings"):
        call_command("load_demo", "--meetings", bad, verbosity=0)
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_the_meeting_guide_records_import_through_the_real_importer() -> None:
    small = generate(120, seed=6, today=TODAY)
    report = import_text(json.dumps(meeting_guide_records(small)), source_name="demo.json", key="demo")
    assert report.skipped == 0
    assert Meeting.objects.count() == 120
    zones = {m.slug: m.town.region.zone for m in small.meetings}
    for slug, zone, attendance in Meeting.objects.values_list("source_slug", "timezone", "attendance"):
        assert zone == zones[slug]
        assert attendance in ATTENDANCE_MODES


def test_the_benchmark_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--json", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(output.read_text())
    for key in (
        "meetings",
        "query_p50_ms",
        "query_p95_ms",
        "query_p99_ms",
        "floor_p50_ms",
        "floor_p95_ms",
        "floor_p99_ms",
        "import_per_s",
        "export_s",
        "first_page_bytes",
        "machine",
        "command",
    ):
        assert key in figures, key
    assert figures["imported_meetings"] == figures["meetings"]
    assert figures["query_errors"] == 0 and figures["export_status"] == 200


HOURS = [sys.executable, "-m", "bench.search_hours"]


def test_search_hours_measures_a_kept_benchmark_database_at_each_hour_and_refuses_a_wrong_folder(
    tmp_path: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
    kept = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--keep", "--json", str(tmp_path / "d.json")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert kept.returncode == 0, kept.stdout + kept.stderr
    folder = Path(
        next(line for line in (kept.stdout + kept.stderr).splitlines() if line.startswith("kept ")).split(" ", 1)[1]
    )
    try:
        output = tmp_path / "hours.json"
        hours = subprocess.run(
            [*HOURS, str(folder), "--meetings", "300", "--queries", "40", "--step", "12", "--json", str(output)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert hours.returncode == 0, hours.stdout + hours.stderr
        rows = json.loads(output.read_text())["hours"]
        assert [row["utc"] for row in rows] == ["Mon 00:28", "Mon 12:28"]
        assert all(row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] for row in rows)
        assert any(row["results_mean"] > 0 for row in rows), "the queries find meetings starting soon"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    wrong = subprocess.run(
        [*HOURS, str(tmp_path / "nothing")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "bench.directory --keep" in wrong.stderr
