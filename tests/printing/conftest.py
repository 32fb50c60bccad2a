"""A service body with a district, and meetings of every kind: the fixture the printed schedule is read against."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stayhere.directory.models import Attendance, Group, Meeting, ServiceBody
from tests.directory.factories import make_location, make_meeting


def _weasyprint_missing() -> str:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: Debian's Pango is not installed
        return f"needs WeasyPrint and Debian's Pango (scripts/test.sh installs them): {exc}"
    return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without Pango (a contributor's machine, in the fast lane) the printing tests skip, saying why; the full
    lane installs it (scripts/test.sh's apt_need), so there they run."""
    reason = _weasyprint_missing()
    if reason:
        for item in items:
            if "tests/printing/" in str(item.path):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass(frozen=True)
class Listed:
    name: str
    day: int  # 0 = Sunday
    start: str
    codes: tuple[str, ...]


@dataclass
class Fixture:
    body: ServiceBody
    listed: list[Listed]  # what the body's schedule must hold, one meeting-day each
    elsewhere: Meeting  # another body's meeting
    inactive: Meeting


@pytest.fixture
def harbor(db: None) -> Fixture:
    body = ServiceBody.objects.create(
        name="Harbor Intergroup", slug="harbor", url="https://harbor.example.org", phone="555-0100"
    )
    district = ServiceBody.objects.create(name="North Shore District", slug="north-shore", parent=body)
    other = ServiceBody.objects.create(name="Inland Area", slug="inland")
    springfield = make_location("Springfield", name="Grace Hall", address="12 Elm Street")
    shelbyville = make_location("Shelbyville", name="Library Annex", address="4 Oak Road")
    group = Group.objects.create(name="Dawn Patrol Group", slug="dawn-patrol")
    listed = [
        Listed("Lighthouse Discussion", 1, "19:00", ("O", "D")),
        Listed("Dawn Patrol", 2, "07:30", ("C", "BE")),
        Listed("Spanish Harbor", 3, "12:00", ("S",)),
        Listed("Night Line", 4, "20:15", ("C",)),
        Listed("Pier Hybrid", 5, "18:45", ("O", "SP", "X")),
        Listed("North Shore Steps", 6, "10:00", ("C", "ST")),
    ]
    make_meeting("Lighthouse Discussion", days=[1], start="19:00", location=springfield, types=["O", "D"],
                 service_body=body, regions=["Harbor", "Springfield"])  # fmt: skip
    make_meeting("Dawn Patrol", days=[2], start="07:30", end="08:30", location=shelbyville, types=["C", "BE"],
                 service_body=body, group=group)  # fmt: skip
    make_meeting("Spanish Harbor", days=[3], start="12:00", attendance=Attendance.ONLINE, types=["S"],
                 service_body=body, conference_url="https://meet.example.org/spanish-harbor",
                 conference_url_notes="Passcode 4321")  # fmt: skip
    make_meeting("Night Line", days=[4], start="20:15", attendance=Attendance.PHONE, types=["C"],
                 service_body=body, conference_phone="+1 555 0199", conference_phone_notes="Code 777")  # fmt: skip
    make_meeting("Pier Hybrid", days=[5], start="18:45", location=springfield, attendance=Attendance.HYBRID,
                 types=["O", "SP", "X"], service_body=body,
                 conference_url="https://meet.example.org/pier")  # fmt: skip
    make_meeting("North Shore Steps", days=[6], start="10:00", location=shelbyville, types=["C", "ST"],
                 service_body=district)  # fmt: skip
    elsewhere = make_meeting("Inland Meditation", days=[1], start="06:00", types=["MED"], service_body=other)
    inactive = make_meeting("Closed For Repairs", days=[1], start="21:00", service_body=body, types=["GR"],
                            attendance=Attendance.INACTIVE, inactive_reason="Hall under repair")  # fmt: skip
    return Fixture(body, listed, elsewhere, inactive)
