"""Weekly schedules and time zones, as plain functions.

Weekdays follow the Meeting Guide convention: 0 = Sunday ... 6 = Saturday. A meeting's
start is wall-clock time in its own IANA zone; instants are computed from that with
``zoneinfo`` for the actual date, so a change to or from daylight saving time never
shifts a meeting. A "minute of week" (mow) is ``weekday * 1440 + minutes after midnight``
in some zone's local time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils.translation import gettext as _

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# The largest jump of a zone's clocks in the tz database's recent years (Troll station: 2 hours).
LONGEST_CLOCK_CHANGE = dt.timedelta(hours=3)

# Zone names older feeds still use; zoneinfo knows them, but we store the canonical name.
LEGACY_ZONES = {
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Arizona": "America/Phoenix",
    "US/Michigan": "America/Detroit",
    "Canada/Eastern": "America/Toronto",
    "Canada/Central": "America/Winnipeg",
    "Canada/Mountain": "America/Edmonton",
    "Canada/Pacific": "America/Vancouver",
    "Canada/Atlantic": "America/Halifax",
    "Canada/Newfoundland": "America/St_Johns",
    "GB": "Europe/London",
    "Europe/Kiev": "Europe/Kyiv",
    "Asia/Calcutta": "Asia/Kolkata",
}


def python_weekday_to_spec(weekday: int) -> int:
    """Python's Monday=0 to the Meeting Guide's Sunday=0."""
    return (weekday + 1) % 7


def days_to_mask(days: list[int]) -> int:
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(_("day %(day)s is not 0 (Sunday) to 6 (Saturday)") % {"day": day})
        mask |= 1 << day
    return mask


def mask_to_days(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def canonical_zone(name: str) -> str:
    """The stored spelling of a zone name, or ValueError naming what is wrong."""
    cleaned = name.strip()
    cleaned = LEGACY_ZONES.get(cleaned, cleaned)
    if cleaned not in _known_zones():
        raise ValueError(_("%(name)r is not an IANA time zone name such as America/New_York") % {"name": name})
    try:
        zone(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            _("%(name)r is not an IANA time zone name such as America/New_York") % {"name": name}
        ) from None
    return cleaned


_finder = None


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point, computed offline (timezonefinder's bundled polygons)."""
    global _finder
    if _finder is None:
        from timezonefinder import TimezoneFinder

        _finder = TimezoneFinder(in_memory=True)
    name = _finder.timezone_at(lat=latitude, lng=longitude)
    return None if name is None else LEGACY_ZONES.get(name, name)


def minute_of_day(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def mow(weekday: int, minute: int) -> int:
    return (weekday * MINUTES_PER_DAY + minute) % MINUTES_PER_WEEK


def local_mow(instant: dt.datetime, zone_name: str) -> int:
    local = instant.astimezone(zone(zone_name))
    return mow(python_weekday_to_spec(local.weekday()), local.hour * 60 + local.minute)


def next_start(
    weekday: int, start: dt.time, zone_name: str, after: dt.datetime, grace: dt.timedelta = dt.timedelta(0)
) -> dt.datetime:
    """The next instant a weekly meeting starts, at or after ``after - grace`` (aware, in its zone)."""
    return next_start_on_days([weekday], start, zone_name, after, grace)


def next_start_on_days(
    weekdays: list[int], start: dt.time, zone_name: str, after: dt.datetime, grace: dt.timedelta = dt.timedelta(0)
) -> dt.datetime:
    """The soonest of ``next_start`` over several weekdays (a meeting's days), the zone and reference read once."""
    tz = zone(zone_name)
    earliest = (after - grace).astimezone(dt.UTC)
    reference = earliest.astimezone(tz)
    today, day = python_weekday_to_spec(reference.weekday()), reference.date()
    return min(_next_on(weekday, start, tz, earliest, day, today) for weekday in weekdays)


def _next_on(
    weekday: int, start: dt.time, tz: ZoneInfo, earliest: dt.datetime, day: dt.date, today: int
) -> dt.datetime:
    days_ahead = (weekday - today) % 7
    for extra in (0, 7, 14):
        date = day + dt.timedelta(days=days_ahead + extra)
        candidate = _wall_clock(date, start, tz)
        # Compared as instants: two datetimes of the same zone compare by wall clock, which in the hour a
        # clock goes back took the first pass of 02:00 (already gone) for one not yet come.
        if candidate.astimezone(dt.UTC) >= earliest:
            return candidate
    raise AssertionError("a weekly meeting always starts within three weeks")


def _wall_clock(date: dt.date, start: dt.time, tz: ZoneInfo) -> dt.datetime:
    """A local wall-clock time on a date.

    fold=0 picks the first of a repeated hour (autumn) and, for a time skipped in spring,
    the pre-change offset: the instant lands as far after the gap as the time was inside it,
    which is when people arrive. The round trip through UTC turns 02:30 into 03:30.
    """
    return dt.datetime.combine(date, start).replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)


@dataclass(frozen=True)
class Window:
    """A span of absolute time, [start, end)."""

    start: dt.datetime
    end: dt.datetime


def mow_ranges(window: Window, zone_name: str) -> list[tuple[int, int]]:
    """The local minute-of-week ranges (inclusive) of the meetings that start within a window.

    A window of a week or longer covers everything; one that runs over the end of the local
    week is split in two. Around a change of the zone's clocks, local times are placed as
    ``next_start`` places them: a time skipped when clocks go forward (02:30 on the night they
    jump from 02:00 to 03:00) happens as far after the jump as it was into the gap, and a time
    repeated when they go back happens on its first pass only.
    """
    if window.end - window.start >= dt.timedelta(days=7):
        return [(0, MINUTES_PER_WEEK - 1)]
    # Meetings start on whole minutes: those in [start, end) run from start rounded up to end
    # rounded up, exclusive.
    start, end = _ceil_minute(window.start), _ceil_minute(window.end)
    # A change up to a few hours before the window still matters: its skipped times land after it.
    change = _offset_change(Window(start - LONGEST_CLOCK_CHANGE, end), zone_name)
    if change is None:
        return _steady_ranges(Window(start, end), zone_name)
    ranges = _steady_ranges(Window(start, min(change, end)), zone_name)
    before, after = local_mow(change - dt.timedelta(minutes=1), zone_name), local_mow(change, zone_name)
    jump = (after - before - 1) % MINUTES_PER_WEEK
    if jump < MINUTES_PER_DAY:  # forward: skipped time `before + 1 + k` starts at change + k minutes
        ranges += _steady_ranges(Window(max(change, start), end), zone_name)
        first, last = max(change, start), min(change + dt.timedelta(minutes=jump), end)
        if first < last:
            offset = int((first - change).total_seconds() // 60)
            length = int((last - first).total_seconds() // 60)
            ranges += _span((before + 1 + offset) % MINUTES_PER_WEEK, length)
    else:  # back: the repeated local times' second pass, [change, change + repeat), names nothing
        repeat = dt.timedelta(minutes=MINUTES_PER_WEEK - jump)
        ranges += _steady_ranges(Window(max(change + repeat, start), end), zone_name)
    return _merged(ranges)


def _ceil_minute(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=1)


def _steady_ranges(window: Window, zone_name: str) -> list[tuple[int, int]]:
    """Ranges for a window of whole minutes in which the zone's offset does not change."""
    if window.end <= window.start:
        return []
    return _span(local_mow(window.start, zone_name), int((window.end - window.start).total_seconds() // 60))


def _span(first: int, length: int) -> list[tuple[int, int]]:
    """``length`` minutes of the week from ``first``, split where the week ends."""
    if length <= 0:
        return []
    last = (first + length - 1) % MINUTES_PER_WEEK
    if first <= last:
        return [(first, last)]
    return [(first, MINUTES_PER_WEEK - 1), (0, last)]


def _offset_change(window: Window, zone_name: str) -> dt.datetime | None:
    """The first whole minute of the window at which the zone's UTC offset differs from its start."""
    start_offset = utc_offset_minutes(zone_name, window.start)
    low, high = 0, int((window.end - window.start).total_seconds() // 60) - 1
    if high <= 0 or utc_offset_minutes(zone_name, window.start + dt.timedelta(minutes=high)) == start_offset:
        return None  # no zone changes its offset twice within a week
    while high - low > 1:  # offset at minute `low` is the start's, at minute `high` it is not
        middle = (low + high) // 2
        if utc_offset_minutes(zone_name, window.start + dt.timedelta(minutes=middle)) == start_offset:
            low = middle
        else:
            high = middle
    return window.start + dt.timedelta(minutes=high)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def utc_offset_minutes(zone_name: str, at: dt.datetime) -> int:
    offset = at.astimezone(zone(zone_name)).utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)
