"""From the database to a room: the meeting's clock and the group's settings as a RoomConfig.

Synchronous ORM calls; the consumer runs ``load_room_config`` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from stayhere.directory.models import Meeting
from stayhere.directory.occurrences import occurrence_clock
from stayhere.rooms.core.config import CLOSES_AFTER_S, OPENS_BEFORE_S, SEGMENT_KINDS, RoomConfig, Segment
from stayhere.rooms.web.keys import key_matches
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import MOUD_STATEMENT


class RoomUnavailable(Exception):
    """This meeting has no room; the message says so in a sentence for people."""


def load_room_config(slug: str, now: float) -> RoomConfig:
    meeting = Meeting.objects.select_related("group").filter(slug=slug).first()
    if meeting is None:
        raise RoomUnavailable(_("There is no meeting at this address. Find it again from the meeting list."))
    if not meeting.has_room:
        raise RoomUnavailable(_("This meeting does not meet here. Its listing says where it meets."))
    room = _settings_of(meeting)
    if room is None:
        raise RoomUnavailable(_("This meeting's room is not set up yet. Ask the group's secretary to set it up."))
    clock = occurrence_clock(meeting, now, OPENS_BEFORE_S, CLOSES_AFTER_S)
    return RoomConfig(
        meeting_slug=meeting.slug,
        title=meeting.name,
        format=segments(room.format, welcome_statement=room.welcome_statement, share_seconds=room.share_seconds),
        starts_at=clock.starts_at,
        ends_at=clock.ends_at,
        scheduled=clock.scheduled,
        next_opens_at=clock.next_opens_at,
        chat_policy=room.chat_policy,
        allow_private=room.allow_private,
        passcode=room.passcode,
        waiting_room=room.waiting_room,
        share_seconds=room.share_seconds,
        chair_key_hash=room.chair_key_hash,
        # An unlisted room with no members' link yet lets nobody in but its chair: never an open door.
        link_key_hash=(room.link_key_hash or "-") if room.unlisted else "",
        mode=room.mode,
        once=room.once,
        open_floor=room.open_floor,
        open_floor_max=room.open_floor_max,
        audio_quality=room.audio_quality,
    )


def chair_key_matches(slug: str, key: str) -> bool:
    """Whether ``key`` is the chair link's key of this meeting's room."""
    meeting = Meeting.objects.select_related("group").filter(slug=slug, has_room=True).first()
    room = None if meeting is None else _settings_of(meeting)
    return room is not None and key_matches(key, room.chair_key_hash)


def link_key_matches(slug: str, key: str) -> bool:
    """Whether ``key`` is the members' link key of this meeting's unlisted room."""
    meeting = Meeting.objects.select_related("group").filter(slug=slug, has_room=True).first()
    room = None if meeting is None else _settings_of(meeting)
    return room is not None and room.unlisted and key_matches(key, room.link_key_hash)


def room_is_listed(meeting: Meeting) -> bool:
    """Whether the meeting's page may show its room's link (False for an unlisted room, or no room)."""
    if not meeting.has_room:
        return False
    room = _settings_of(meeting)
    return room is None or not room.unlisted


def unlisted_group_ids() -> frozenset[int]:
    """The groups whose rooms are unlisted: the feeds publish no room link for their meetings."""
    return frozenset(RoomSettings.objects.filter(unlisted=True).values_list("group_id", flat=True))


def _settings_of(meeting: Meeting) -> RoomSettings | None:
    if meeting.group is None:
        return None
    return RoomSettings.objects.filter(group=meeting.group).first()


def segments(stored: Iterable[object], *, welcome_statement: bool, share_seconds: int) -> tuple[Segment, ...]:
    """The stored format as Segment values; malformed entries are skipped rather than breaking the room."""
    out: list[Segment] = []
    for item in stored:
        if not isinstance(item, dict) or item.get("kind") not in SEGMENT_KINDS:
            continue
        if not welcome_statement and item.get("statement") == MOUD_STATEMENT:
            continue
        seconds = _whole(item.get("share_seconds"))
        out.append(
            Segment(
                kind=str(item["kind"]),
                title=str(item.get("title", "")),
                text=str(item.get("text", "")),
                minutes=_whole(item.get("minutes")),
                share_seconds=seconds or share_seconds,
            )
        )
    return tuple(out)


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
