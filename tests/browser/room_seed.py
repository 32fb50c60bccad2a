"""A meeting with a room for the room's browser test, held every day and running now.

Run inside a stayhere process (``stayhere shell -c``): it writes to that server's database and prints the
chair link's key on a line of its own (``CHAIR-KEY <key>``) for the test to read from the server's output.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from stayhere.directory.models import Attendance, Meeting
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

SLUG = "browser-room"
NAME = "Evening Serenity Room"
PASSCODE_SLUG = "browser-room-passcode"
PASSCODE = "2468"
OPEN_FLOOR_SLUG = "browser-room-open-floor"
OPEN_FLOOR_MAX = 2
OPENING = "Welcome to this meeting. Whoever you are, you are welcome here; you may share or pass."
CLOSING = "Thank you for being here. What was said here stays here. Keep coming back."
FORMAT = [
    {"kind": "reading", "title": "Opening", "text": OPENING, "minutes": 3},
    {"kind": "speaker", "title": "Our speaker", "text": "", "minutes": 20, "share_seconds": 300},
    {"kind": "sharing", "title": "Open sharing", "text": "", "minutes": 30, "share_seconds": 120},
    {"kind": "sharing", "title": "Quick check-in", "text": "", "minutes": 5, "share_seconds": 12},
    {"kind": "closing", "title": "Closing", "text": CLOSING, "minutes": 3},
]


def seed() -> None:
    meeting = running_now(NAME, SLUG)
    room = make_room(meeting, waiting_room=True, chat_policy="hosts", format=FORMAT, share_seconds=120)
    print("CHAIR-KEY", room.chair_key)
    # A second room: a passcode, no waiting room, no chat.
    lunchtime = running_now("Lunchtime Passcode Room", PASSCODE_SLUG)
    make_room(lunchtime, passcode=PASSCODE, waiting_room=False, chat_policy="off")
    # A third: a small group that allows an open floor (for two people at most), straight into open sharing.
    small = running_now("Small Open Floor Room", OPEN_FLOOR_SLUG)
    sharing = [{"kind": "sharing", "title": "Open sharing", "text": "", "minutes": 30, "share_seconds": 120}]
    opened = make_room(small, waiting_room=False, format=sharing, open_floor=True, open_floor_max=OPEN_FLOOR_MAX)
    print("OPEN-FLOOR-CHAIR-KEY", opened.chair_key)


def running_now(name: str, slug: str) -> Meeting:
    """A meeting that began ten minutes ago (UTC), every day, so its room is open whenever the test runs."""
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=60)
    return make_meeting(
        name,
        slug=slug,
        days=list(range(7)),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        tz="UTC",
        attendance=Attendance.ONLINE,
        has_room=True,
    )


OFF_SCHEDULE_SLUG = "browser-room-off-schedule"
OFF_SCHEDULE_ZONE = "America/New_York"
DESKTOP_SLUG = "browser-room-desktop"


def seed_layout() -> None:
    """The rooms of ``seed``, and one whose meeting is listed six hours from now in New York: only its chair may
    open it now (``OFF-SCHEDULE-CHAIR-KEY <key>``), and its room runs its hour from the opening."""
    seed()
    later = (dt.datetime.now(ZoneInfo(OFF_SCHEDULE_ZONE)) + dt.timedelta(hours=6)).replace(second=0, microsecond=0)
    meeting = make_meeting(
        "Later Tonight Room",
        slug=OFF_SCHEDULE_SLUG,
        days=list(range(7)),
        start=later.strftime("%H:%M"),
        end=(later + dt.timedelta(minutes=60)).strftime("%H:%M"),
        tz=OFF_SCHEDULE_ZONE,
        attendance=Attendance.ONLINE,
        has_room=True,
    )
    print("OFF-SCHEDULE-CHAIR-KEY", make_room(meeting, waiting_room=False).chair_key)
    desktop = running_now("Desktop Room", DESKTOP_SLUG)
    print("DESKTOP-CHAIR-KEY", make_room(desktop, waiting_room=False).chair_key)
