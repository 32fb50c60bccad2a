"""A printed schedule as plain data: sections of entries, by day or by town, and the legend of the codes used.

Built from the records the feeds publish (``published_meetings``), so a printed list says exactly what the
feeds say: a place only for a meeting with a door, a room's link only when the room is listed (an unlisted
room's link is the group's to share). Times are each meeting's own wall-clock time, in its own zone.
Strings are translated in the language active when ``build`` runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from stayhere.directory.feeds.records import PublishedMeeting
from stayhere.directory.presenting import DAY_NAMES, days_text, zone_label
from stayhere.directory.types import describe

REMOTE = ("online", "phone")
NOTES_LENGTH = 280  # a listing's notes, cut to what a printed line or three can hold


@dataclass(frozen=True)
class Entry:
    """One meeting under one heading."""

    slug: str
    days: str  # "Mondays, Thursdays" in a town's section; "" under a day's heading
    time: str  # "19:00-20:00" (an en dash between), in the meeting's zone
    zone: str  # the zone's label, shown when the schedule spans several zones
    name: str
    group: str
    attendance: str  # "" for in person, else "Online", "Hybrid", "Phone"
    place: str  # the place's name and address, for a meeting with a door
    join: tuple[str, ...]  # how to join an online or phone meeting: links, numbers, notes
    codes: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class Section:
    heading: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class LegendItem:
    code: str
    name: str


@dataclass
class Schedule:
    sections: list[Section]
    legend: list[LegendItem]
    zones: list[str]  # the zone names the meetings are in
    count: int  # meetings listed
    several_zones: bool = False
    by_appointment: int = 0


def week_order() -> list[int]:
    """Weekdays (0 = Sunday) from the first day of the week in the active language: Monday in Spanish."""
    first = int(get_format("FIRST_DAY_OF_WEEK"))
    return [(first + step) % 7 for step in range(7)]


def build(records: Iterable[PublishedMeeting], grouping: str) -> Schedule:
    meetings = list(records)
    zones = sorted({meeting.timezone for meeting in meetings})
    several = len(zones) > 1
    sections = _by_town(meetings, several) if grouping == "town" else _by_day(meetings, several)
    used: set[str] = set()
    for meeting in meetings:
        used.update(meeting.types)
    legend = sorted((LegendItem(code, _legend_name(code)) for code in used), key=lambda item: item.code.casefold())
    return Schedule(
        sections=sections,
        legend=legend,
        zones=zones,
        count=len(meetings),
        several_zones=several,
        by_appointment=sum(1 for meeting in meetings if not meeting.days),
    )


def _legend_name(code: str) -> str:
    entry = describe(code)
    if entry.name == code:  # a code no catalogue knows, kept as the listing wrote it
        return _("a type this list uses, not named here")
    return str(entry.name)


def _time_range(meeting: PublishedMeeting) -> str:
    if meeting.start is None:
        return _("By appointment")
    return f"{meeting.start}\u2013{meeting.end}" if meeting.end else meeting.start


def _sort_key(meeting: PublishedMeeting) -> tuple[str, str, str]:
    # Numbers in names in their order: "Step 2" before "Step 10".
    name = re.sub(r"\d+", lambda digits: digits.group().zfill(9), meeting.name.casefold())
    return (meeting.start or "99:99", name, meeting.slug)


def _by_day(meetings: list[PublishedMeeting], several: bool) -> list[Section]:
    by_day: dict[int, list[PublishedMeeting]] = {day: [] for day in range(7)}
    unscheduled: list[PublishedMeeting] = []
    for meeting in meetings:
        if not meeting.days:
            unscheduled.append(meeting)
        for day in meeting.days:
            by_day[day].append(meeting)
    sections = []
    for day in week_order():
        if by_day[day]:
            entries = tuple(_entry(m, "", several) for m in sorted(by_day[day], key=_sort_key))
            sections.append(Section(str(DAY_NAMES[day]), entries))
    if unscheduled:
        entries = tuple(_entry(m, "", several) for m in sorted(unscheduled, key=_sort_key))
        sections.append(Section(_("By appointment"), entries))
    return sections


def _town(meeting: PublishedMeeting) -> str:
    if meeting.place is None:
        return ""
    return meeting.place.city or (meeting.regions[-1] if meeting.regions else "")


def _by_town(meetings: list[PublishedMeeting], several: bool) -> list[Section]:
    position = {day: index for index, day in enumerate(week_order())}
    towns: dict[str, list[PublishedMeeting]] = {}
    for meeting in meetings:
        towns.setdefault(_town(meeting) if meeting.attendance not in REMOTE else "\0remote", []).append(meeting)

    def first_day(meeting: PublishedMeeting) -> tuple[int, str, str, str]:
        day = min((position[d] for d in meeting.days), default=7)
        return (day, *_sort_key(meeting))

    sections = []
    named = sorted((town for town in towns if town and town != "\0remote"), key=str.casefold)
    for town in [*named, "", "\0remote"]:
        if town not in towns:
            continue
        heading = {"": _("Town not given"), "\0remote": _("Online and by phone")}.get(town, town)
        entries = tuple(_entry(m, _days(m), several) for m in sorted(towns[town], key=first_day))
        sections.append(Section(heading, entries))
    return sections


def _days(meeting: PublishedMeeting) -> str:
    if not meeting.days:
        return ""
    position = {day: index for index, day in enumerate(week_order())}
    return days_text(sorted(meeting.days, key=position.__getitem__))


def _attendance(value: str) -> str:
    if value == "online":
        return _("Online")
    if value == "hybrid":
        return _("Hybrid: in person and online")
    if value == "phone":
        return _("By phone")
    return ""


def _place(meeting: PublishedMeeting) -> str:
    place = meeting.place
    if place is None:
        return ""
    parts = [place.name, place.address, place.city, place.state, place.postal_code]
    shown: list[str] = []
    for part in parts:
        if part and not any(part in earlier for earlier in shown):
            shown.append(part)
    text = ", ".join(shown)
    if place.notes:
        text = f"{text} ({place.notes})" if text else place.notes
    return text


def _join(meeting: PublishedMeeting) -> tuple[str, ...]:
    if meeting.attendance not in ("online", "hybrid", "phone"):
        return ()
    lines: list[str] = []
    if meeting.conference_url:
        lines.append(_("Join: %(link)s") % {"link": meeting.conference_url})
        if meeting.conference_url_notes:
            lines.append(meeting.conference_url_notes)
    if meeting.conference_phone:
        lines.append(_("Call: %(phone)s") % {"phone": meeting.conference_phone})
        if meeting.conference_phone_notes:
            lines.append(meeting.conference_phone_notes)
    if not lines:
        lines.append(_("Ask the group how to join."))
    return tuple(lines)


def _entry(meeting: PublishedMeeting, days: str, several: bool) -> Entry:
    group = meeting.group.name if meeting.group is not None and meeting.group.name != meeting.name else ""
    return Entry(
        slug=meeting.slug,
        days=days,
        time=_time_range(meeting),
        zone=zone_label(meeting.timezone) if several else "",
        name=meeting.name,
        group=group,
        attendance=_attendance(meeting.attendance),
        place=_place(meeting),
        join=_join(meeting),
        codes=meeting.types,
        notes=meeting.notes if len(meeting.notes) <= NOTES_LENGTH else meeting.notes[:NOTES_LENGTH] + "\u2026",
    )
