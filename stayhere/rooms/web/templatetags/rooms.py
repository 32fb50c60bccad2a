"""Template helpers for rooms on other apps' pages."""

from __future__ import annotations

from django import template

from stayhere.directory.models import Meeting
from stayhere.rooms.web.setup import room_is_listed

register = template.Library()


@register.filter
def listed_room(meeting: Meeting) -> bool:
    """Whether the meeting's page shows a link to its room (an unlisted room's link is shared by its group)."""
    return room_is_listed(meeting)
