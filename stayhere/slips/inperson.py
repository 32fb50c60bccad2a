"""In-person meetings: the chair's screen shows a QR code that changes every minute.

A minute code is HMAC(per-key secret, meeting slug | minute number), cut to 12 bytes. The code of the current
minute and of the one before are accepted; a code of an older minute, of a later one, or of another meeting is
refused. The first scan gives the attendee's browser an *arrival ticket* (an HMAC of the meeting, this
occurrence and the minute of arrival); a later scan with the ticket gives the slip, with the minutes between the
two. Nothing is stored: the ticket lives in the attendee's browser, the codes are recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from stayhere.directory.models import Meeting
from stayhere.directory.occurrences import occurrence_clock
from stayhere.rooms.core.config import CLOSES_AFTER_S, OPENS_BEFORE_S
from stayhere.rooms.web.keys import key_matches
from stayhere.rooms.web.models import RoomSettings
from stayhere.slips import keystore
from stayhere.slips.errors import SlipRefused
from stayhere.slips.models import SigningKey
from stayhere.slips.signing import issue_slip, signing_context

CODE_BYTES = 12


def minute_of(now: float) -> int:
    return int(now // 60)


def _mac(key: SigningKey, message: str) -> str:
    digest = hmac.new(keystore.code_secret(key), message.encode("utf-8"), hashlib.sha256).digest()
    return keystore.b64(digest[:CODE_BYTES])


def minute_code(key: SigningKey, meeting_slug: str, minute: int) -> str:
    return _mac(key, f"minute|{meeting_slug}|{minute}")


def chair_key_ok(meeting: Meeting, chair_key: str) -> bool:
    """Whether ``chair_key`` is the key of the group's chair link (as for its rooms; in-person meetings too)."""
    room = None if meeting.group is None else RoomSettings.objects.filter(group=meeting.group).first()
    return room is not None and key_matches(chair_key, room.chair_key_hash)


@dataclass(frozen=True)
class Shown:
    """What the chair's screen shows this minute."""

    minute: int
    path: str  # the attendee's page, to be made absolute by the caller
    seconds_left: int


def _in_progress(meeting: Meeting, now: float) -> float:
    """The start of the occurrence running now; SlipRefused when the meeting is not being held."""
    clock = occurrence_clock(meeting, now, OPENS_BEFORE_S, CLOSES_AFTER_S)
    if not clock.scheduled:
        raise SlipRefused(_("This meeting is not being held now by its schedule. Codes are shown during the meeting."))
    return clock.starts_at


def current(meeting_slug: str, now: float) -> Shown:
    meeting, key, _minimum = signing_context(meeting_slug)
    _in_progress(meeting, now)
    minute = minute_of(now)
    code = minute_code(key, meeting.slug, minute)
    path = reverse("slips:here", args=[meeting.slug, minute, code])
    return Shown(minute=minute, path=path, seconds_left=60 - int(now % 60))


def check_code(key: SigningKey, meeting_slug: str, minute: int, code: str, now: float) -> None:
    """Refuses a code that is not this meeting's, or not of this minute or the one before."""
    if not isinstance(code, str) or not hmac.compare_digest(minute_code(key, meeting_slug, minute), code):
        raise SlipRefused(
            _("This code is not this meeting's code (or it was cut short). Scan the code on the chair's screen again.")
        )
    age = minute_of(now) - minute
    if age > 1:
        raise SlipRefused(
            _("This code is from an earlier minute and no longer counts. Scan the code on the chair's screen now.")
        )
    if age < 0:
        raise SlipRefused(_("This code is not valid yet. Check your phone's clock and scan again."))


def _ticket(key: SigningKey, meeting_slug: str, starts_at: float, arrival_minute: int) -> str:
    return f"{arrival_minute}.{_mac(key, f'arrival|{meeting_slug}|{int(starts_at)}|{arrival_minute}')}"


def scan(
    meeting_slug: str, minute: int, code: str, arrival: str, commitment: str, now: float, base_url: str = ""
) -> dict[str, Any]:
    """One scan of the chair's code. Without an arrival ticket (or with one from another meeting): a new ticket.
    With this meeting's ticket: the slip if the minimum has passed and a commitment is given, else how long to wait.
    """
    meeting, key, minimum = signing_context(meeting_slug)
    starts_at = _in_progress(meeting, now)
    check_code(key, meeting.slug, minute, code, now)
    arrived = _arrival_minute(key, meeting.slug, starts_at, arrival)
    if arrived is None:
        arrived = minute_of(now)
        arrival = _ticket(key, meeting.slug, starts_at, arrived)
    present = minute_of(now) - arrived
    answer: dict[str, Any] = {"arrival": arrival, "minutes": present, "minimum": minimum}
    if present < minimum:
        answer["wait"] = _(
            "You are checked in. A slip needs %(needed)d minutes at the meeting: scan the chair's code again "
            "near the end (in %(left)d minutes or later)."
        ) % {"needed": minimum, "left": minimum - present}
        return answer
    if commitment:
        answer["slip"] = issue_slip(meeting.slug, commitment, present, now, via="in_person", base_url=base_url)
    return answer


def _arrival_minute(key: SigningKey, meeting_slug: str, starts_at: float, arrival: str) -> int | None:
    head, _dot, _mac_part = (arrival or "").partition(".")
    if not head.isdigit():
        return None
    minute = int(head)
    if not hmac.compare_digest(_ticket(key, meeting_slug, starts_at, minute), arrival):
        return None
    return minute
