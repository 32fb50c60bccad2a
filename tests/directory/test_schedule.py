from __future__ import annotations

import datetime as dt

import pytest

from stayhere.directory import schedule

UTC = dt.UTC


def test_it_numbers_days_from_sunday_like_the_meeting_guide_spec():
    assert schedule.python_weekday_to_spec(dt.date(2026, 11, 22).weekday()) == 0  # a Sunday
    assert schedule.python_weekday_to_spec(dt.date(2026, 11, 28).weekday()) == 6  # a Saturday


def test_it_round_trips_days_through_the_mask():
    assert schedule.mask_to_days(schedule.days_to_mask([0, 3, 6])) == [0, 3, 6]


def test_it_rejects_a_day_of_seven():
    with pytest.raises(ValueError, match="0 \\(Sunday\\) to 6"):
        schedule.days_to_mask([7])


def test_it_canonicalises_legacy_zone_names():
    assert schedule.canonical_zone("US/Eastern") == "America/New_York"
    assert schedule.canonical_zone(" Europe/Berlin ") == "Europe/Berlin"


def test_it_rejects_a_zone_that_does_not_exist():
    with pytest.raises(ValueError, match="IANA time zone"):
        schedule.canonical_zone("Mars/Olympus_Mons")


def test_it_finds_the_zone_of_a_point_offline():
    assert schedule.zone_at(53.5461, -113.4938) == "America/Edmonton"
    assert schedule.zone_at(52.52, 13.405) == "Europe/Berlin"


def test_a_meeting_keeps_its_wall_clock_time_across_a_dst_change():
    # 19:00 on Mondays in New York: 00:00 UTC in summer, 00:00+1h UTC in winter.
    summer = schedule.next_start(1, dt.time(19), "America/New_York", dt.datetime(2026, 7, 1, tzinfo=UTC))
    winter = schedule.next_start(1, dt.time(19), "America/New_York", dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert (summer.hour, winter.hour) == (19, 19)
    assert summer.astimezone(UTC).hour == 23
    assert winter.astimezone(UTC).hour == 0


def test_the_week_of_the_spring_change_uses_the_new_offset():
    # US clocks went forward on Sunday 8 March 2026 at 02:00.
    before = dt.datetime(2026, 3, 7, 12, tzinfo=UTC)
    start = schedule.next_start(0, dt.time(19), "America/New_York", before)
    assert start.date() == dt.date(2026, 3, 8)
    assert start.astimezone(UTC).hour == 23  # EDT, not EST


def test_a_start_time_inside_the_spring_gap_lands_after_it():
    before = dt.datetime(2026, 3, 7, 12, tzinfo=UTC)
    start = schedule.next_start(0, dt.time(2, 30), "America/New_York", before)
    assert start.astimezone(schedule.zone("America/New_York")).hour == 3


def test_next_start_includes_a_meeting_that_began_within_the_grace():
    now = dt.datetime(2026, 11, 23, 19, 5, tzinfo=schedule.zone("Europe/London"))  # a Monday
    start = schedule.next_start(1, dt.time(19), "Europe/London", now, grace=dt.timedelta(minutes=10))
    assert start.date() == dt.date(2026, 11, 23)
    later = schedule.next_start(1, dt.time(19), "Europe/London", now)
    assert later.date() == dt.date(2026, 11, 30)


def test_a_window_over_the_end_of_the_week_splits_in_two():
    # Saturday 23:30 to Sunday 00:30 local time in UTC.
    window = schedule.Window(
        dt.datetime(2026, 11, 28, 23, 30, tzinfo=UTC), dt.datetime(2026, 11, 29, 0, 30, tzinfo=UTC)
    )
    assert schedule.mow_ranges(window, "UTC") == [(6 * 1440 + 23 * 60 + 30, 10079), (0, 29)]


def test_a_window_is_read_in_each_zone_own_local_time():
    window = schedule.Window(dt.datetime(2026, 11, 23, 18, 0, tzinfo=UTC), dt.datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
    # Monday 18:00 UTC is Monday 19:00 in Berlin and Monday 13:00 in New York.
    assert schedule.mow_ranges(window, "Europe/Berlin") == [(1440 + 19 * 60, 1440 + 19 * 60 + 59)]
    assert schedule.mow_ranges(window, "America/New_York") == [(1440 + 13 * 60, 1440 + 13 * 60 + 59)]


def test_the_next_start_on_the_night_clocks_go_back_is_never_one_already_past() -> None:
    # Sydney, 5 April 2026: clocks go back from 03:00 AEDT to 02:00 AEST at 16:00 UTC. At 16:10 UTC (02:10 AEST)
    # a Sunday 02:00 meeting's first pass (15:00 UTC) is over: its next start is the Sunday after.
    now = dt.datetime(2026, 4, 4, 16, 10, tzinfo=dt.UTC)
    found = schedule.next_start(0, dt.time(2, 0), "Australia/Sydney", now, grace=dt.timedelta(minutes=10))
    assert found.astimezone(dt.UTC) >= now - dt.timedelta(minutes=10)
    assert found.astimezone(dt.UTC) == dt.datetime(2026, 4, 11, 16, 0, tzinfo=dt.UTC)
