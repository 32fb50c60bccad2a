"""A slot carries its meeting's type codes (``MeetingSlot.type_index``), so the finder's type filters never read the
meeting: every writer keeps the copy equal to the meeting's own, and the migration gave the existing slots theirs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from stayhere.demo.output import meeting_guide_records, store
from stayhere.demo.world import generate
from stayhere.directory import schedule, search, slots
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Meeting, MeetingSlot
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

MONDAY_EVENING = dt.datetime(2026, 11, 23, 19, 0, tzinfo=schedule.zone("America/Chicago"))


def slots_unlike_their_meeting() -> list[tuple[int, str, str]]:
    """(meeting id, the slot's codes, the meeting's) for every slot whose codes are not its meeting's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.meeting_id, s.type_index, m.type_index FROM directory_meetingslot s "
            "JOIN directory_meeting m ON m.id = s.meeting_id WHERE s.type_index <> m.type_index"
        )
        return list(cursor.fetchall())


def _records() -> list[dict]:
    records = meeting_guide_records(generate(120, seed=5, today=dt.date(2026, 3, 2)))
    records[0]["types"] = ["O", "D", "O", "MOUD", "zz-custom"]  # repeated, group-asserted, custom
    records[1]["types"] = []
    return records


def test_imported_slots_carry_their_meetings_codes_on_a_first_import_and_after_the_codes_change():
    records = _records()
    import_text(json.dumps(records), source_name="world.json", key="world")
    assert MeetingSlot.objects.count() > 120 and slots_unlike_their_meeting() == []
    first = Meeting.objects.get(source_slug=records[0]["slug"])
    assert set(MeetingSlot.objects.filter(meeting=first).values_list("type_index", flat=True)) == {"|O|D|zz-custom|"}
    assert set(
        MeetingSlot.objects.filter(meeting__source_slug=records[1]["slug"]).values_list("type_index", flat=True)
    ) == {""}

    records[0]["types"] = ["C", "SP"]  # changed codes, same schedule and place
    records[1]["types"] = ["B"]
    records.append({**records[2], "slug": "a-new-one", "name": "A new one", "types": ["ST", "X"]})
    second = import_text(json.dumps(records), source_name="world.json", key="world")
    assert (second.created, second.updated) == (1, 2)
    assert slots_unlike_their_meeting() == []
    assert set(MeetingSlot.objects.filter(meeting=first).values_list("type_index", flat=True)) == {"|C|SP|"}
    assert set(MeetingSlot.objects.filter(meeting__source_slug="a-new-one").values_list("type_index", flat=True)) == {
        "|ST|X|"
    }


def test_rebuilt_slots_carry_the_codes_a_meeting_was_given_since():
    meeting = make_meeting("Edited", days=[1, 3], types=["O", "D"])
    assert set(MeetingSlot.objects.filter(meeting=meeting).values_list("type_index", flat=True)) == {"|O|D|"}
    meeting.set_types(["C", "BE"])
    meeting.save()
    slots.rebuild([meeting])
    assert list(MeetingSlot.objects.filter(meeting=meeting).values_list("type_index", flat=True)) == ["|C|BE|"] * 2
    assert slots_unlike_their_meeting() == []


def test_the_demo_loader_writes_slots_with_their_meetings_codes():
    store(generate(60, seed=3, today=dt.date(2026, 3, 2)))
    assert MeetingSlot.objects.exclude(type_index="").exists()
    assert slots_unlike_their_meeting() == []


def test_a_type_filter_is_answered_from_the_slots_without_reading_meetings():
    hall = make_location()
    make_meeting("Open discussion", types=["O", "D"], location=hall)
    make_meeting("Closed discussion", types=["C", "D"], location=hall)
    make_meeting("Untyped", location=hall)
    query = search.parse_query(QueryDict("near=40.0,-89.0&now=1&type=D&not=C"))
    with CaptureQueriesContext(connection) as captured:
        ids, total = search._rank(query, MONDAY_EVENING)
    ranking = [q["sql"] for q in captured.captured_queries if "directory_meetingslot" in q["sql"]][-1]
    assert "directory_meeting " not in ranking and 'directory_meeting"' not in ranking
    assert (Meeting.objects.get(pk=ids[0]).name, total) == ("Open discussion", 1)
    # The codes are matched whole, as in the meeting's index: "S" is not "SP".
    assert [
        r.meeting.name for r in search.search(search.parse_query(QueryDict("type=S")), MONDAY_EVENING).results
    ] == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_the_slots_that_existed_their_meetings_codes():
    before = [("directory", "0009_feed_blocks")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old_meeting, old_slot = old.get_model("directory", "Meeting"), old.get_model("directory", "MeetingSlot")
    typed = old_meeting.objects.create(slug="typed", name="T", timezone="UTC", day_mask=6, type_index="|O|X|")
    untyped = old_meeting.objects.create(slug="untyped", name="U", timezone="UTC", day_mask=2)
    for meeting, minute in ((typed, 1440), (typed, 2880), (untyped, 1440)):
        old_slot.objects.create(meeting=meeting, start_mow=minute, timezone="UTC", attendance="online", fellowship="AA")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    codes = sorted(MeetingSlot.objects.values_list("meeting__slug", "type_index"))
    assert codes == [("typed", "|O|X|"), ("typed", "|O|X|"), ("untyped", "")]
