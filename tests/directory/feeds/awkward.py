"""A small directory of awkward meetings for the feed renderers: several days, no time, no end, a
meeting past midnight, odd text, precise coordinates, private and public contacts, both group codes."""

from __future__ import annotations

import datetime as dt

from stayhere.directory.models import Attendance, Group, Meeting
from tests.directory.factories import make_location, make_meeting

UPDATED = dt.datetime(2026, 3, 2, 12, 30, 45, tzinfo=dt.UTC)


def make_awkward_meetings() -> None:
    """Writes the meetings; every ``updated`` is UTC and fixed, except one at the last microsecond of a day."""
    contacts = [
        {"name": "Sam Example Person", "email": "sam@example.org", "phone": ""},
        {"name": "", "email": "", "phone": "+1 555 0100"},
        {"name": "Jo", "email": "jo@example.org", "phone": "+1 555 0101"},
        {"name": "Fourth", "email": "fourth@example.org", "phone": ""},
    ]
    both = Group.objects.create(
        name="Both Codes", slug="both", moud_welcome=True, harm_reduction=True, contacts=contacts,
        contacts_public=True, notes="Group\nnotes", email="g@example.org", website="https://g.example.org",
    )  # fmt: skip
    hred = Group.objects.create(name="Harm Reduction Only", slug="hred", harm_reduction=True, phone="555")
    quiet = Group.objects.create(name="Quiet", slug="quiet", contacts=contacts)  # contacts kept private
    precise = make_location(lat=40.712775300000005, lng=-73.98765432109876, approximate=True, notes="Side door")
    bare = make_location(lat=None, lng=None, name="", address="", city="Nowhere", state="", country="")
    make_meeting("No types, both codes", types=[], group=both, location=precise, slug="codes-only")
    make_meeting("Several days", days=[0, 2, 4, 6], types=["O", "D"], group=hred, location=bare, slug="days")
    make_meeting("By appointment", days=[], start=None, end=None, group=quiet, location=precise, slug="appt")
    make_meeting("No end", end=None, location=precise, slug="no-end", url="https://elsewhere.example/m/1")
    make_meeting("Crosses midnight", start="23:30", end="00:30", location=bare, slug="late")
    make_meeting(
        'Quotes " and \\ and \t tabs, é, 日本, \u2028', location=precise, slug="odd-text",
        notes='Line one\nline "two"\u0001', conference_phone="+1 555 0199", conference_phone_notes="PIN 1#",
        venmo="@v", square="$s", paypal="p", homegroup_online="h", feedback_url="https://f.example.org",
    )  # fmt: skip
    make_meeting("Online with regions", attendance=Attendance.ONLINE, regions=["Ohio", "Columbus", "Short North"],
                 conference_url_notes="Password: none", slug="online")  # fmt: skip
    make_meeting("Online without regions", attendance=Attendance.ONLINE, location=precise, slug="online-bare")
    make_meeting("Phone only", attendance=Attendance.PHONE, conference_phone="+1 555 0123", regions=["Texas"],
                 slug="phone")  # fmt: skip
    make_meeting("Hybrid", attendance=Attendance.HYBRID, location=precise, regions=["NY"], slug="hybrid")
    make_meeting("Inactive", attendance=Attendance.INACTIVE, inactive_reason="Repairs", location=bare, slug="gone")
    make_meeting("Custom and catalogue types", types=["O", "zz-custom", "X"], location=precise, slug="custom")
    Meeting.objects.update(updated=UPDATED)
    Meeting.objects.filter(slug="late").update(updated=dt.datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC))
