"""A made-up but realistic directory, the same for the same seed: for the quickstart, tests and benchmarks.

``generate`` builds the world as plain values (no database); ``output.store`` writes it with bulk
inserts and the finder's slot index; ``output.meeting_guide_records`` renders the same world as a
Meeting Guide JSON feed. Towns are weighted by population, so big cities hold many meetings and small towns a
few, and each town sits where its region's time zone really is (checked with ``zone_at``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from stayhere.demo.listing_words import (
    COMMUNITY_GROUP_NAMES,
    CONFERENCE_HOSTS,
    CONTACT_NAMES,
    GROUP_NAMES,
    INACTIVE_REASONS,
)
from stayhere.demo.place_words import LOCATION_NOTES
from stayhere.demo.regions import Region
from stayhere.demo.towns import DemoBody, DemoTown, DemoVenue, Slugs, make_towns, make_venue
from stayhere.directory import schedule

__all__ = [
    "ATTENDANCE_MODES",
    "DemoBody",
    "DemoGroup",
    "DemoMeeting",
    "DemoTown",
    "DemoVenue",
    "World",
    "generate",
    "paused_gc",
]

T = TypeVar("T")
DEMO_SOURCE = ""  # demo listings are kept here, like any listing a service office types in
ATTENDANCE_MODES = ("in_person", "online", "hybrid", "phone", "inactive")

_FELLOWSHIPS = (
    ("AA", 62),
    ("NA", 16),
    ("AL-ANON", 8),
    ("CA", 3),
    ("CMA", 2),
    ("OA", 2),
    ("CODA", 2),
    ("SLAA", 1.5),
    ("ACA", 1.5),
    ("GA", 1),
    ("MA", 1),
)
_ATTENDANCE = (("in_person", 62), ("hybrid", 13), ("online", 17), ("phone", 4), ("inactive", 4))
# Local start times and how common they are: evenings heavy, mornings and noon common.
_TIMES = (
    ("06:30", 2),
    ("07:00", 6),
    ("07:30", 3),
    ("08:00", 3),
    ("09:00", 2),
    ("10:00", 4),
    ("10:30", 2),
    ("12:00", 10),
    ("12:15", 3),
    ("12:30", 3),
    ("13:00", 2),
    ("15:00", 1),
    ("17:30", 4),
    ("18:00", 8),
    ("18:30", 8),
    ("19:00", 16),
    ("19:30", 12),
    ("20:00", 14),
    ("20:30", 5),
    ("21:00", 3),
    ("22:00", 2),
    ("23:00", 1),
    ("23:30", 0.5),
)
_DURATIONS = ((60, 55), (90, 30), (75, 8), (120, 7))
_FORMATS = (
    ("D", 30),
    ("SP", 12),
    ("B", 12),
    ("ST", 10),
    ("12x12", 5),
    ("TR", 3),
    ("LIT", 6),
    ("MED", 3),
    ("11", 3),
    ("BE", 5),
    ("DR", 4),
    ("LS", 2),
    ("H", 2),
    ("GR", 2),
)
_FEATURES = (("X", 0.45), ("XB", 0.15), ("BA", 0.04), ("CAN", 0.04), ("OUT", 0.02), ("FF", 0.03), ("POA", 0.05))
_COMMUNITIES = (("W", 0.06), ("M", 0.05), ("Y", 0.04), ("LGBTQ", 0.04), ("SEN", 0.01), ("POC", 0.01))
_DAY_WEIGHTS = ((0, 1.2), (1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.1), (6, 1.2))
_GROUP_SIZES = ((1, 50), (2, 25), (3, 15), (4, 10))
_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass
class DemoGroup:
    key: int
    slug: str
    name: str
    service_body: str
    contacts: list[dict[str, str]] = field(default_factory=list)
    contacts_public: bool = False
    email: str = ""
    moud_welcome: bool = False
    harm_reduction: bool = False


@dataclass
class DemoMeeting:
    slug: str
    name: str
    fellowship: str
    group: DemoGroup
    service_body: str
    town: DemoTown
    venue: DemoVenue | None  # None: online or phone only
    days: list[int]
    start: dt.time
    end: dt.time | None
    attendance: str
    types: list[str]
    regions: list[str]
    conference_url: str = ""
    conference_url_notes: str = ""
    conference_phone: str = ""
    conference_phone_notes: str = ""
    inactive_reason: str = ""
    inactive_until: dt.date | None = None
    notes: str = ""
    updated: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass
class World:
    seed: int
    bodies: list[DemoBody]
    towns: list[DemoTown]
    groups: list[DemoGroup]
    meetings: list[DemoMeeting]


@lru_cache(maxsize=64)
def _cumulative(weighted: tuple[tuple[T, float], ...]) -> tuple[list[T], list[float]]:
    return [value for value, _w in weighted], _accumulate([weight for _v, weight in weighted])


def _pick(rng: random.Random, weighted: tuple[tuple[T, float], ...]) -> T:
    """One value, drawn by weight (bisect on cached running totals: this runs a million times for a big world)."""
    values, totals = _cumulative(weighted)
    picked: T = values[bisect.bisect(totals, rng.random() * totals[-1])]
    return picked


def _days(rng: random.Random) -> list[int]:
    roll = rng.random()
    if roll < 0.72:
        return [_pick(rng, _DAY_WEIGHTS)]
    if roll < 0.86:
        return [1, 2, 3, 4, 5]
    if roll < 0.93:
        return list(range(7))
    return rng.choice(([2, 4], [1, 3, 5], [0, 6], [1, 4]))


def _types(rng: random.Random, region: Region, community: str | None, start: dt.time) -> list[str]:
    codes: list[str] = []
    access = rng.random()
    codes += ["O"] if access < 0.5 else ["C"] if access < 0.9 else []
    codes.append(_pick(rng, _FORMATS))
    if rng.random() < 0.3:
        codes.append(_pick(rng, _FORMATS))
    codes += [code for code, share in _FEATURES if rng.random() < share]
    if start.hour < 9 and rng.random() < 0.2:
        codes.append("BRK")
    if community:
        codes.append(community)
    language = region.languages[0][0]
    for code, share in region.languages[1:]:
        if rng.random() < share:
            language = code
    codes.append(language)
    if language == "EN" and rng.random() < 0.01:
        codes.append("ASL")
    return list(dict.fromkeys(codes))


def _group_name(rng: random.Random, style: str, community: str | None, days: list[int]) -> str:
    if community in COMMUNITY_GROUP_NAMES and style == "en":
        return rng.choice(COMMUNITY_GROUP_NAMES[community])
    name = rng.choice(GROUP_NAMES[style])
    if style == "en" and len(days) == 1 and rng.random() < 0.15:
        return f"{_WEEKDAYS[days[0]]} {name}"
    return name


def generate(meetings: int = 400, seed: int = 1, today: dt.date | None = None) -> World:
    """A world of exactly ``meetings`` meetings, the same for the same seed and day."""
    if meetings < 1:
        raise ValueError("Ask for at least one meeting.")
    with paused_gc():
        return _generate(meetings, seed, today or dt.date.today())


@contextmanager
def paused_gc() -> Iterator[None]:
    """Millions of small objects and no cycles: the cyclic collector would only rescan them, over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _generate(meetings: int, seed: int, today: dt.date) -> World:
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    slugs = Slugs()
    bodies: list[DemoBody] = []
    towns = make_towns(rng, meetings, bodies, slugs)
    town_weights = [town.population * town.region.weight for town in towns]
    cumulative = _accumulate(town_weights)
    groups: list[DemoGroup] = []
    result: list[DemoMeeting] = []
    venue_keys = 0
    while len(result) < meetings:
        index = len(result)
        town = towns[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        style = town.region.style
        # The first few meetings take every attendance mode, so even a tiny world shows each one.
        attendance = ATTENDANCE_MODES[index] if index < len(ATTENDANCE_MODES) else _pick(rng, _ATTENDANCE)
        fellowship = _pick(rng, _FELLOWSHIPS)
        community = next((code for code, share in _COMMUNITIES if rng.random() < share), None)
        days = _days(rng)
        venue: DemoVenue | None = None
        if attendance in ("in_person", "hybrid", "inactive"):
            if town.venues and rng.random() < 0.55:
                venue = rng.choice(town.venues)
            else:
                venue = make_venue(rng, town, venue_keys)
                if venue is None:
                    continue
                venue_keys += 1
                town.venues.append(venue)
        name = _group_name(rng, style, community, days)
        group = DemoGroup(
            len(groups),
            slugs(f"{name} {town.name}"),
            name,
            town.intergroup,
            moud_welcome=fellowship in ("AA", "NA", "CA") and rng.random() < 0.06,
            harm_reduction=fellowship in ("NA", "CMA") and rng.random() < 0.05,
        )
        if rng.random() < 0.25:
            for contact in rng.sample(CONTACT_NAMES, rng.randint(1, 2)):
                group.contacts.append(
                    {
                        "name": contact,
                        "email": f"{contact.lower()}.{group.key}@example.org",
                        "phone": f"+1-555-01{rng.randint(0, 99):02d}",
                    }
                )
            group.contacts_public = rng.random() < 0.15
        if rng.random() < 0.3:
            group.email = f"{group.slug[:40]}@groups.example.org"
        groups.append(group)
        # A group holds one to four meetings a week, at the same place, mostly the same time.
        size = 1 if index < len(ATTENDANCE_MODES) else _pick(rng, _GROUP_SIZES)
        for _ in range(min(size, meetings - len(result))):
            start = _time(_pick(rng, _TIMES))
            result.append(
                _meeting(
                    rng, slugs, group, town, venue, attendance, fellowship, community, days, start, today, len(result)
                )
            )
            days = _days(rng)
    return World(seed, bodies, towns, groups, result)


@lru_cache(maxsize=64)
def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def _meeting(
    rng: random.Random,
    slugs: Slugs,
    group: DemoGroup,
    town: DemoTown,
    venue: DemoVenue | None,
    attendance: str,
    fellowship: str,
    community: str | None,
    days: list[int],
    start: dt.time,
    today: dt.date,
    index: int,
) -> DemoMeeting:
    # The first meetings also show a late meeting that crosses midnight and one with no end time.
    if index in (5, 6):
        start = dt.time(23, 0) if index == 5 else start
    minutes = _pick(rng, _DURATIONS)
    end: dt.time | None = None
    if index == 5 or (index != 6 and rng.random() < 0.65):
        total = (schedule.minute_of_day(start) + int(minutes)) % schedule.MINUTES_PER_DAY
        end = dt.time(total // 60, total % 60)
    meeting = DemoMeeting(
        slug=slugs(group.name),
        name=group.name,
        fellowship=fellowship,
        group=group,
        service_body=town.district,
        town=town,
        venue=venue,
        days=days,
        start=start,
        end=end,
        attendance=attendance,
        types=_types(rng, town.region, community, start),
        regions=[town.region.state, town.name],
        updated=dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 900)), dt.time(12), dt.UTC),
    )
    code = rng.randint(100_000_000, 999_999_999)
    if attendance in ("online", "hybrid") or (attendance == "inactive" and rng.random() < 0.2):
        meeting.conference_url = f"https://{rng.choice(CONFERENCE_HOSTS)}/j/{code}"
        if rng.random() < 0.4:
            meeting.conference_url_notes = f"Passcode {rng.randint(1000, 9999)}; the waiting room is on."
        if "DB" not in meeting.types and rng.random() < 0.5:
            meeting.types.append("DB")
    if attendance == "phone" or (attendance in ("online", "hybrid") and rng.random() < 0.3):
        meeting.conference_phone = f"{town.region.phone_prefix},,{code}#"
        meeting.conference_phone_notes = "Dial in from any phone; press # when asked for a participant id."
    if attendance == "inactive":
        meeting.inactive_reason = rng.choice(INACTIVE_REASONS)
        meeting.inactive_until = today + dt.timedelta(days=rng.randint(14, 120))
        meeting.types.append("TC")
    if venue is not None and rng.random() < 0.1:
        meeting.notes = rng.choice(LOCATION_NOTES)
    return meeting
