"""The room loader: the meeting's clock (its own zone, across midnight and clock changes) and the group's settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from stayhere.directory.models import Attendance, Group
from stayhere.rooms.core.config import CLOSES_AFTER_S, OPENS_BEFORE_S
from stayhere.rooms.web.keys import hash_key
from stayhere.rooms.web.readings import MOUD_STATEMENT, default_format
from stayhere.rooms.web.setup import RoomUnavailable, chair_key_matches, load_room_config
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

CHICAGO = ZoneInfo("America/Chicago")
MONDAY, SATURDAY, SUNDAY = 1, 6, 0


def at(year: int, month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = CHICAGO) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone).timestamp()


def room_meeting(days: list[int], start: str | None, end: str | None, tz: str = "America/Chicago") -> str:
    group = Group.objects.create(name="Clock Group", slug=f"clock-{start}-{end}-{days}".replace(":", ""))
    meeting = make_meeting(
        "Clockwork", days=days, start=start, end=end, tz=tz, attendance=Attendance.ONLINE, group=group, has_room=True
    )
    make_room(meeting)
    return meeting.slug


@pytest.mark.django_db
def test_it_is_scheduled_during_the_meeting() -> None:
    slug = room_meeting([MONDAY], "19:00", "20:00")
    config = load_room_config(slug, at(2025, 3, 3, 19, 10))  # a Monday
    assert config.scheduled
    assert config.starts_at == at(2025, 3, 3, 19)
    assert config.ends_at == at(2025, 3, 3, 20)
    assert config.next_opens_at is None


@pytest.mark.django_db
def test_it_opens_half_an_hour_early_and_stays_a_quarter_hour_after() -> None:
    slug = room_meeting([MONDAY], "19:00", "20:00")
    early = load_room_config(slug, at(2025, 3, 3, 19) - OPENS_BEFORE_S + 60)
    late = load_room_config(slug, at(2025, 3, 3, 20) + CLOSES_AFTER_S - 60)
    assert early.scheduled and late.scheduled
    assert early.starts_at == late.starts_at == at(2025, 3, 3, 19)


@pytest.mark.django_db
def test_before_the_window_it_is_unscheduled_and_says_when_members_may_join() -> None:
    slug = room_meeting([MONDAY], "19:00", "20:00")
    now = at(2025, 3, 3, 18, 20)
    config = load_room_config(slug, now)
    assert not config.scheduled
    assert config.next_opens_at == at(2025, 3, 3, 18, 30)
    assert config.starts_at == now
    assert config.ends_at == now + 3600


@pytest.mark.django_db
def test_after_the_window_the_next_opening_is_next_week() -> None:
    slug = room_meeting([MONDAY], "19:00", "20:00")
    config = load_room_config(slug, at(2025, 3, 3, 20) + CLOSES_AFTER_S + 60)
    assert not config.scheduled
    assert config.next_opens_at == at(2025, 3, 10, 18, 30)


@pytest.mark.django_db
def test_a_meeting_crossing_midnight_is_scheduled_after_midnight() -> None:
    slug = room_meeting([SATURDAY], "23:00", "01:00")
    config = load_room_config(slug, at(2025, 2, 2, 0, 30))  # Sunday 00:30, after Saturday 23:00
    assert config.scheduled
    assert config.starts_at == at(2025, 2, 1, 23)
    assert config.ends_at == at(2025, 2, 2, 1)


@pytest.mark.django_db
def test_a_meeting_across_the_spring_clock_change_ends_at_its_wall_clock_end() -> None:
    # Chicago's clocks jump from 02:00 to 03:00 on Sunday 9 March 2025: 23:30 to 03:00 lasts two and a half hours.
    slug = room_meeting([SATURDAY], "23:30", "03:00")
    now = dt.datetime(2025, 3, 9, 7, 30, tzinfo=dt.UTC).timestamp()  # 02:30 CDT
    config = load_room_config(slug, now)
    assert config.scheduled
    assert config.starts_at == dt.datetime(2025, 3, 9, 5, 30, tzinfo=dt.UTC).timestamp()
    assert config.ends_at == dt.datetime(2025, 3, 9, 8, 0, tzinfo=dt.UTC).timestamp()


@pytest.mark.django_db
def test_the_next_opening_after_a_clock_change_follows_the_local_clock() -> None:
    slug = room_meeting([SUNDAY], "10:00", "11:00")
    config = load_room_config(slug, at(2025, 3, 8, 12))  # Saturday, standard time
    assert config.next_opens_at == dt.datetime(2025, 3, 9, 14, 30, tzinfo=dt.UTC).timestamp()  # 09:30 CDT


@pytest.mark.django_db
def test_a_meeting_in_another_zone_uses_its_own_clock() -> None:
    slug = room_meeting([MONDAY], "19:00", "20:00", tz="Europe/London")
    config = load_room_config(slug, at(2025, 3, 3, 19, 10, zone=ZoneInfo("Europe/London")))
    assert config.scheduled
    assert config.starts_at == at(2025, 3, 3, 19, zone=ZoneInfo("Europe/London"))


@pytest.mark.django_db
def test_a_meeting_without_an_end_lasts_an_hour() -> None:
    slug = room_meeting([MONDAY], "19:00", None)
    config = load_room_config(slug, at(2025, 3, 3, 20, 10))
    assert config.scheduled
    assert config.ends_at == at(2025, 3, 3, 20)


@pytest.mark.django_db
def test_a_meeting_without_days_is_never_scheduled_and_has_no_next_opening() -> None:
    slug = room_meeting([], "19:00", "20:30")
    now = at(2025, 3, 3, 19, 10)
    config = load_room_config(slug, now)
    assert not config.scheduled
    assert config.next_opens_at is None
    assert config.ends_at == now + 90 * 60


@pytest.mark.django_db
def test_the_config_carries_the_groups_settings_and_the_meetings_name() -> None:
    made = make_room(
        chat_policy="open", passcode="4321", waiting_room=False, share_seconds=240, mode="round_robin", once=True
    )
    config = load_room_config(made.meeting.slug, at(2025, 3, 3, 19, 10))
    assert config.title == made.meeting.name
    assert config.meeting_slug == made.meeting.slug
    assert (config.chat_policy, config.passcode, config.waiting_room) == ("open", "4321", False)
    assert (config.share_seconds, config.mode, config.once) == (240, "round_robin", True)
    assert config.chair_key_hash == hash_key(made.chair_key)
    assert [segment.title for segment in config.format] == [str(s["title"]) for s in default_format()]


@pytest.mark.django_db
def test_the_everyone_welcome_statement_is_dropped_when_the_group_turns_it_off() -> None:
    with_it = make_room()
    without = make_room(welcome_statement=False)
    moud_title = next(str(s["title"]) for s in default_format() if s.get("statement") == MOUD_STATEMENT)
    now = at(2025, 3, 3, 19, 10)
    assert moud_title in [s.title for s in load_room_config(with_it.meeting.slug, now).format]
    titles = [s.title for s in load_room_config(without.meeting.slug, now).format]
    assert moud_title not in titles
    assert len(titles) == len(default_format()) - 1


@pytest.mark.django_db
def test_a_segment_without_its_own_share_time_gets_the_rooms() -> None:
    made = make_room(
        share_seconds=300,
        format=[
            {"kind": "sharing", "title": "Open", "text": "", "minutes": 30, "share_seconds": 0},
            {"kind": "speaker", "title": "Speaker", "text": "", "minutes": 20, "share_seconds": 900},
        ],
    )
    config = load_room_config(made.meeting.slug, at(2025, 3, 3, 19, 10))
    assert [s.share_seconds for s in config.format] == [300, 900]


@pytest.mark.django_db
def test_an_unknown_meeting_has_no_room() -> None:
    with pytest.raises(RoomUnavailable, match="no meeting at this address"):
        load_room_config("no-such-meeting", at(2025, 3, 3, 19))


@pytest.mark.django_db
def test_a_meeting_not_held_here_has_no_room() -> None:
    made = make_room()
    made.meeting.has_room = False
    made.meeting.save()
    with pytest.raises(RoomUnavailable, match="does not meet here"):
        load_room_config(made.meeting.slug, at(2025, 3, 3, 19))


@pytest.mark.django_db
def test_a_meeting_whose_group_has_no_settings_has_no_room() -> None:
    group = Group.objects.create(name="Unset", slug="unset")
    meeting = make_meeting("Unset", attendance=Attendance.ONLINE, group=group, has_room=True)
    with pytest.raises(RoomUnavailable, match="not set up yet"):
        load_room_config(meeting.slug, at(2025, 3, 3, 19))


@pytest.mark.django_db
def test_the_chair_key_matches_only_its_own_rooms_meetings() -> None:
    first, second = make_room(), make_room()
    assert chair_key_matches(first.meeting.slug, first.chair_key)
    assert not chair_key_matches(first.meeting.slug, second.chair_key)
    assert not chair_key_matches(first.meeting.slug, first.settings_key)
    assert not chair_key_matches("no-such-meeting", first.chair_key)
