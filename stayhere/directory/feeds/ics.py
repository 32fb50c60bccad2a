"""iCalendar (RFC 5545) for one meeting: a weekly VEVENT in the meeting's own zone, with its VTIMEZONE.

The VTIMEZONE lists the zone's actual transitions (from zoneinfo) for the years around the first
occurrence, so a calendar shows the meeting at the same local time either side of a DST change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from stayhere.directory import schedule

BYDAY = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
TRANSITION_YEARS = 10
PRODID = "-//stayhere//meeting directory//EN"


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    days: list[int]
    start: dt.time
    duration_minutes: int
    zone: str
    location: str = ""
    description: str = ""
    url: str = ""


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _local(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _offset(value: dt.timedelta | None) -> str:
    seconds = int((value or dt.timedelta(0)).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    text = f"{sign}{seconds // 3600:02d}{seconds % 3600 // 60:02d}"
    return text + (f"{seconds % 60:02d}" if seconds % 60 else "")


def _transitions(zone_name: str, start_year: int, years: int) -> Iterator[dt.datetime]:
    """UTC instants at which the zone's offset changes, found by daily steps and bisection."""
    tz = schedule.zone(zone_name)
    moment = dt.datetime(start_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(start_year + years, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=1)
    previous = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = moment + step
        offset = following.astimezone(tz).utcoffset()
        if offset != previous:
            low, high = moment, following
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            yield high.replace(second=0, microsecond=0)
            previous = offset
        moment = following


def vtimezone(zone_name: str, first: dt.datetime) -> list[str]:
    tz = schedule.zone(zone_name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone_name}"]
    start_year = first.year - 1
    base = dt.datetime(start_year, 1, 1, tzinfo=dt.UTC).astimezone(tz)
    base_offset = base.utcoffset()
    lines += [
        "BEGIN:STANDARD" if not base.dst() else "BEGIN:DAYLIGHT",
        f"DTSTART:{_local(base.replace(tzinfo=None))}",
        f"TZOFFSETFROM:{_offset(base_offset)}",
        f"TZOFFSETTO:{_offset(base_offset)}",
        f"TZNAME:{escape(base.tzname() or zone_name)}",
        "END:STANDARD" if not base.dst() else "END:DAYLIGHT",
    ]
    previous = base_offset
    for instant in _transitions(zone_name, start_year, TRANSITION_YEARS + 1):
        after = instant.astimezone(tz)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        wall_before = (instant + (previous or dt.timedelta(0))).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(wall_before)}",
            f"TZOFFSETFROM:{_offset(previous)}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{escape(after.tzname() or zone_name)}",
            f"END:{kind}",
        ]
        previous = after.utcoffset()
    lines.append("END:VTIMEZONE")
    return lines


def calendar(event: Event, now: dt.datetime) -> str:
    """The whole VCALENDAR text, CRLF line ends, folded."""
    first = min(schedule.next_start(day, event.start, event.zone, now) for day in event.days)
    first_local = first.replace(tzinfo=None)
    end_local = first_local + dt.timedelta(minutes=event.duration_minutes)
    days = ",".join(BYDAY[day] for day in sorted(event.days))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    lines += vtimezone(event.zone, first)
    lines += [
        "BEGIN:VEVENT",
        f"UID:{escape(event.uid)}",
        f"DTSTAMP:{now.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;TZID={event.zone}:{_local(first_local)}",
        f"DTEND;TZID={event.zone}:{_local(end_local)}",
        f"RRULE:FREQ=WEEKLY;BYDAY={days}",
        f"SUMMARY:{escape(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
