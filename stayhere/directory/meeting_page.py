"""Everything a meeting's own page shows, gathered from the meeting as plain values."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.directory.feeds import handles as tradition
from stayhere.directory.models import Attendance, Meeting, ServiceBody
from stayhere.directory.presenting import (
    ATTENDANCE_LABELS,
    FACET_NAMES,
    clock,
    day_name,
    when_text,
    zone_label,
)
from stayhere.directory.search import DEFAULT_DURATION
from stayhere.directory.types import describe

TEL_KEEP = re.compile(r"[^0-9+*#,;wp]")


@dataclass
class ScheduleRow:
    day: str
    start: str
    end: str
    ends_next_day: bool


@dataclass
class FacetRow:
    name: str
    types: list[tuple[str, str]]  # (code, name)


def tel_href(phone: str) -> str:
    """A tel: link that dials the number and, after the pauses, any meeting id and passcode."""
    number = TEL_KEEP.sub("", phone.lower())
    return "tel:" + quote(number, safe="+*,;wp")


def duration_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    if hours:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}


def schedule_rows(meeting: Meeting) -> list[ScheduleRow]:
    start, end = clock(meeting.start_time), clock(meeting.end_time)
    return [ScheduleRow(day_name(day), start, end, meeting.crosses_midnight) for day in meeting.days]


def facet_rows(meeting: Meeting) -> list[FacetRow]:
    return [
        FacetRow(str(FACET_NAMES[facet]), [(code, str(describe(code).name)) for code in codes])
        for facet, codes in meeting.facets().items()
    ]


def contacts(meeting: Meeting) -> list[dict[str, str]]:
    """The group's contacts, only when the group chose to make them public."""
    group = meeting.group
    if group is None or not group.contacts_public or not isinstance(group.contacts, list):
        return []
    shown = []
    for contact in group.contacts:
        if isinstance(contact, dict):
            row = {key: str(contact.get(key) or "") for key in ("name", "email", "phone")}
            if any(row.values()):
                row["tel"] = tel_href(row["phone"]) if row["phone"] else ""
                shown.append(row)
    return shown


def tradition_handles(meeting: Meeting) -> list[tuple[str, str]]:
    """Where the 7th tradition (the group's own contributions) can be sent online."""
    # Only real handles (a value stored before they were checked on import may be anything, a password once).
    handles = [
        ("Venmo", tradition.handle("venmo", meeting.venmo)),
        ("Square Cash App", tradition.handle("square", meeting.square)),
        ("PayPal", tradition.handle("paypal", meeting.paypal)),
        (_("Online home group"), meeting.homegroup_online),
    ]
    return [(label, handle) for label, handle in handles if handle]


def service_bodies(meeting: Meeting) -> list[ServiceBody]:
    """The meeting's service body and those above it, nearest first."""
    body = meeting.service_body or (meeting.group.service_body if meeting.group is not None else None)
    return [] if body is None else [body, *body.ancestors()]


def group_has_details(meeting: Meeting, shown_contacts: list[dict[str, str]]) -> bool:
    """Whether the group's section has anything under its heading (its name alone is in the header)."""
    group = meeting.group
    return group is not None and bool(group.statement or group.notes or group.website or shown_contacts)


def meeting_page(meeting: Meeting, now: dt.datetime) -> dict[str, Any]:
    duration = meeting.duration_minutes
    grace = dt.timedelta(minutes=duration) if duration else DEFAULT_DURATION
    start = meeting.next_start(now, grace=grace)
    shown_contacts = contacts(meeting)
    located = meeting.attendance in (Attendance.IN_PERSON, Attendance.HYBRID, Attendance.INACTIVE)
    return {
        "meeting": meeting,
        "group": meeting.group,
        "location": meeting.location if located else None,
        "attendance_label": str(ATTENDANCE_LABELS.get(meeting.attendance, meeting.attendance)),
        "inactive": meeting.attendance == Attendance.INACTIVE,
        "online": meeting.attendance in (Attendance.ONLINE, Attendance.HYBRID),
        "schedule": schedule_rows(meeting),
        "duration": duration_text(duration),
        "next_start_iso": "" if start is None else start.isoformat(timespec="minutes"),
        "next_when": "" if start is None else when_text(start),
        "zone_label": zone_label(meeting.timezone),
        "in_progress": start is not None and start <= now,
        "phone_href": tel_href(meeting.conference_phone) if meeting.conference_phone else "",
        "facets": facet_rows(meeting),
        "contacts": shown_contacts,
        "group_details": group_has_details(meeting, shown_contacts),
        "tradition": tradition_handles(meeting),
        "service_bodies": service_bodies(meeting),
        "feed_source": meeting.feed_source,
        "regions": [str(region) for region in meeting.regions] if isinstance(meeting.regions, list) else [],
    }
