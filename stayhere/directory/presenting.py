"""How the finder shows meetings to people: day names, times, badges. Plain functions, no requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stayhere.directory import schedule
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance, Meeting
from stayhere.directory.search import TIMES_OF_DAY, Result, SearchQuery
from stayhere.directory.types import Facet, describe

# Meeting Guide order: 0 = Sunday.
DAY_NAMES: tuple[Promise, ...] = (
    _("Sunday"),
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
)
DAY_ABBRS: tuple[Promise, ...] = (
    _("Sun"),
    _("Mon"),
    _("Tue"),
    _("Wed"),
    _("Thu"),
    _("Fri"),
    _("Sat"),
)

# "Mondays 19:00": a meeting's days, read in its own zone.
DAY_PLURALS: tuple[Promise, ...] = (
    _("Sundays"),
    _("Mondays"),
    _("Tuesdays"),
    _("Wednesdays"),
    _("Thursdays"),
    _("Fridays"),
    _("Saturdays"),
)

FACET_NAMES: dict[Facet, Promise] = {
    Facet.ACCESS: _("Open or closed"),
    Facet.FORMAT: _("Format"),
    Facet.FEATURE: _("Features and accessibility"),
    Facet.COMMUNITY: _("Community"),
    Facet.LANGUAGE: _("Language"),
    Facet.GROUP: _("The group says"),
    Facet.CUSTOM: _("Other"),
}

TIME_OF_DAY_NAMES: dict[str, Promise] = {
    "morning": _("Morning"),
    "midday": _("Midday"),
    "afternoon": _("Afternoon"),
    "evening": _("Evening"),
    "night": _("Night"),
}


def time_of_day_choices() -> list[tuple[str, str]]:
    """(value, label) for the finder's time-of-day boxes, with the hours each one covers."""
    choices = []
    for value, (start, end) in TIMES_OF_DAY.items():
        hours = f"{start // 60 % 24:02d}:00\u2013{end // 60 % 24:02d}:00"
        choices.append((value, f"{TIME_OF_DAY_NAMES.get(value, value)} ({hours})"))
    return choices


def day_name(day: int) -> str:
    return str(DAY_NAMES[day % 7])


def day_abbr(day: int) -> str:
    return str(DAY_ABBRS[day % 7])


def clock(value: dt.time | dt.datetime | None) -> str:
    """24-hour wall-clock time, the form every locale reads: 19:30."""
    if value is None:
        return ""
    return f"{value.hour:02d}:{value.minute:02d}"


def days_text(days: list[int]) -> str:
    """The days a meeting is held, in its own zone: "Mondays, Wednesdays"."""
    if not days:
        return str(_("By appointment"))
    if len(days) == 7:
        return str(_("Every day"))
    return ", ".join(str(DAY_PLURALS[day % 7]) for day in days)


def zone_label(zone_name: str) -> str:
    """A zone as people say it: "America/New_York" is "New York"; "UTC" stays "UTC"."""
    if "/" not in zone_name or zone_name.startswith("Etc/"):
        return zone_name.removeprefix("Etc/")
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def when_text(moment: dt.datetime) -> str:
    """The weekday and wall-clock time of an aware datetime in its own zone, e.g. "Tue 19:00"."""
    return f"{day_abbr(schedule.python_weekday_to_spec(moment.weekday()))} {clock(moment)}"


def distance_text(km: float | None) -> str:
    if km is None:
        return ""
    if km < 10:
        return str(_("%(km).1f km") % {"km": km})
    return str(_("%(km).0f km") % {"km": km})


ATTENDANCE_LABELS: dict[str, Promise] = {
    Attendance.IN_PERSON: _("In person"),
    Attendance.ONLINE: _("Online"),
    Attendance.HYBRID: _("Hybrid"),
    Attendance.PHONE: _("Phone"),
    Attendance.INACTIVE: _("Temporarily inactive"),
}


def filters_summary(query: SearchQuery) -> str:
    """The choices of a search in one line, for the folded search form: what was asked, in order."""
    parts: list[str] = []
    if query.text:
        parts.append(f"\u201c{query.text}\u201d")
    if query.near is not None:
        radius = f"{query.radius_km:g}"
        if query.place:
            parts.append(str(_("near %(place)s, within %(km)s km")) % {"place": query.place, "km": radius})
        else:
            parts.append(str(_("near your position, within %(km)s km")) % {"km": radius})
    if query.days:
        parts.append(", ".join(day_name(day) for day in query.days))
    if query.times:
        parts.append(", ".join(str(TIME_OF_DAY_NAMES.get(name, name)) for name in query.times))
    if query.now:
        parts.append(str(_("starting within the hour")))
    if query.modes:
        parts.append(", ".join(str(ATTENDANCE_LABELS.get(mode, mode)) for mode in query.modes))
    for code in [*query.include, *query.languages]:
        parts.append(str(describe(code).name))
    for code in query.exclude:
        parts.append(str(_("not %(type)s")) % {"type": describe(code).name})
    for code in query.fellowships:
        parts.append(str(Fellowship(code).label) if code in Fellowship.values else code)
    return " \u00b7 ".join(parts)


def where_text(meeting: Meeting) -> str:
    """The address of a meeting people go to, else how they join it."""
    location = meeting.location
    if meeting.attendance in (Attendance.ONLINE,):
        return str(_("Online"))
    if meeting.attendance == Attendance.PHONE:
        return str(_("Phone"))
    if location is None:
        return ""
    address = location.formatted_address()
    if location.name and location.name not in address:
        return f"{location.name}, {address}" if address else location.name
    return address


@dataclass
class ResultView:
    """One search result, as the finder page shows it."""

    slug: str
    name: str
    group: str
    fellowship: str
    days: str
    start_time: str  # wall-clock, in the meeting's zone
    zone: str
    zone_label: str
    start_iso: str
    local_when: str
    viewer_when: str
    in_progress: bool
    distance: str
    attendance: str
    attendance_label: str
    where: str
    badges: list[str]


def result_view(result: Result) -> ResultView:
    meeting = result.meeting
    start = result.next_start
    viewer = result.next_start_viewer
    viewer_when = ""
    if start is not None and viewer is not None and when_text(viewer) != when_text(start):
        viewer_when = when_text(viewer)
    return ResultView(
        slug=meeting.slug,
        name=meeting.name,
        group=meeting.group.name if meeting.group is not None else "",
        fellowship=str(meeting.get_fellowship_display()),
        days=days_text(meeting.days),
        start_time=clock(meeting.start_time),
        zone=meeting.timezone,
        zone_label=zone_label(meeting.timezone),
        start_iso="" if start is None else start.isoformat(timespec="minutes"),
        local_when="" if start is None else when_text(start),
        viewer_when=viewer_when,
        in_progress=result.in_progress and meeting.attendance != Attendance.INACTIVE,
        distance=distance_text(result.distance_km),
        attendance=meeting.attendance,
        attendance_label=str(ATTENDANCE_LABELS.get(meeting.attendance, meeting.attendance)),
        where=where_text(meeting),
        badges=[str(describe(code).name) for code in meeting.all_types()],
    )
