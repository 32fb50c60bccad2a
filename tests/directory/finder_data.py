"""A small directory for the finder's page and API tests, made with plain ORM calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.test import Client

from stayhere.directory import freshness, slots
from stayhere.directory.models import Attendance, Group, Location, Meeting, ServiceBody


@dataclass
class Directory:
    hope: Group
    springfield: Location
    chicago: Location
    serenity: Meeting  # Springfield, Monday and Wednesday 19:00, open discussion in English
    night_owls: Meeting  # Chicago, Saturday 23:30 to 00:30, hybrid, closed speaker meeting
    sunrise: Meeting  # online, every day 07:00 London, Spanish meditation
    phone_friends: Meeting  # phone, Tuesday 12:00
    chapel: Meeting  # inactive: venue closed


def meeting(name: str, slug: str, *, days: list[int], start: str, end: str | None, tz: str, **fields: Any) -> Meeting:
    types = fields.pop("types", [])
    built = Meeting(
        name=name,
        slug=slug,
        timezone=tz,
        start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end) if end else None,
        **fields,
    )
    built.days = days
    built.set_types(types)
    built.full_clean()
    built.save()
    return built


def forget_caches() -> None:
    """The search keeps zones and towns in memory for a minute; each test starts afresh."""
    freshness.changed()
    cache.clear()


def build() -> Directory:
    forget_caches()
    intergroup = ServiceBody.objects.create(name="Central Illinois Intergroup", slug="central-illinois")
    hope = Group.objects.create(
        name="Hope Group",
        slug="hope-group",
        statement="Everyone on medication is welcome here.",
        contacts=[{"name": "Sam", "phone": "+1 217 555 0100", "email": "sam@example.org"}],
        contacts_public=True,
        moud_welcome=True,
        service_body=intergroup,
    )
    quiet = Group.objects.create(
        name="Quiet Group",
        slug="quiet-group",
        contacts=[{"name": "Alex", "phone": "+1 312 555 0199"}],
        contacts_public=False,
    )
    springfield = Location.objects.create(
        name="First Church",
        address="100 Elm Street",
        city="Springfield",
        state="IL",
        country="US",
        latitude=39.7817,
        longitude=-89.6501,
    )
    chicago = Location.objects.create(
        name="Lakeside Hall",
        address="5 Lake Street",
        city="Chicago",
        state="IL",
        country="US",
        latitude=41.8781,
        longitude=-87.6298,
    )
    serenity = meeting(
        "Serenity Seekers",
        "serenity-seekers",
        days=[1, 3],
        start="19:00",
        end="20:00",
        tz="America/Chicago",
        location=springfield,
        group=hope,
        types=["O", "D", "EN"],
        regions=["Illinois", "Springfield"],
        venmo="@hope-group",
        notes="Use the side door.",
    )
    night_owls = meeting(
        "Night Owls",
        "night-owls",
        days=[6],
        start="23:30",
        end="00:30",
        tz="America/Chicago",
        location=chicago,
        group=quiet,
        attendance=Attendance.HYBRID,
        conference_url="https://meet.example.org/night-owls",
        conference_phone="+1 312 555 0123,,98765#",
        conference_phone_notes="Passcode 1234",
        types=["C", "SP"],
    )
    sunrise = meeting(
        "Online Sunrise",
        "online-sunrise",
        days=list(range(7)),
        start="07:00",
        end="08:00",
        tz="Europe/London",
        attendance=Attendance.ONLINE,
        conference_url="https://meet.example.org/sunrise",
        types=["O", "MED", "S"],
    )
    phone_friends = meeting(
        "Phone Friends",
        "phone-friends",
        days=[2],
        start="12:00",
        end="13:00",
        tz="America/New_York",
        attendance=Attendance.PHONE,
        conference_phone="+1 646 555 0142",
        fellowship="NA",
    )
    chapel = meeting(
        "Chapel Step Study",
        "chapel-step-study",
        days=[4],
        start="18:00",
        end="19:00",
        tz="America/Chicago",
        location=springfield,
        attendance=Attendance.INACTIVE,
        inactive_reason="Venue closed for repairs",
        inactive_until=dt.date(2030, 1, 1),
        types=["ST"],
    )
    slots.rebuild([serenity, night_owls, sunrise, phone_friends, chapel])
    return Directory(hope, springfield, chicago, serenity, night_owls, sunrise, phone_friends, chapel)


def page(client: Client, url: str, status: int = 200) -> str:
    """The page's HTML, after checking its status."""
    response = client.get(url)
    assert response.status_code == status, response.content[:2000]
    return str(response.content.decode())


def break_the_database() -> None:
    """Make the directory's tables unreadable for real, inside the test's own transaction.

    The test's transaction is rolled back afterwards, which puts the tables back.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE directory_meetingslot RENAME TO directory_meetingslot_away")
        cursor.execute("ALTER TABLE directory_meeting RENAME TO directory_meeting_away")
        cursor.execute("ALTER TABLE directory_location RENAME TO directory_location_away")
