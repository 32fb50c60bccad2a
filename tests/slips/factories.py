"""A group that gives slips, with a meeting running at a fixed moment, for the slip tests."""

from __future__ import annotations

import datetime as dt
import itertools

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stayhere.directory.models import Attendance, Group, Meeting
from stayhere.slips import keystore
from stayhere.slips.models import SigningKey, SlipSettings
from tests.directory.factories import make_meeting

# Every day 19:00-20:00 UTC; NOW is 19:50 on 4 March 2026, near the end of that day's meeting.
KEY_MADE = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 4, 19, 50, 20, tzinfo=dt.UTC).timestamp()
SEED = bytes(range(32))  # the fixed private key of the vector tests

_counter = itertools.count(1)


def make_slip_meeting(
    *, minimum: int = 45, attendance: str = Attendance.ONLINE, fixed_key: bool = False, tz: str = "UTC"
) -> tuple[Meeting, SigningKey]:
    number = next(_counter)
    group = Group.objects.create(name=f"Slip Group {number}", slug=f"slip-group-{number}")
    meeting = make_meeting(
        f"Slip Meeting {number}",
        slug=f"slip-meeting-{number}",
        days=list(range(7)),
        start="19:00",
        end="20:00",
        tz=tz,
        attendance=attendance,
        group=group,
        has_room=attendance == Attendance.ONLINE,
    )
    SlipSettings.objects.create(group=group, enabled=True, minimum_minutes=minimum)
    private = Ed25519PrivateKey.from_private_bytes(SEED) if fixed_key else None
    key = keystore.new_key(group, KEY_MADE, private)
    return meeting, key
