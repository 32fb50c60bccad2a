"""From the database to a room: the meeting's clock and the group's settings as a RoomConfig.

Synchronous ORM calls; the consumer runs ``load_room_config`` in a worker thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from stayhere.directory import schedule
from stayhere.directory.models import Meeting
from stayhere.rooms.core.config import CLOSES_AFTER_S, OPENS_BEFORE_S, SEGMENT_KINDS, RoomConfig, Segment
from stayhere.rooms.web.keys import key_matches
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import MOUD_STATEMENT

DEFAULT_LENGTH = dt.timedelta(minutes=60)  # a meeting listed without an end time


class RoomUnavailable(Exception):
    """This meeting has no room; the message says so in a sentence for people."""


def load_room_config(slug: str, now: float) -> RoomConfig:
    meeting = Meeting.objects.select_related("group").filter(slug=slug).first()
    if meeting is None:
        raise RoomUnavailable(_("There is no meeting at this address. Find it again from the meeting list."))
    if not meeting.has_room:
        raise RoomUnavailable(_("This meeting does not meet here. Its listing says where it meets."))
    room = _settings_of(meeting)
    if room is None:
        raise RoomUnavailable(_("This meeting's room is not set up yet. Ask the group's secretary to set it up."))
    clock = occurrence_clock(meeting, now)
    return RoomConfig(
        meeting_slug=meeting.slug,
        title=meeting.name,
        format=segments(room.format, welcome_statement=room.welcome_statement, share_seconds=room.share_seconds),
        starts_at=clock.starts_at,
        ends_at=clock.ends_at,
        scheduled=clock.scheduled,
        next_opens_at=clock.next_opens_at,
        chat_policy=room.chat_policy,
        allow_private=room.allow_private,
        passcode=room.passcode,
        waiting_room=room.waiting_room,
        share_seconds=room.share_seconds,
        chair_key_hash=room.chair_key_hash,
        # An unlisted room with no members' link yet lets nobody in but its chair: never an open door.
        link_key_hash=(room.link_key_hash or "-") if room.unlisted else "",
        mode=room.mode,
        once=room.once,
        open_floor=room.open_floor,
        open_floor_max=room.open_floor_max,
    )


def chair_key_matches(slug: str, key: str) -> bool:
    """Whether ``key`` is the chair link's key of this meeting's room."""
    meeting = Meeting.objects.select_related("group").filter(slug=slug, has_room=True).first()
    room = None if meeting is None else _settings_of(meeting)
    return room is not None and key_matches(key, room.chair_key_hash)


def link_key_matches(slug: str, key: str) -> bool:
    """Whether ``key`` is the members' link key of this meeting's unlisted room."""
    meeting = Meeting.objects.select_related("group").filter(slug=slug, has_room=True).first()
    room = None if meeting is None else _settings_of(meeting)
    return room is not None and room.unlisted and key_matches(key, room.link_key_hash)


def room_is_listed(meeting: Meeting) -> bool:
    """Whether the meeting's page may show its room's link (False for an unlisted room, or no room)."""
    if not meeting.has_room:
        return False
    room = _settings_of(meeting)
    return room is None or not room.unlisted


def _settings_of(meeting: Meeting) -> RoomSettings | None:
    if meeting.group is None:
        return None
    return RoomSettings.objects.filter(group=meeting.group).first()


def segments(stored: Iterable[object], *, welcome_statement: bool, share_seconds: int) -> tuple[Segment, ...]:
    """The stored format as Segment values; malformed entries are skipped rather than breaking the room."""
    out: list[Segment] = []
    for item in stored:
        if not isinstance(item, dict) or item.get("kind") not in SEGMENT_KINDS:
            continue
        if not welcome_statement and item.get("statement") == MOUD_STATEMENT:
            continue
        seconds = _whole(item.get("share_seconds"))
        out.append(
            Segment(
                kind=str(item["kind"]),
                title=str(item.get("title", "")),
                text=str(item.get("text", "")),
                minutes=_whole(item.get("minutes")),
                share_seconds=seconds or share_seconds,
            )
        )
    return tuple(out)


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(frozen=True)
class Clock:
    """When a room's instance runs: an occurrence of the schedule, or an unscheduled meeting's length from now."""

    starts_at: float
    ends_at: float
    scheduled: bool
    next_opens_at: float | None = None


def occurrence_clock(meeting: Meeting, now: float) -> Clock:
    """The occurrence whose window [start - OPENS_BEFORE_S, end + CLOSES_AFTER_S] holds ``now``, or the next one."""
    length = dt.timedelta(minutes=meeting.duration_minutes) if meeting.duration_minutes else DEFAULT_LENGTH
    occurrences = list(_occurrences_around(meeting, now, length))
    opens, closes = dt.timedelta(seconds=OPENS_BEFORE_S), dt.timedelta(seconds=CLOSES_AFTER_S)
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    current = [(start, end) for start, end in occurrences if start - opens <= moment <= end + closes]
    if current:
        start, end = min(current)
        return Clock(start.timestamp(), end.timestamp(), scheduled=True)
    upcoming = [start for start, _end in occurrences if start - opens > moment]
    next_opens = (min(upcoming) - opens).timestamp() if upcoming else None
    return Clock(now, now + length.total_seconds(), scheduled=False, next_opens_at=next_opens)


def _occurrences_around(
    meeting: Meeting, now: float, length: dt.timedelta
) -> Iterable[tuple[dt.datetime, dt.datetime]]:
    """For each weekday: the earliest occurrence that may still be open at ``now`` and the one after it."""
    if meeting.start_time is None or not meeting.day_mask:
        return
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    # An hour more than the listed length: a clock change inside the meeting can lengthen it by that much.
    grace = length + dt.timedelta(seconds=CLOSES_AFTER_S) + dt.timedelta(hours=1)
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
