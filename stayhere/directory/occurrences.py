"""When a listed meeting is being held: the occurrence of its weekly schedule around a moment, in its own time zone.

The rooms open a meeting's room, and the slips sign for it, only inside an occurrence's window; each passes the
window it keeps (how long before the start it opens, how long after the end it closes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from stayhere.directory import schedule
from stayhere.directory.models import Meeting

DEFAULT_LENGTH = dt.timedelta(minutes=60)  # a meeting listed without an end time


@dataclass(frozen=True)
class Clock:
    """When a room's instance runs: an occurrence of the schedule, or an unscheduled meeting's length from now."""

    starts_at: float
    ends_at: float
    scheduled: bool
    next_opens_at: float | None = None


def occurrence_clock(meeting: Meeting, now: float, opens_before_s: float, closes_after_s: float) -> Clock:
    """The occurrence whose window [start - opens_before_s, end + closes_after_s] holds ``now``, or the next one."""
    length = dt.timedelta(minutes=meeting.duration_minutes) if meeting.duration_minutes else DEFAULT_LENGTH
    occurrences = list(_occurrences_around(meeting, now, length, closes_after_s))
    opens, closes = dt.timedelta(seconds=opens_before_s), dt.timedelta(seconds=closes_after_s)
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    current = [(start, end) for start, end in occurrences if start - opens <= moment <= end + closes]
    if current:
        start, end = min(current)
        return Clock(start.timestamp(), end.timestamp(), scheduled=True)
    upcoming = [start for start, _end in occurrences if start - opens > moment]
    next_opens = (min(upcoming) - opens).timestamp() if upcoming else None
    return Clock(now, now + length.total_seconds(), scheduled=False, next_opens_at=next_opens)


def _occurrences_around(
    meeting: Meeting, now: float, length: dt.timedelta, closes_after_s: float
) -> Iterable[tuple[dt.datetime, dt.datetime]]:
    """For each weekday: the earliest occurrence that may still be open at ``now`` and the one after it."""
    if meeting.start_time is None or not meeting.day_mask:
        return
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    # An hour more than the listed length: a clock change inside the meeting can lengthen it by that much.
    grace = length + dt.timedelta(seconds=closes_after_s) + dt.timedelta(hours=1)
    for day in meeting.days:
        first = schedule.next_start(day, meeting.start_time, meeting.timezone, moment, grace)
        second = schedule.next_start(day, meeting.start_time, meeting.timezone, first + dt.timedelta(minutes=1))
        for start in (first, second):
            yield start, _end_of(meeting, start, length)


def _end_of(meeting: Meeting, start: dt.datetime, length: dt.timedelta) -> dt.datetime:
    """The listed end on the wall clock (the next day for a meeting that crosses midnight), as an instant."""
    if meeting.end_time is None:
        return start + length
    local_start = start.astimezone(schedule.zone(meeting.timezone))
    end_day = schedule.python_weekday_to_spec(local_start.weekday()) + (1 if meeting.crosses_midnight else 0)
    end = schedule.next_start(end_day % 7, meeting.end_time, meeting.timezone, start)
    return end if end > start else start + length
