"""Keeps the finder's index of weekly occurrences (MeetingSlot) in step with meetings.

``slot_rows`` is the one definition of what the index holds for a meeting; bulk writers (the
importer, the demo loader) insert its tuples directly, ``rebuild`` goes through the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from stayhere.directory import freshness, schedule
from stayhere.directory.models import LOCATED_ATTENDANCE, Meeting, MeetingSlot, cell_of

SLOT_COLUMNS = (
    "meeting_id", "start_mow", "timezone", "attendance", "fellowship", "cell", "latitude", "longitude", "type_index",
)  # fmt: skip


def slot_rows(meeting: Meeting) -> list[tuple[Any, ...]]:
    """The index rows of a saved meeting, as tuples in the order of SLOT_COLUMNS."""
    location = meeting.location
    return slot_tuples(
        meeting.pk,
        meeting.day_mask,
        meeting.start_time,
        meeting.timezone,
        meeting.attendance,
        meeting.fellowship,
        location.latitude if location is not None else None,
        location.longitude if location is not None else None,
        meeting.type_index,
    )


def slot_tuples(
    meeting_id: int,
    day_mask: int,
    start_time: dt.time | None,
    zone: str,
    attendance: str,
    fellowship: str,
    latitude: float | None,
    longitude: float | None,
    type_index: str,
) -> list[tuple[Any, ...]]:
    """The same rows from the values themselves, for writers that hold no Meeting (the importer); ``type_index`` is
    the meeting's own (``Meeting.type_index``)."""
    if start_time is None or not day_mask:
        return []
    cell = None
    if attendance in LOCATED_ATTENDANCE and latitude is not None and longitude is not None:
        cell = cell_of(latitude, longitude)
    else:
        latitude = longitude = None
    minute = schedule.minute_of_day(start_time)
    return [
        (meeting_id, schedule.mow(day, minute), zone, attendance, fellowship, cell, latitude, longitude, type_index)
        for day in schedule.mask_to_days(day_mask)
    ]


def slots_for(meeting: Meeting) -> list[MeetingSlot]:
    return [MeetingSlot(**dict(zip(SLOT_COLUMNS, row, strict=True))) for row in slot_rows(meeting)]


def rebuild(meetings: Iterable[Meeting], batch_size: int = 2000) -> int:
    """Replace the slots of these (saved) meetings; returns how many slots now exist for them."""
    meetings = list(meetings)
    rows = [slot for meeting in meetings for slot in slots_for(meeting)]
    with transaction.atomic():
        ids = [meeting.pk for meeting in meetings]
        for start in range(0, len(ids), 900):
            MeetingSlot.objects.filter(meeting_id__in=ids[start : start + 900]).delete()
        MeetingSlot.objects.bulk_create(rows, batch_size=batch_size)
    freshness.changed()
    return len(rows)
