"""One meeting as iCalendar: a weekly RRULE in the meeting's zone, with a VTIMEZONE that parses back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from stayhere.directory.feeds import ics
from stayhere.directory.models import Attendance
from tests.directory.factories import make_location, make_meeting


def _unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    lines = text.split("\r\n")
    assert lines[-1] == ""
    for line in lines:
        assert len(line.encode()) <= 75, line
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _components(lines: list[str], name: str) -> list[dict[str, str]]:
    """The properties of each component called ``name`` (nested components flattened away)."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == f"BEGIN:{name}":
            current = {}
        elif line == f"END:{name}":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None and not line.startswith(("BEGIN:", "END:")):
            key, _, value = line.partition(":")
            current[key] = value
    return found


def _offset_at(lines: list[str], local: dt.datetime) -> dt.timedelta:
    """The UTC offset the VTIMEZONE gives a local time: the last transition at or before it."""
    transitions = []
    for kind in ("STANDARD", "DAYLIGHT"):
        for part in _components(lines, kind):
            start = dt.datetime.strptime(part["DTSTART"], "%Y%m%dT%H%M%S")
            match = re.fullmatch(r"([+-])(\d\d)(\d\d)", part["TZOFFSETTO"])
            assert match
            sign = 1 if match.group(1) == "+" else -1
            transitions.append((start, sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))))
    transitions.sort()
    return [offset for start, offset in transitions if start <= local][-1]


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_the_calendar_has_a_weekly_rule_and_the_zone_it_is_in():
    event = ics.Event(
        uid="dst@example.org", summary="Tuesday Night, Step; Study", days=[2, 4], start=dt.time(19, 30),
        duration_minutes=60, zone="America/New_York", description="Line one\\nLine two",
    )  # fmt: skip
    lines = _unfold(ics.calendar(event, dt.datetime(2025, 1, 6, tzinfo=dt.UTC)))
    (vevent,) = _components(lines, "VEVENT")
    assert vevent["RRULE"] == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert vevent["DTSTART;TZID=America/New_York"] == "20250107T193000"
    assert vevent["DTEND;TZID=America/New_York"] == "20250107T203000"
    assert _unescape(vevent["SUMMARY"]) == "Tuesday Night, Step; Study"
    assert _unescape(vevent["DESCRIPTION"]) == "Line one\\nLine two"
    (vtimezone,) = _components(lines, "VTIMEZONE")
    assert vtimezone["TZID"] == "America/New_York"
    assert _components(lines, "STANDARD") and _components(lines, "DAYLIGHT")


def test_the_same_local_time_is_kept_in_january_and_july():
    event = ics.Event(uid="u", summary="S", days=[2], start=dt.time(19, 30), duration_minutes=60,
                      zone="America/New_York")  # fmt: skip
    lines = _unfold(ics.calendar(event, dt.datetime(2025, 1, 6, tzinfo=dt.UTC)))
    january, july = dt.datetime(2025, 1, 14, 19, 30), dt.datetime(2025, 7, 15, 19, 30)
    assert _offset_at(lines, january) == dt.timedelta(hours=-5)
    assert _offset_at(lines, july) == dt.timedelta(hours=-4)
    assert (january - _offset_at(lines, january)).hour == 0  # 00:30 UTC
    assert (july - _offset_at(lines, july)).hour == 23  # 23:30 UTC


def test_a_zone_without_daylight_saving_has_one_standard_part():
    event = ics.Event(uid="u", summary="S", days=[0], start=dt.time(8), duration_minutes=60, zone="Asia/Kolkata")
    lines = _unfold(ics.calendar(event, dt.datetime(2025, 1, 6, tzinfo=dt.UTC)))
    assert len(_components(lines, "STANDARD")) == 1 and not _components(lines, "DAYLIGHT")
    assert _offset_at(lines, dt.datetime(2025, 6, 1)) == dt.timedelta(hours=5, minutes=30)


def test_long_lines_are_folded_without_splitting_a_character():
    folded = ics.fold("DESCRIPTION:" + "ü" * 100)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(parts) == "DESCRIPTION:" + "ü" * 100


@pytest.mark.django_db
def test_the_meeting_calendar_downloads_as_text_calendar(client):
    make_meeting("Calendar", days=[3], start="18:00", end="19:15", location=make_location(), slug="calendar")
    response = client.get(reverse("directory:meeting-ics", args=["calendar"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="calendar.ics"'
    lines = _unfold(response.content.decode())
    (vevent,) = _components(lines, "VEVENT")
    assert vevent["RRULE"] == "FREQ=WEEKLY;BYDAY=WE"
    assert vevent["DTSTART;TZID=America/Chicago"].endswith("T180000")
    assert vevent["DTEND;TZID=America/Chicago"].endswith("T191500")
    assert _unescape(vevent["LOCATION"]) == "1 Main Street, Springfield"


@pytest.mark.django_db
def test_an_online_meeting_calendar_points_at_its_link(client):
    make_meeting("Online", attendance=Attendance.ONLINE, slug="online-cal")
    lines = _unfold(client.get(reverse("directory:meeting-ics", args=["online-cal"])).content.decode())
    (vevent,) = _components(lines, "VEVENT")
    assert vevent["URL"] == "https://meet.example.org/room"


@pytest.mark.django_db
def test_an_unknown_slug_is_not_found(client):
    assert client.get(reverse("directory:meeting-ics", args=["no-such-meeting"])).status_code == 404


@pytest.mark.django_db
def test_a_meeting_by_appointment_has_no_calendar(client):
    make_meeting("Appointment", days=[], start=None, end=None, location=make_location(), slug="appointment")
    assert client.get(reverse("directory:meeting-ics", args=["appointment"])).status_code == 404
