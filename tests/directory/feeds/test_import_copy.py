"""On PostgreSQL the importer writes with COPY (stayhere.directory.bulkrows): the rows it leaves must be the rows
the statement-per-row path left, for a first import and for a re-import that changes, moves and removes
meetings; and an import killed (SIGKILL) in the middle of its COPYs leaves the directory as it was.

The suite runs this file on PostgreSQL with STAYHERE_DATABASE_URL set (scripts/test.sh); on SQLite there is no
COPY, and the comparison is skipped.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from stayhere.demo.output import meeting_guide_records
from stayhere.demo.world import generate
from stayhere.directory import bulkrows
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Group, Location, Meeting, MeetingSlot
from tests.conftest import REPO
from tests.deploy.throwaway_postgres import throwaway_database

EVERY_FIELD = {
    "location_notes": "Side door, up the stairs",
    "conference_url": "https://meet.example.org/j/123",
    "conference_url_notes": "Passcode in the group's email",
    "conference_phone": "+1 555 0100",
    "conference_phone_notes": "Press 1",
    "notes": "Bring a friend\nor two",
    "venmo": "@group",
    "square": "$group",
    "paypal": "group",
    "homegroup_online": "group-1",
    "feedback_url": "https://example.org/feedback",
    "group_notes": "We meet upstairs",
    "email": "group@example.org",
    "phone": "555-0101",
    "website": "https://group.example.org",
    "contact_1_name": "Sam Example",
    "contact_1_email": "sam@example.org",
    "contact_2_phone": "555-0102",
    "types": ["O", "D", "O", "MOUD", "HRED", "zz-custom"],
    "regions": ["Ohio", "Columbus"],
    "end_time": "20:30",
}


def _records() -> list[dict[str, Any]]:
    records = meeting_guide_records(generate(300, seed=21, today=dt.date(2026, 3, 2)))
    records[0].update(EVERY_FIELD, group="Every Field Group")
    for record in records:
        record.setdefault("updated", "2026-02-01 10:00:00")  # no import time in the rows compared
    return records


def _changed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A later version of the feed: names and times changed, some places moved, some meetings gone, some new."""
    later = copy.deepcopy(records[30:])  # the first thirty are no longer listed
    for number, record in enumerate(later):
        if number % 3 == 0:
            record["name"] += " (renamed)"
            record["updated"] = "2026-03-01 09:00:00"
        if number % 7 == 0 and "latitude" in record:
            record["latitude"] = float(record["latitude"]) + 0.01
            record["address"] = f"{number} New Street"
        if number % 11 == 0:
            record["contact_1_name"] = f"Alex {number}"
            record["group_notes"] = "Moved upstairs"
    later.append({**records[1], "slug": "a-new-one", "name": "A New One"})
    return later


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the import wrote, its keys replaced by what they point at (ids differ between runs)."""
    places = {
        location.pk: (
            location.name, location.address, location.city, location.state, location.postal_code,
            location.country, location.latitude, location.longitude, location.approximate, location.notes,
        )
        for location in Location.objects.all()
    }  # fmt: skip
    groups = {
        group.pk: tuple(getattr(group, f.attname) for f in Group._meta.concrete_fields if not f.primary_key)
        for group in Group.objects.all()
    }
    meetings, slugs = [], {}
    for meeting in Meeting.objects.all():
        slugs[meeting.pk] = meeting.slug
        values = []
        for field in Meeting._meta.concrete_fields:
            value = getattr(meeting, field.attname)
            if field.attname == "location_id":
                value = places.get(value)
            elif field.attname == "group_id":
                value = groups.get(value)
            elif field.primary_key:
                continue
            values.append(json.dumps(value, default=str, sort_keys=True))
        meetings.append(tuple(values))
    slots = [
        (slugs[slot.meeting_id], slot.start_mow, slot.timezone, slot.attendance, slot.fellowship, slot.cell,
         slot.latitude, slot.longitude)
        for slot in MeetingSlot.objects.all()
    ]  # fmt: skip
    return {
        "meetings": sorted(meetings),
        "locations": sorted(map(str, places.values())),
        "groups": sorted(map(str, groups.values())),
        "slots": sorted(slots),
    }


def _import_twice(records: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    for model in (MeetingSlot, Meeting, Location, Group):
        model.objects.all().delete()
    first = import_text(json.dumps(records), source_name="world.json", key="world")
    assert first.created == len(records)
    after_first = _rows()
    second = import_text(json.dumps(_changed(records)), source_name="world.json", key="world")
    assert second.removed == 30 and second.created == 1 and second.updated > 0
    return after_first, _rows()


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_writes_the_same_rows_as_a_statement_per_row(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's: run with STAYHERE_DATABASE_URL (scripts/test.sh does)")
    records = _records()
    copied = _import_twice(records)
    monkeypatch.setattr(bulkrows, "_copying", lambda: False)
    row_by_row = _import_twice(records)
    assert copied[0] == row_by_row[0]
    assert copied[1] == row_by_row[1]
    every = next(row for row in copied[0]["meetings"] if '"Every Field Group"' in str(row) or "venmo" in str(row))
    assert every  # the record with every field kind was compared
    assert len(copied[1]["meetings"]) == len(records) - 30 + 1
    assert any("Alex" in group for group in copied[1]["groups"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_ids_drawn_ahead_are_the_sequences_own_whether_or_not_they_are_one_run():
    if connection.vendor != "postgresql":
        pytest.skip("sequences drawn ahead are PostgreSQL's: run with STAYHERE_DATABASE_URL (scripts/test.sh does)")
    run = bulkrows.new_ids(Group, 5)
    assert run == list(range(run[0], run[0] + 5))
    with connection.cursor() as cursor:  # holes between the ids, as another writer drawing at the same time makes
        cursor.execute("ALTER SEQUENCE directory_group_id_seq INCREMENT BY 3")
    holes = bulkrows.new_ids(Group, 4)
    assert len(set(holes)) == 4 and min(holes) > run[-1]
    assert [later - earlier for earlier, later in itertools.pairwise(holes)] == [3, 3, 3]
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE directory_group_id_seq INCREMENT BY 1")
    assert Group.objects.create(name="After", slug="after").pk > max(holes)


_KILLED_IMPORT = """
import os, signal, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
import django
django.setup()
from stayhere.directory import bulkrows
from stayhere.directory.feeds.importer import import_feed

copy = bulkrows._copy
def copy_then_die(table, columns, rows):
    copy(table, columns, rows)
    if "meetingslot" in table:  # the meetings are in; their slots too: die before the commit
        os.kill(os.getpid(), signal.SIGKILL)
bulkrows._copy = copy_then_die
import_feed(sys.argv[1], key="world")
"""


@pytest.mark.postgres
def test_an_import_killed_during_its_copies_leaves_the_directory_as_it_was(tmp_path: Path) -> None:
    records = _records()
    first, later = tmp_path / "first.json", tmp_path / "later.json"
    first.write_text(json.dumps(records))
    later.write_text(json.dumps(_changed(records)))
    with throwaway_database("stayhere_copy_") as url:
        env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
        env |= {"STAYHERE_DATA_DIR": str(tmp_path / "data"), "STAYHERE_DATABASE_URL": url, "STAYHERE_JANUS": "0"}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)

        stayhere = [sys.executable, "-m", "stayhere.cli"]
        assert run(*stayhere, "import-feed", str(first), "--source-key", "world").returncode == 0

        def state() -> tuple[Any, ...]:
            with psycopg.connect(url) as db:
                return tuple(
                    db.execute(query).fetchall()  # type: ignore[call-overload]
                    for query in (
                        "SELECT slug, name, location_id, updated FROM directory_meeting ORDER BY slug",
                        "SELECT count(*), sum(start_mow) FROM directory_meetingslot",
                        "SELECT id, address, latitude FROM directory_location ORDER BY id",
                        "SELECT id, contacts::text, notes FROM directory_group ORDER BY id",
                        "SELECT version FROM directory_directorystate",
                    )
                )

        before = state()
        killed = run(sys.executable, "-c", _KILLED_IMPORT, str(later))
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert state() == before
        # Nothing was left half-done in the way of the next import (no staging table, no lock).
        again = run(*stayhere, "import-feed", str(later), "--source-key", "world")
        assert again.returncode == 0, again.stderr[-2000:]
        with psycopg.connect(url) as db:
            assert db.execute("SELECT count(*) FROM directory_meeting").fetchone() == (len(records) - 30 + 1,)
