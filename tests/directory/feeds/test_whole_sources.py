"""A source must look whole before an import removes anything (issue 15, item 1).

A source cut short fails as a whole and changes nothing; a whole source whose removals look wrong (too
many at once, or a record that could not be read) has its meetings written and its removals held back.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from stayhere.directory.feeds import tsml_csv
from stayhere.directory.feeds.common import FeedFormatError
from stayhere.directory.feeds.importer import ImportFailed, import_feed, import_text
from stayhere.directory.models import Meeting
from tests.conftest import TEST_DATA, real_feed

pytestmark = pytest.mark.django_db

SMALL_CSV = (TEST_DATA / "feeds" / "small-tsml.csv").read_text()
SAN_JOSE = "tsml-csv-san-jose-template.csv"


def _meetings(count: int) -> list[dict[str, Any]]:
    return [
        {
            "slug": f"meeting-{n}",
            "name": f"Meeting {n}",
            "day": n % 7,
            "time": "19:00",
            "timezone": "America/New_York",
            "address": f"{n} Main Street",
            "city": "Springfield",
        }
        for n in range(1, count + 1)
    ]


def _import(data: Any, key: str = "whole", **options: Any):
    text = data if isinstance(data, str) else json.dumps(data)
    name = "feed.csv" if isinstance(data, str) and not text.lstrip().startswith("[") else "feed.json"
    return import_text(text, source_name=name, key=key, **options)


def _slugs(key: str = "whole") -> set[str]:
    return set(Meeting.objects.filter(source=key).values_list("source_slug", flat=True))


# Cut short: refused whole --------------------------------------------------------------------------


def test_the_san_jose_template_cut_inside_a_row_is_refused_and_its_36_meetings_stay(shared_feeds: Path):
    feed = real_feed(shared_feeds, SAN_JOSE)
    import_feed(str(feed), key="sj")
    before = sorted(Meeting.objects.filter(source="sj").values_list("slug", "updated"))
    assert len(before) == 36
    with pytest.raises(ImportFailed, match=r"ends in the middle of row 12 \(a quoted value in it is never closed\)"):
        _import(feed.read_bytes()[:3187].decode(), key="sj")
    assert sorted(Meeting.objects.filter(source="sj").values_list("slug", "updated")) == before


def test_no_cut_of_the_san_jose_template_imports_a_damaged_row(shared_feeds: Path):
    # Cut at every byte: the file is refused, or each row it gives is the row of the whole file. A cut
    # just before or inside the last column cannot be seen in the file (its last value is "Updated",
    # which no re-import compares); one at a row's end leaves whole rows, and the shrink guard holds
    # the removals (test below).
    text = real_feed(shared_feeds, SAN_JOSE).read_text()
    whole = {record.slug: dataclasses.asdict(record) for record in tsml_csv.parse(text).records}
    refused = 0
    for end in range(len(text)):
        try:
            records = tsml_csv.parse(text[:end]).records
        except FeedFormatError:
            refused += 1
            continue
        for record in records:
            got = dataclasses.asdict(record)
            assert record.slug in whole, f"a cut at byte {end} made up the meeting {record.slug}"
            differs = {name for name, value in got.items() if whole[record.slug][name] != value}
            assert differs <= {"updated"}, f"a cut at byte {end} changed {differs} of {record.slug}"
    assert refused > len(text) * 0.9


def test_a_csv_that_ends_inside_a_quoted_value_is_refused_and_changes_nothing():
    _import(SMALL_CSV)
    cut = SMALL_CSV[: SMALL_CSV.index("Closed, Online") + 6]
    with pytest.raises(ImportFailed, match=r"row 3 \(a quoted value in it is never closed\).*nothing was changed"):
        _import(cut)
    assert _slugs() == {"after-work", "lunch-online"}


def test_a_csv_whose_last_row_stops_short_of_the_columns_without_a_line_break_is_refused():
    header, first, second = SMALL_CSV.splitlines()
    cut = f"{header}\n{first}\n{second.split(',America/Los_Angeles')[0]},America/Los"
    with pytest.raises(ImportFailed, match=r"row 3 \(it has 12 of the header's 16 columns, and no line break\)"):
        _import(cut)


def test_a_csv_without_a_final_line_break_imports_whole():
    assert not SMALL_CSV.rstrip("\n").endswith("\n")
    report = _import(SMALL_CSV.rstrip("\n"))
    assert report.created == 2 and _slugs() == {"after-work", "lunch-online"}


def test_a_csv_whose_rows_all_leave_out_their_empty_last_columns_imports_its_last_row_too():
    text = "Slug,Name,Day,Time,Timezone,Address,Notes,Conference URL\n"
    text += "one,One,Monday,19:00,America/Chicago,1 Main St Springfield IL\n"
    text += "two,Two,Tuesday,19:00,America/Chicago,2 Main St Springfield IL"
    assert _import(text).created == 2


def test_a_csv_with_a_quoted_line_break_in_its_last_value_is_whole():
    text = "Slug,Name,Day,Time,Timezone,Address,Notes\n"
    text += 'one,One,Monday,19:00,America/Chicago,1 Main St,"Side door\nup the stairs"'
    assert _import(text).created == 1
    assert Meeting.objects.get(source_slug="one").notes == "Side door\nup the stairs"


# Whole, but the removals look wrong: held back ----------------------------------------------------


def test_a_feed_that_drops_more_than_a_fifth_of_its_meetings_is_written_but_removes_none():
    _import(_meetings(10))
    kept = _meetings(7)
    kept[0]["name"] = "Meeting 1 Renamed"
    report = _import(kept)
    assert (report.updated, report.unchanged, report.removed, report.held) == (1, 6, 0, 3)
    assert "no longer lists 3 of the 10 meetings imported from whole before (30 %" in report.held_because
    assert "--allow-shrink" in report.held_because and "3 no longer listed but kept" in report.summary()
    assert len(_slugs()) == 10 and Meeting.objects.get(source_slug="meeting-1").name == "Meeting 1 Renamed"


def test_allow_shrink_lets_the_removals_through():
    _import(_meetings(10))
    report = _import(_meetings(2), allow_shrink=True)
    assert (report.removed, report.held, report.held_because) == (8, 0, "")
    assert _slugs() == {"meeting-1", "meeting-2"}


def test_a_fifth_or_less_is_removed_as_before_and_one_meeting_alone_always_is():
    _import(_meetings(10))
    assert _import(_meetings(8)).removed == 2
    assert _import(_meetings(2)).held == 6
    _import(_meetings(2), key="pair")
    assert _import(_meetings(1), key="pair").removed == 1


def test_the_share_is_set_by_stayhere_feed_shrink_limit(settings):
    settings.FEED_SHRINK_LIMIT = 50
    _import(_meetings(10))
    assert _import(_meetings(5)).removed == 5
    assert _import(_meetings(2)).held == 3
    settings.FEED_SHRINK_LIMIT = 0
    assert _import(_meetings(4)).removed == 1
    assert _import(_meetings(2)).held == 2


def test_a_dry_run_says_the_removals_would_be_held_back_and_writes_nothing():
    _import(_meetings(10))
    report = _import(_meetings(3), dry_run=True)
    assert report.held == 7 and report.held_because and "would be written" in report.summary()
    assert len(_slugs()) == 10


def test_a_record_replaced_by_a_non_object_is_named_and_nothing_is_removed():
    _import(_meetings(5))
    records: list[Any] = _meetings(5)
    records[3] = 4  # meeting-4, replaced by a number
    report = _import(records)
    problem = next(p for p in report.problems if p.field == "record")
    assert problem.where == "#4 (after meeting-3)"
    assert problem.reason == "is a number (4), not a JSON object; skipped"
    assert (report.removed, report.held) == (0, 1) and "#4 (after meeting-3)" in report.held_because
    assert "meeting-4" in _slugs()


def test_several_unreadable_records_are_each_named_by_position_and_their_neighbour():
    records: list[Any] = [None, *_meetings(2), "Evening Group", [1, 2]]
    report = _import(records)
    places = [(p.where, p.reason) for p in report.problems if p.field == "record"]
    assert places == [
        ("#1 (the first record)", "is null, not a JSON object; skipped"),
        ("#4 (after meeting-2)", 'is a string ("Evening Group"), not a JSON object; skipped'),
        ("#5 (after #4)", "is a list of 2 values, not a JSON object; skipped"),
    ]
    assert report.created == 2 and report.held == 0  # nothing to remove: nothing to hold back


def test_allow_shrink_removes_past_an_unreadable_record():
    _import(_meetings(5))
    records: list[Any] = _meetings(5)
    records[3] = 4
    report = _import(records, allow_shrink=True)
    assert report.removed == 1 and "meeting-4" not in _slugs()


def test_a_bad_record_without_a_slug_is_named_by_position_and_name_and_keeps_its_meeting():
    # A CSV without a Slug column: a meeting's slug comes from its name.
    text = "Name,Day,Time,Timezone,Address\nOne,Monday,19:00,America/Chicago,1 Main St\n"
    text += "Two,Tuesday,19:00,America/Chicago,2 Main St\nThree,Friday,20:00,America/Chicago,3 Main St\n"
    _import(text)
    report = _import(text.replace("Tuesday", "Someday"))
    assert any(p.where == 'row 3 "Two"' and p.field == "day" for p in report.problems)
    assert report.removed == 0 and _slugs() == {"one", "two", "three"}


def test_the_command_writes_what_it_can_and_exits_3_with_the_reason_when_removals_are_held(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(_meetings(10)))
    call_command("import_feed", str(feed), source_key="office", stdout=io.StringIO())
    feed.write_text(json.dumps(_meetings(4)))
    out = io.StringIO()
    with pytest.raises(CommandError, match="no longer lists 6 of the 10 meetings") as held:
        call_command("import_feed", str(feed), source_key="office", stdout=out)
    assert held.value.returncode == 3
    assert "0 removed, 6 no longer listed but kept" in out.getvalue()
    call_command("import_feed", str(feed), source_key="office", allow_shrink=True, stdout=out)
    assert len(_slugs("office")) == 4
