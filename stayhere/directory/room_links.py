"""Meeting rooms on this site, as the feeds publish them: the directory knows nothing of rooms, so the
rooms app registers here, from its AppConfig.ready(), where a meeting's room is and which groups keep
their rooms unlisted (an unlisted room's link is the group's to share, never the feeds').

A meeting is held in a listed room when it has one (``Meeting.has_room``) and its group does not keep its
room unlisted. The feeds then give the room's public address as the meeting's ``conference_url`` (in place of any other
link the listing has: the meeting meets in the room), with a note that it is a room here that needs no account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ROOM_NOTES = _("A meeting room on stayhere: open the link in a web browser. No account or app is needed.")


@dataclass(frozen=True)
class Rooms:
    path_of: Callable[[str], str]  # a meeting's slug -> its room's path here ("/meetings/SLUG/room")
    unlisted_groups: Callable[[], frozenset[int]]  # groups whose rooms are unlisted


@dataclass(frozen=True)
class Phones:
    """The site's phone line (the phone app's): its number, each room's code, and the codes' table for SQL."""

    number: str  # "+" and digits only (checked where it is read)
    codes: Callable[[], Mapping[str, str]]  # slug -> code, for meetings with a room
    table: str  # a table of (meeting_id, code)


@dataclass(frozen=True)
class RoomAddresses:
    """How one rendering writes room links: before + slug + after, unless the group is in ``unlisted``."""

    before: str
    after: str
    unlisted: frozenset[int]
    notes: str
    phones: Phones | None = None  # the site's phone line, when it has a number

    @cached_property
    def _codes(self) -> Mapping[str, str]:
        return self.phones.codes() if self.phones is not None else {}

    def phone(self, slug: str, has_room: bool, group_id: int | None) -> str:
        """A listed room's dial-in line, "+NUMBER,,CODE#" (Meeting Guide's pauses), when the site has a number."""
        code = self._codes.get(slug, "") if self.phones is not None and self.link(slug, has_room, group_id) else ""
        return f"{self.phones.number},,{code}#" if code and self.phones is not None else ""

    def link(self, slug: str, has_room: bool, group_id: int | None) -> str:
        if not has_room or (group_id is not None and group_id in self.unlisted):
            return ""
        return self.before + slug + self.after


_rooms: list[Rooms] = []
_phones: list[Callable[[], Phones | None]] = []


def register_phones(phones: Callable[[], Phones | None]) -> None:
    """The phone app says how rooms are dialled (None while the site has no phone number)."""
    _phones[:] = [phones]


def register(rooms: Rooms) -> None:
    """The rooms app says where rooms are (the last registration counts)."""
    _rooms[:] = [rooms]


def addresses(url_prefix: str) -> RoomAddresses | None:
    """Room links for a rendering whose meeting pages are ``url_prefix`` + slug; None without a rooms app."""
    if not _rooms:
        return None
    rooms = _rooms[0]
    site = url_prefix.removesuffix(reverse("directory:meeting", args=["x"])[:-1])
    marker = "slug-marker-7f3a"  # a slug no meeting is given here (a path converter takes only slugs)
    before, _sep, after = rooms.path_of(marker).partition(marker)
    with translation.override(settings.LANGUAGE_CODE):
        notes = str(ROOM_NOTES)
    phones = _phones[0]() if _phones else None
    return RoomAddresses(site + before, after, rooms.unlisted_groups(), notes, phones)
