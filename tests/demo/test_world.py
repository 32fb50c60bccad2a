"""The demo directory generator: the same world for the same seed, and a world that looks like real ones."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from stayhere.demo.listing_words import CONFERENCE_HOSTS, CONTACT_NAMES
from stayhere.demo.output import meeting_guide_records
from stayhere.demo.world import ATTENDANCE_MODES, World, generate
from stayhere.directory.schedule import zone_at

TODAY = dt.date(2026, 11, 23)
FICTIONAL_PHONE = re.compile(r"^\+1-555-01\d\d(,,\d+#)?$")


@pytest.fixture(scope="module")
def world() -> World:
    return generate(600, seed=3, today=TODAY)


def test_the_same_seed_gives_the_same_world() -> None:
    first = meeting_guide_records(generate(300, seed=9, today=TODAY))
    second = meeting_guide_records(generate(300, seed=9, today=TODAY))
    assert first == second


def test_another_seed_gives_another_world() -> None:
    first = meeting_guide_records(generate(300, seed=9, today=TODAY))
    other = meeting_guide_records(generate(300, seed=10, today=TODAY))
    assert first != other


def test_it_makes_exactly_the_number_of_meetings_asked_for() -> None:
    assert len(generate(1, seed=1, today=TODAY).meetings) == 1
    assert len(generate(257, seed=1, today=TODAY).meetings) == 257


def test_it_rejects_a_world_without_meetings() -> None:
    with pytest.raises(ValueError, match="at least one meeting"):
        generate(0, seed=1)


def test_every_located_meeting_lies_in_the_time_zone_it_is_listed_in(world: World) -> None:
    located = [m for m in world.meetings if m.venue is not None]
    assert located
    for meeting in located:
        assert meeting.venue is not None
        assert zone_at(meeting.venue.latitude, meeting.venue.longitude) == meeting.town.region.zone, meeting.slug


def test_the_world_spans_many_time_zones(world: World) -> None:
    zones = {m.town.region.zone for m in world.meetings}
    for expected in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "Europe/London",
        "Europe/Berlin",
        "America/Mexico_City",
        "Australia/Sydney",
    ):
        assert expected in zones


def test_a_small_world_still_shows_every_attendance_mode() -> None:
    tiny = generate(5, seed=4, today=TODAY)
    assert {m.attendance for m in tiny.meetings} == set(ATTENDANCE_MODES)


def test_online_and_phone_meetings_have_no_address_and_a_placeholder_line(world: World) -> None:
    for meeting in world.meetings:
        if meeting.attendance == "online":
            assert meeting.venue is None and meeting.regions
            assert meeting.conference_url.split("/")[2] in CONFERENCE_HOSTS
        if meeting.attendance == "phone":
            assert meeting.venue is None and not meeting.conference_url
            assert FICTIONAL_PHONE.match(meeting.conference_phone)
        if meeting.attendance == "hybrid":
            assert meeting.venue is not None and meeting.conference_url


def test_inactive_meetings_say_why_and_until_when(world: World) -> None:
    inactive = [m for m in world.meetings if m.attendance == "inactive"]
    assert inactive
    for meeting in inactive:
        assert meeting.inactive_reason
        assert meeting.inactive_until is not None and meeting.inactive_until > TODAY


def test_contacts_are_first_names_only_with_made_up_addresses(world: World) -> None:
    contacts = [(group, c) for group in world.groups for c in group.contacts]
    assert contacts
    for _group, contact in contacts:
        assert contact["name"] in CONTACT_NAMES and " " not in contact["name"]
        assert contact["email"].endswith("@example.org")
        assert FICTIONAL_PHONE.match(contact["phone"])
    with_contacts = [group for group in world.groups if group.contacts]
    assert sum(group.contacts_public for group in with_contacts) < len(with_contacts) / 2


def test_group_names_name_no_contact(world: World) -> None:
    for group in world.groups:
        assert not set(group.name.split()) & set(CONTACT_NAMES), group.name


def test_schedules_vary_like_real_ones(world: World) -> None:
    meetings = world.meetings
    assert any(len(m.days) > 1 for m in meetings) and any(len(m.days) == 1 for m in meetings)
    assert any(m.end is None for m in meetings) and any(m.end is not None for m in meetings)
    assert any(m.end is not None and m.end <= m.start for m in meetings), "no meeting crosses midnight"
    evening = sum(1 for m in meetings if 17 <= m.start.hour < 22)
    morning = sum(1 for m in meetings if m.start.hour < 11)
    assert evening > morning > 0


def test_facets_and_fellowships_are_mixed(world: World) -> None:
    codes = Counter(code for m in world.meetings for code in m.types)
    for code in ("O", "C", "D", "SP", "X", "EN", "S"):
        assert codes[code] > 0, code
    assert len({m.fellowship for m in world.meetings}) >= 4
    assert any(g.moud_welcome or g.harm_reduction for g in world.groups)


def test_big_towns_hold_many_meetings_and_small_towns_few() -> None:
    big = generate(12000, seed=2, today=TODAY)
    per_town = sorted(Counter(id(m.town) for m in big.meetings).values(), reverse=True)
    assert len(per_town) > 300
    assert per_town[0] >= 10 * per_town[len(per_town) // 2]
    assert per_town[-1] <= 3
