"""New meetings are written as rows straight from their records: what they store must be what the
model path stored (a re-import finds nothing changed, every row passes the model's validation, and
the finder's slots are the ones slot_rows makes from the saved meeting)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from stayhere.demo.output import meeting_guide_records
from stayhere.demo.world import generate
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.feeds.resolve import INACTIVE_REASON
from stayhere.directory.models import Meeting, MeetingSlot
from stayhere.directory.slots import SLOT_COLUMNS, slot_rows

pytestmark = pytest.mark.django_db


def _feed() -> str:
    records = meeting_guide_records(generate(400, seed=11, today=dt.date(2026, 3, 2)))
    records[0]["types"] = ["O", "D", "O", "MOUD", "ONL", "zz-custom"]  # repeated, group-asserted, custom
    records[1].pop("updated", None)
    return json.dumps(records)


def test_imported_rows_validate_and_a_second_import_changes_nothing():
    text = _feed()
    first = import_text(text, source_name="world.json", key="world")
    assert first.created == 400
    meetings = list(Meeting.objects.select_related("location", "group").order_by("pk"))
    for meeting in meetings:
        meeting.full_clean()
        assert meeting.source == "world" and not meeting.has_room
        assert (meeting.inactive_reason == INACTIVE_REASON) == (meeting.attendance == "inactive")
        assert meeting.type_index == ("|" + "|".join(meeting.types) + "|" if meeting.types else "")
    first_meeting = Meeting.objects.get(source_slug=json.loads(text)[0]["slug"])
    assert first_meeting.types == ["O", "D", "zz-custom"]
    assert first_meeting.group is not None and first_meeting.group.moud_welcome
    undated = Meeting.objects.get(source_slug=json.loads(text)[1]["slug"])
    assert abs((undated.updated - dt.datetime.now(dt.UTC)).total_seconds()) < 3600

    second = import_text(text, source_name="world.json", key="world")
    assert (second.created, second.updated, second.unchanged, second.removed) == (0, 0, 400, 0)


def test_the_slots_of_new_meetings_are_the_ones_the_saved_meetings_give():
    import_text(_feed(), source_name="world.json", key="world")
    stored = sorted(MeetingSlot.objects.values_list(*SLOT_COLUMNS))
    expected = sorted(row for m in Meeting.objects.select_related("location") for row in slot_rows(m))
    assert stored == expected and len(stored) > 400
