"""Values longer than their columns (issue 15, item 3): skipped and reported before anything is written, on
SQLite and PostgreSQL alike (the PostgreSQL pass of scripts/test.sh runs this file on PostgreSQL), never a
DataError that rolls the whole import back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stayhere.directory.feeds.common import ListingRecord
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.feeds.lengths import _COLUMNS, too_long
from stayhere.directory.models import Group, Location, Meeting

pytestmark = pytest.mark.django_db


def _record(slug: str, **values: Any) -> dict[str, Any]:
    record = {
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "day": 1,
        "time": "19:00",
        "timezone": "America/New_York",
        "address": "1 Main Street",
        "city": "Springfield",
    }
    record.update(values)
    return record


def _import(records: list[dict[str, Any]]):
    return import_text(json.dumps(records), source_name="feed.json", key="lengths")


def test_a_record_with_300_custom_type_codes_is_skipped_and_reported_and_the_rest_is_imported():
    codes = [f"CUSTOM{n}" for n in range(300)]
    report = _import([_record("many-types", types=codes), _record("plain")])
    assert (report.created, report.skipped) == (1, 1)
    problem = next(p for p in report.problems if p.severity == "error")
    assert (problem.where, problem.field) == ("many-types", "types")
    assert problem.reason == "its 300 type codes take 2891 characters, more than the 600 the directory holds; skipped"
    assert set(Meeting.objects.values_list("source_slug", flat=True)) == {"plain"}


def test_an_oversized_record_keeps_its_earlier_version_and_nothing_else_changes():
    _import([_record("many-types", types=["O", "D"]), _record("plain")])
    before = list(Meeting.objects.order_by("pk").values_list("pk", "source_slug", "types", "updated"))
    report = _import([_record("many-types", types=[f"CUSTOM{n}" for n in range(300)]), _record("plain")])
    assert (report.skipped, report.removed, report.unchanged) == (1, 0, 1)
    assert list(Meeting.objects.order_by("pk").values_list("pk", "source_slug", "types", "updated")) == before


def test_values_exactly_as_long_as_their_columns_are_written_on_this_database():
    # The limits are the models' own: a value at each limit fits the real column (a drift would fail here).
    longest = _record(
        "x" * 200,
        name="N" * 200,
        location="L" * 200,
        address="A" * 300,
        city="C" * 120,
        state="S" * 120,
        postal_code="P" * 30,
        country="K" * 80,
        group="G" * 200,
        phone="1" * 40,
        venmo="@" + "v" * 79,
        conference_phone="2" * 120,
        url="https://example.org/" + "u" * 480,
        feedback_url="https://example.org/" + "f" * 480,
        types=["T" * 598],  # "|" + 598 + "|": the 600 of the finder's index
    )
    report = _import([longest])
    assert (report.created, report.skipped) == (1, 0), [str(p) for p in report.problems]
    meeting = Meeting.objects.select_related("location", "group").get()
    assert len(meeting.type_index) == 600 and len(meeting.location.address) == 300
    assert Group.objects.get().name == "G" * 200 and Location.objects.count() == 1


@pytest.mark.parametrize(("attribute", "word", "limit"), _COLUMNS)
def test_each_value_one_character_past_its_column_is_named(attribute, word, limit):
    record = ListingRecord(index=0, slug="s", name="n")
    setattr(record, attribute, "x" * (limit + 1))
    problem = too_long(record)
    assert problem is not None and problem.field == word
    assert problem.reason == f"is {limit + 1} characters long, more than the {limit} the directory holds; skipped"
    setattr(record, attribute, "x" * limit)
    assert too_long(record) is None
