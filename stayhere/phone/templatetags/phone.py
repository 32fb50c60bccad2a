"""The phone line on pages: the site's number and a room's code, when the site has a number."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from stayhere.directory.models import Meeting
from stayhere.directory.room_links import addresses

register = template.Library()


@dataclass(frozen=True)
class ShownLine:
    number: str
    code: str

    @property
    def href(self) -> str:
        return f"tel:{self.number},,{self.code}%23"  # dial, wait, key the code and pound


def _line(meeting: Meeting) -> ShownLine | None:
    from stayhere.phone.codes import code_for, site_number

    number = site_number()
    if not number or not meeting.has_room:
        return None
    return ShownLine(number, code_for(meeting))


@register.simple_tag
def listed_phone_line(meeting: Meeting) -> ShownLine | None:
    """For the meeting's public page: the line of a listed room only (an unlisted room's is its members')."""
    rooms = addresses("/")
    if rooms is None or not rooms.link(meeting.slug, meeting.has_room, meeting.group_id):
        return None
    return _line(meeting)


@register.simple_tag
def room_phone_line(meeting: Meeting) -> ShownLine | None:
    """For the room's own page, which only those with its link reach: the line, listed room or not."""
    return _line(meeting)
