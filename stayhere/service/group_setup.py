"""What a group's secretary sets up from the servants' pages, beyond editing a listing: new meetings, meeting
places, the group's statement; and the preview of a listing as the finder will show it.

New meetings are checked exactly as edited ones are (``listing.validated``: the model's and the importer's rules)
and recorded in the listing's history."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from stayhere.directory import slots
from stayhere.directory.models import Group, Location, Meeting
from stayhere.directory.presenting import ResultView, result_view
from stayhere.directory.search import Result
from stayhere.service import history, listing


def places(group: Group) -> list[Location]:
    """The places where the group's meetings meet, by name."""
    return list(Location.objects.filter(meetings__group=group).distinct().order_by("name", "address", "pk"))


def _free_slug(name: str) -> str:
    base = (slugify(name) or "meeting")[:190]
    slug, number = base, 2
    while Meeting.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def draft(group: Group, values: listing.Values, location: Location | None) -> Meeting:
    """A new meeting of the group with these values, checked, not saved (ListingInvalid when it is no listing)."""
    meeting = Meeting(group=group, location=location, name=values.get("name", ""), timezone=values.get("timezone", ""))
    return listing.validated(meeting, values)


def add_meeting(group: Group, values: listing.Values, location: Location | None, who: str) -> Meeting:
    """Lists a new meeting of the group (ListingInvalid, and nothing stored, when the values make no listing)."""
    with transaction.atomic():
        meeting = draft(group, values, location)
        meeting.slug = _free_slug(f"{group.name} {meeting.name}" if group.name not in meeting.name else meeting.name)
        meeting.updated = timezone.now()
        meeting.save()
        slots.rebuild([meeting])
        history.record_created(meeting, who, via=history.Via.PAGE)
    return meeting


def save_location(location: Location) -> None:
    """Saves a place and rebuilds the finder's index of the meetings held there (their distances move with it)."""
    with transaction.atomic():
        location.save()
        slots.rebuild(list(Meeting.objects.filter(location=location)))


def preview(meeting: Meeting) -> ResultView:
    """The listing as the finder's results will show it (the meeting may be unsaved)."""
    now = timezone.now()
    start: Any = meeting.next_start(now) if meeting.days and meeting.start_time else None
    return result_view(
        Result(meeting=meeting, distance_km=None, next_start=start, next_start_viewer=None, in_progress=False)
    )
