"""Data for the browser tests: the page and API tests' small directory plus a full first page.

Run inside a stayhere process (``stayhere shell -c``), so it writes to that server's database.
"""

from __future__ import annotations

from stayhere.directory import slots
from stayhere.directory.models import Attendance, Location
from tests.directory import finder_data

TYPES = (["O", "D", "EN"], ["C", "B", "EN", "X"], ["O", "SP", "EN", "XB"], ["C", "ST", "W"], ["O", "BE", "S"])
TIMES = ("07:00", "12:00", "17:30", "18:30", "19:00", "19:30", "20:00")


def seed() -> None:
    directory = finder_data.build()
    peoria = Location.objects.create(
        name="Grace Hall",
        address="9 River Road",
        city="Peoria",
        state="IL",
        country="US",
        latitude=40.6936,
        longitude=-89.5890,
    )
    made = []
    for number in range(40):
        location = (directory.chicago, directory.springfield, peoria)[number % 3]
        made.append(
            finder_data.meeting(
                f"Daily Reprieve {number + 1}",
                f"daily-reprieve-{number + 1}",
                days=[number % 7, (number + 3) % 7],
                start=TIMES[number % len(TIMES)],
                end=None,
                tz="America/Chicago",
                location=location,
                attendance=Attendance.HYBRID if number % 5 == 0 else Attendance.IN_PERSON,
                conference_url="https://meet.example.org/reprieve" if number % 5 == 0 else "",
                types=TYPES[number % len(TYPES)],
                notes="Enter by the side door; coffee from half an hour before.",
            )
        )
    slots.rebuild(made)
