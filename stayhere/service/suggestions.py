"""Change requests from anyone: a suggestion is kept with the listing as it was, reviewed, then applied exactly or
rejected. Floods are limited per meeting and overall, counted in the cache as the sign-in limits are (never by
address: nothing about the visitor is kept or counted).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.core import cache
from stayhere.directory.models import Meeting
from stayhere.service import listing
from stayhere.service.forgetting import save_forgetting
from stayhere.service.models import ChangeRequest, ListingChange


class SuggestionRefused(Exception):
    """Nothing was stored or changed; the message is a sentence saying why and what to do."""


@dataclass(frozen=True)
class Limited:
    retry_after: int
    what: str = "suggest"

    def sentence(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        if self.what == "report":
            return _(
                "Many problems have been reported here in a short time. Please wait %(minutes)d minutes and send "
                "yours again; nothing was kept."
            ) % {"minutes": minutes}
        return _(
            "Many changes have been suggested here in a short time. Please wait %(minutes)d minutes and send "
            "yours again; nothing was kept."
        ) % {"minutes": minutes}


def _window(now: float) -> tuple[int, int]:
    length: int = settings.SUGGESTION_WINDOW_SECONDS
    index = int(now // length)
    return index, max(1, math.ceil((index + 1) * length - now))


def _keys(meeting: Meeting, index: int, what: str) -> tuple[str, str]:
    return f"{what}:meeting:{meeting.pk}:{index}", f"{what}:all:{index}"


def limited(meeting: Meeting, now: float | None = None, what: str = "suggest") -> Limited | None:
    """A Limited when this meeting, or the server, has had its suggestions (``what="suggest"``) or problem reports
    (``what="report"``, counted apart) for this window (``cache.CacheDown`` when the counts cannot be read)."""
    index, left = _window(time.time() if now is None else now)
    one, every = _keys(meeting, index, what)
    counts = cache.use(lambda: django_cache.get_many([one, every]))
    if counts.get(every, 0) >= settings.SUGGESTIONS_OVERALL or counts.get(one, 0) >= settings.SUGGESTIONS_PER_MEETING:
        return Limited(left, what)
    return None


def _count(key: str) -> None:
    timeout = 2 * settings.SUGGESTION_WINDOW_SECONDS
    if not django_cache.add(key, 1, timeout=timeout):
        try:
            django_cache.incr(key)
        except ValueError:
            django_cache.set(key, 1, timeout=timeout)


def count(meeting: Meeting, now: float | None = None, what: str = "suggest") -> None:
    index, _left = _window(time.time() if now is None else now)
    for key in _keys(meeting, index, what):
        cache.use(functools.partial(_count, key))


def suggest(meeting: Meeting, proposed: listing.Values, note: str = "", contact: str = "") -> ChangeRequest:
    """Keeps a suggestion of the fields that differ from the listing now; SuggestionRefused when none do or the
    result could not be a listing (ListingInvalid, raised by ``listing.checked``)."""
    before = listing.values(meeting)
    changed = listing.diff(before, proposed)
    if not changed and not note.strip():
        raise SuggestionRefused(
            _("Nothing differs from the listing: change the fields that are wrong, or say what is wrong in the note.")
        )
    listing.checked(meeting, {name: after for name, (_b, after) in changed.items()})
    return ChangeRequest.objects.create(
        meeting=meeting,
        base={name: before[name] for name in changed},
        proposed={name: after for name, (_b, after) in changed.items()},
        note=note.strip(),
        contact=contact.strip(),
    )


def conflicts(request: ChangeRequest) -> list[str]:
    """The fields the listing has changed in since the suggestion was made."""
    now = listing.values(request.meeting)
    return [name for name, before in request.base.items() if now.get(name) != before]


def _close(request: ChangeRequest, status: str, by: str, reason: str = "") -> None:
    """Closes the request and forgets what the visitor typed beyond the listing: the contact and the note (gone
    from the database file too: ``forgetting.save_forgetting``)."""
    request.status = status
    request.closed_at = timezone.now()
    request.closed_by = by
    request.reason = reason
    request.contact = ""
    request.note = ""
    save_forgetting(request, ["status", "closed_at", "closed_by", "reason", "contact", "note"])


def forget_old_notes(now: dt.datetime | None = None) -> int:
    """Forgets the note and contact address of every open request older than ``settings.REPORT_KEEP_DAYS`` days (as
    closing does, ``forgetting.save_forgetting``); the suggested change itself stays open for review: it is the
    public listing's fields. How many. Run by ``stayhere forget-old-reports`` and by the servants' review pages."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.REPORT_KEEP_DAYS)
    old = ChangeRequest.objects.filter(status=ChangeRequest.Status.OPEN, created_at__lt=cutoff).exclude(
        note="", contact=""
    )
    if not old.exists():  # the common case: one look, no transaction
        return 0
    count = 0
    with transaction.atomic():
        for request in old.select_for_update():
            request.note = ""
            request.contact = ""
            save_forgetting(request, ["note", "contact"])
            count += 1
    return count


def approve(request_id: int, by: str, edited: listing.Values | None = None) -> ListingChange | None:
    """Applies exactly the suggested change, or the reviewer's edited version of it (``edited``: the whole listing as
    the reviewer left it); SuggestionRefused when the request is closed or the listing has since changed in one of
    its fields, ListingInvalid when the result is not a valid listing."""
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().select_related("meeting").get(pk=request_id)
        if request.status != ChangeRequest.Status.OPEN:
            raise SuggestionRefused(_("This suggestion has already been closed."))
        Meeting.objects.select_for_update().filter(pk=request.meeting_id).first()
        request.meeting.refresh_from_db()
        moved = conflicts(request)
        if moved:
            names = ", ".join(listing.label(name) for name in moved)
            raise SuggestionRefused(
                _(
                    "The listing has changed since this suggestion was made (%(fields)s), so it was not applied. "
                    "Compare it with the listing as it is now, then reject it or make the change yourself."
                )
                % {"fields": names}
            )
        changes = dict(request.proposed) if edited is None else edited
        record = listing.apply(request.meeting, changes, who=f"suggestion #{request.pk}", approved_by=by)
        _close(request, ChangeRequest.Status.APPROVED, by)
        return record


def reject(request_id: int, by: str, reason: str) -> None:
    if not reason.strip():
        raise SuggestionRefused(_("Say why the suggestion is rejected: the reason is kept with it."))
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().get(pk=request_id)
        if request.status != ChangeRequest.Status.OPEN:
            raise SuggestionRefused(_("This suggestion has already been closed."))
        _close(request, ChangeRequest.Status.REJECTED, by, reason.strip())
