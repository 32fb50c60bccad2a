"""Property tests of the finder's time logic against zoneinfo, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from stayhere.directory import schedule

# Zones with the awkward cases: DST both ways, half-hour and 45-minute offsets, a 30-minute DST
# step (Lord Howe), the date line (Kiritimati +14, Pago Pago -11), and no DST at all.
ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "UTC",
]
# Instants through 2026, weighted towards the hours around its DST changes.
TRANSITIONS = [
    dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC),  # US spring forward
    dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),  # US fall back
    dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC),  # EU spring forward
    dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC),  # EU fall back
    dt.datetime(2026, 4, 4, 15, tzinfo=dt.UTC),  # Sydney / Lord Howe fall back
    dt.datetime(2026, 10, 3, 16, tzinfo=dt.UTC),  # Sydney / Lord Howe spring forward
]
near_a_change = st.builds(
    lambda base, minutes: base + dt.timedelta(minutes=minutes),
    st.sampled_from(TRANSITIONS),
    st.integers(min_value=-180, max_value=180),
)
anywhere = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(  # seconds too
    lambda moment: moment.replace(tzinfo=dt.UTC)
)
instants = st.one_of(near_a_change, anywhere)
GRACE, AHEAD = dt.timedelta(minutes=10), dt.timedelta(minutes=60)


def in_ranges(value: int, ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= value <= hi for lo, hi in ranges)


@settings(max_examples=400, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    day=st.integers(min_value=0, max_value=6),
    minute=st.integers(min_value=0, max_value=1439),
    now=instants,
)
# Found by this test: Sydney's clocks going back, ten minutes after the repeated 02:00 began (next_start compared
# two times of one zone by wall clock and took the first pass, already gone, for the second).
@example(zone_name="Australia/Sydney", day=0, minute=120, now=dt.datetime(2026, 4, 4, 16, 10, tzinfo=dt.UTC))
def test_starting_soon_by_minute_of_week_agrees_with_the_calendar(zone_name, day, minute, now):
    """A weekly meeting is "in progress or starting soon" by the index exactly when its next start,
    computed with zoneinfo for the real date, falls from ten minutes ago to (not including) an hour
    from now."""
    start = dt.time(minute // 60, minute % 60)
    next_start = schedule.next_start(day, start, zone_name, now, grace=GRACE)
    expected = next_start < now + AHEAD
    ranges = schedule.mow_ranges(schedule.Window(now - GRACE, now + AHEAD), zone_name)
    assert in_ranges(schedule.mow(day, minute), ranges) == expected, (next_start, ranges)


@settings(max_examples=200, deadline=None)
@given(zone_name=st.sampled_from(ZONES), now=instants, hours=st.integers(min_value=1, max_value=48))
def test_a_window_never_covers_more_of_the_week_than_its_length_and_an_hour(zone_name, now, hours):
    window = schedule.Window(now, now + dt.timedelta(hours=hours))
    ranges = schedule.mow_ranges(window, zone_name)
    covered = sum(hi - lo + 1 for lo, hi in ranges)
    assert covered <= hours * 60 + 60
