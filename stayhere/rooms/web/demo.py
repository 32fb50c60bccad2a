"""Demo rooms: a few of the demo's online meetings are held in stayhere rooms, so a person can try one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.urls import reverse

from stayhere.directory import freshness
from stayhere.directory.models import Attendance, Group, Meeting
from stayhere.rooms.web.keys import fresh_links
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format_for

DEMO_ROOM_GROUPS = 3


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


@dataclass(frozen=True)
class DemoRooms:
    group_slug: str  # the group whose room anyone may try alone (no waiting room, open chat)
    settings_url: str  # paths on this server
    chair_url: str
    room_url: str


def setup_demo_rooms(out: Writer | None = None) -> DemoRooms | None:
    """Gives the online meetings of a few demo groups a room with the default settings; the first group's room has
    no waiting room and an open chat. Returns (and writes to ``out``) that room's new settings and chair links."""
    groups = _room_groups()
    if not groups:
        return None
    with transaction.atomic():
        for group in groups:
            group.meetings.filter(attendance=Attendance.ONLINE).update(
                has_room=True, conference_url="", conference_url_notes=""
            )
            RoomSettings.objects.get_or_create(group=group, defaults={"format": default_format_for(group)})
        RoomSettings.objects.filter(group=groups[0]).update(waiting_room=False, chat_policy="open")
    freshness.changed()
    links = fresh_links(groups[0], "")
    meeting = groups[0].meetings.filter(has_room=True).order_by("name", "slug").first()
    assert meeting is not None and links.chair_urls
    rooms = DemoRooms(
        group_slug=groups[0].slug,
        settings_url=links.settings_url,
        chair_url=links.chair_urls[0][1],
        room_url=reverse("rooms:room", args=[meeting.slug]),
    )
    if out is not None:
        out.write(
            f"Demo meeting rooms: {len(groups)} groups' online meetings are held here. To try one alone, "
            f"on this server open\n"
            f"  the chair link of {meeting.name}: {rooms.chair_url}\n"
            f"  and, in another window, the room as a member: {rooms.room_url}\n"
            f"  the group's room settings (the secretary's link): {rooms.settings_url}\n"
            f"These links are shown once. For new ones: stayhere room-links {rooms.group_slug}\n"
        )
    return rooms


def _room_groups() -> list[Group]:
    """The first few groups (by slug) that hold an online meeting with a schedule."""
    online = Meeting.objects.filter(attendance=Attendance.ONLINE, group__isnull=False, start_time__isnull=False)
    slugs = online.exclude(day_mask=0).order_by("group__slug").values_list("group__slug", flat=True).distinct()
    chosen = list(slugs[:DEMO_ROOM_GROUPS])
    return sorted(Group.objects.filter(slug__in=chosen), key=lambda group: group.slug)
