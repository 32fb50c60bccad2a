"""The CSV feed, byte for byte: the awkward meetings against a kept file, and a generated directory
against the CSV laid out from its Meeting Guide objects (how the CSV was made until it had a renderer
of its own: the layout below is kept here as the reference).

Regenerate the kept file only for a change of output you mean: STAYHERE_WRITE_EXPECTED=1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from stayhere.demo.output import store
from stayhere.demo.world import generate
from stayhere.directory.feeds import exporter, meeting_guide_sql
from stayhere.directory.feeds.codes import type_name
from stayhere.directory.feeds.common import DAY_NAMES
from stayhere.directory.models import Group
from tests.conftest import TEST_DATA
from tests.directory.feeds.awkward import make_awkward_meetings

pytestmark = pytest.mark.django_db

PREFIX = "http://stayhere.example/meetings/"
EXPECTED = TEST_DATA / "feeds" / "export" / "awkward-meetings.csv"

# The 12 Step Meeting List import columns, in order.
COLUMNS = [
    "Slug", "Name", "Day", "Time", "End Time", "Timezone", "Attendance Option", "Location", "Address", "City",
    "State", "Postal Code", "Country", "Latitude", "Longitude", "Approximate", "Regions", "Types", "Notes",
    "Location Notes", "Group", "Group Notes", "Website", "Email", "Phone", "Contact 1 Name", "Contact 1 Email",
    "Contact 1 Phone", "Contact 2 Name", "Contact 2 Email", "Contact 2 Phone", "Contact 3 Name", "Contact 3 Email",
    "Contact 3 Phone", "Conference URL", "Conference URL Notes", "Conference Phone", "Conference Phone Notes",
    "Venmo", "Square", "PayPal", "Homegroup Online", "URL", "Updated",
]  # fmt: skip


def _rows_from_meeting_guide(item: dict[str, Any]) -> Iterator[list[str]]:
    """One row per day (slug-monday, ...) of one Meeting Guide object, each column its key's value."""
    day = item.get("day")
    days: list[int | None] = list(day) if isinstance(day, list) else [day]
    for weekday in days:
        values = {
            "Slug": item["slug"] if len(days) == 1 or weekday is None else f"{item['slug']}-{DAY_NAMES[weekday]}",
            "Day": "" if weekday is None else DAY_NAMES[weekday].capitalize(),
            "Regions": " > ".join(item.get("regions", [])),
            "Types": ", ".join(type_name(code) for code in item.get("types", [])),
        }
        row = []
        for column in COLUMNS:
            value = values[column] if column in values else item.get(column.lower().replace(" ", "_"), "")
            if column in ("Latitude", "Longitude") and value != "":
                value = float(value)  # PostgreSQL writes 40.0 as 40
            row.append("" if value is None else str(value))
        yield row


def _csv_from_meeting_guide(items: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerows(_rows_from_meeting_guide(item))
    return buffer.getvalue()


def _csv() -> str:
    return "".join(exporter.csv_chunks(PREFIX))


def test_the_csv_of_awkward_meetings_is_byte_for_byte_the_kept_file():
    make_awkward_meetings()
    text = _csv()
    if os.environ.get("STAYHERE_WRITE_EXPECTED"):
        EXPECTED.write_bytes(text.encode())
    assert text == EXPECTED.read_bytes().decode()


def test_the_csv_of_awkward_meetings_lays_out_their_meeting_guide_objects():
    make_awkward_meetings()
    assert _csv() == _csv_from_meeting_guide(json.loads("".join(meeting_guide_sql.meeting_guide_chunks(PREFIX))))


def test_the_csv_of_a_generated_directory_lays_out_its_meeting_guide_objects():
    store(generate(600, seed=5, today=dt.date(2026, 3, 2)))
    Group.objects.filter(pk__in=Group.objects.order_by("pk").values("pk")[:5]).update(contacts_public=True)
    items = json.loads("".join(meeting_guide_sql.meeting_guide_chunks(PREFIX)))
    assert sum(isinstance(item.get("day"), list) for item in items) > 10
    text = _csv()
    assert text == _csv_from_meeting_guide(items)
    assert text.count("\r\n") > 600 + 1  # a row per day of each meeting, and the header


def test_an_empty_directory_is_a_csv_of_the_header_alone():
    assert _csv() == ",".join(COLUMNS) + "\r\n"
