"""Keeps the finder's index of weekly occurrences (MeetingSlot) in step with meetings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from stayhere.directory import freshness, schedule
from stayhere.directory.models import LOCATED_ATTENDANCE, Meeting, MeetingSlot, cell_of


def slots_for(meeting: Meeting) -> list[MeetingSlot]:
    if meeting.start_time is None or not meeting.day_mask:
        return []
    location = meeting.location
    latitude = longitude = None
    cell = None
    if meeting.attendance in LOCATED_ATTENDANCE and location is not None and location.has_position:
        assert location.latitude is not None and location.longitude is not None
        latitude, longitude = location.latitude, location.longitude
        cell = cell_of(latitude, longitude)
    minute = schedule.minute_of_day(meeting.start_time)
    return [
        MeetingSlot(
            meeting_id=meeting.pk,
            start_mow=schedule.mow(day, minute),
            timezone=meeting.timezone,
            attendance=meeting.attendance,
            fellowship=meeting.fellowship,
            cell=cell,
            latitude=latitude,
            longitude=longitude,
        )
        for day in meeting.days
    ]


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
