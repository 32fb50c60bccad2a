"""make_room: a meeting with a stayhere room and its group's settings, for tests that need one."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from stayhere.directory.models import Attendance, Group, Meeting
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from tests.directory.factories import make_meeting

_counter = itertools.count(1)


@dataclass
class MadeRoom:
    settings: RoomSettings
    chair_key: str
    settings_key: str
    meeting: Meeting

    # Unpacks as (settings, chair_key, settings_key), so `room, chair, secret = make_room(...)` works too.
    def __iter__(self) -> Any:
        return iter((self.settings, self.chair_key, self.settings_key))


def make_room(meeting: Meeting | None = None, **settings: Any) -> MadeRoom:
    """A room: the meeting (an online meeting of a new group, with has_room, unless given) and RoomSettings with
    the defaults overridden by ``settings``; both secret keys freshly drawn and returned in plain text."""
    if meeting is None:
        number = next(_counter)
        group = Group.objects.create(name=f"Room Group {number}", slug=f"room-group-{number}")
        meeting = make_meeting(f"Room Meeting {number}", attendance=Attendance.ONLINE, group=group, has_room=True)
    elif meeting.group is None:
        number = next(_counter)
        meeting.group = Group.objects.create(name=f"Room Group {number}", slug=f"room-group-{number}")
        meeting.save(update_fields=["group"])
    room = RoomSettings.objects.create(group=meeting.group, **settings)
    settings_key, chair_key = keys.rotate_both(room)
    return MadeRoom(settings=room, chair_key=chair_key, settings_key=settings_key, meeting=meeting)
