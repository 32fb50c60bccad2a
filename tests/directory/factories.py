"""Small builders for directory rows, so tests say only what matters to them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from stayhere.directory import slots
from stayhere.directory.models import Attendance, Group, Location, Meeting

_counter = itertools.count(1)


def make_location(
    city: str = "Springfield", lat: float | None = 40.0, lng: float | None = -89.0, **fields: Any
) -> Location:
    return Location.objects.create(
        name=fields.pop("name", f"{city} Hall"),
        address=fields.pop("address", "1 Main Street"),
        city=city,
        latitude=lat,
        longitude=lng,
        **fields,
    )


def make_meeting(
    name: str = "Serenity Seekers",
    *,
    days: list[int] | None = None,
    start: str | None = "19:00",
    end: str | None = "20:00",
    tz: str = "America/Chicago",
    location: Location | None = None,
    attendance: str = Attendance.IN_PERSON,
    types: list[str] | None = None,
    group: Group | None = None,
    **fields: Any,
) -> Meeting:
    number = next(_counter)
    meeting = Meeting(
        name=name,
        slug=fields.pop("slug", f"meeting-{number}"),
        timezone=tz,
        start_time=dt.time.fromisoformat(start) if start else None,
        end_time=dt.time.fromisoformat(end) if end else None,
        attendance=attendance,
        location=location,
        group=group,
        **fields,
    )
    meeting.days = [1] if days is None else days
    meeting.set_types(types or [])
    if attendance in (Attendance.ONLINE, Attendance.HYBRID) and not meeting.conference_url:
        meeting.conference_url = "https://meet.example.org/room"
    meeting.full_clean()
    meeting.save()
    slots.rebuild([meeting])
    return meeting
