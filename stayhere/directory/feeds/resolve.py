"""From parsed records to listings the directory can hold: time zone, attendance, place, and values that fit.

Pure apart from the offline time-zone lookup; the importer calls ``resolve`` before it writes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import gettext as _

from stayhere.directory import schedule
from stayhere.directory.feeds import handles
from stayhere.directory.feeds.addresses import clean_url, is_placeholder_address
from stayhere.directory.feeds.common import ListingRecord, ParseResult, Problem
from stayhere.directory.feeds.lengths import too_long
from stayhere.directory.types import TEMPORARILY_CLOSED

INACTIVE_REASON = "Listed as temporarily inactive by the source feed."
# Video services whose links some feeds write only into the notes of an online meeting.
_CONFERENCE_LINK = re.compile(
    r"https://[\w.-]*(?:zoom\.us|meet\.google\.com|teams\.microsoft\.com|meet\.jit\.si|webex\.com)/[^\s<>\"',]*"
)


@lru_cache(maxsize=65536)
def _zone_at(latitude: float, longitude: float) -> str | None:
    return schedule.zone_at(latitude, longitude)


def resolve(parsed: ParseResult, default_zone: str | None) -> ParseResult:
    """The records that can be written, with problems for the rest (their slugs count as failed)."""
    result = ParseResult(
        problems=list(parsed.problems),
        failed_slugs=set(parsed.failed_slugs),
        failed_names=set(parsed.failed_names),
        unidentified=list(parsed.unidentified),
    )
    seen: set[str] = set()
    for record in parsed.records:
        if record.slug in seen:
            result.problems.append(Problem(record.where, "slug", _("appears twice in the feed; the second is skipped")))
            continue
        seen.add(record.slug)
        problem = resolve_record(record, default_zone) or too_long(record)
        if problem is None:
            _tradition_handles(record, result.problems)
            result.records.append(record)
        else:
            result.problems.append(problem)
            result.failed_slugs.add(record.slug)
    return result


def resolve_record(record: ListingRecord, default_zone: str | None) -> Problem | None:
    """Fill in the record's zone and attendance in place; a Problem when it cannot be listed."""
    zone_problem = _resolve_zone(record, default_zone)
    if zone_problem is not None:
        return zone_problem
    if not record.conference_url and is_placeholder_address(record.address, record.city, record.location_name):
        found = _CONFERENCE_LINK.search(record.notes)
        if found:
            record.conference_url = found.group()[:500]
    _resolve_attendance(record)
    if record.attendance in ("online", "hybrid", "phone") and not (record.conference_url or record.conference_phone):
        if record.attendance == "hybrid" and _has_place(record):
            record.attendance = "in_person"
        else:
            return Problem(
                record.where,
                "conference_url",
                _("an online meeting needs a conference_url or conference_phone; skipped"),
            )
    if record.conference_url:
        link = clean_url(record.conference_url)
        if not link:
            return Problem(
                record.where,
                "conference_url",
                _("%(link)r is not an http(s) link; skipped") % {"link": record.conference_url},
            )
        record.conference_url = link
    record.url = clean_url(record.url)
    if record.attendance in ("online", "phone"):
        _drop_place(record)
    elif record.attendance != "inactive" and not _has_place(record):
        return Problem(record.where, "address", _("an in-person meeting needs an address or coordinates; skipped"))
    return None


def _resolve_zone(record: ListingRecord, default_zone: str | None) -> Problem | None:
    if record.timezone:
        try:
            record.timezone = schedule.canonical_zone(record.timezone)
            return None
        except ValueError as exc:
            return Problem(record.where, "timezone", _("%(problem)s; skipped") % {"problem": exc})
    if record.latitude is not None and record.longitude is not None:
        found = _zone_at(record.latitude, record.longitude)
        if found:
            record.timezone = found
            return None
    if default_zone:
        record.timezone = default_zone
        return None
    return Problem(
        record.where,
        "timezone",
        _("the meeting's time zone is unknown: add a timezone or coordinates to the feed, or pass --timezone"),
    )


def _has_place(record: ListingRecord) -> bool:
    if record.latitude is not None:
        return True
    return bool(record.address or record.city or record.location_name) and not is_placeholder_address(
        record.address, record.city, record.location_name
    )


def _resolve_attendance(record: ListingRecord) -> None:
    closed = TEMPORARILY_CLOSED in record.types
    remote = record.online_code or bool(record.conference_url or record.conference_phone)
    if record.attendance not in ("in_person", "online", "hybrid", "inactive", "phone"):
        if closed:
            record.attendance = "online" if remote else "inactive"
        elif remote:
            record.attendance = "hybrid" if _has_place(record) and not record.online_code else "online"
            if record.online_code and _has_place(record) and record.approximate is False:
                record.attendance = "hybrid"
        else:
            record.attendance = "in_person"


def _drop_place(record: ListingRecord) -> None:
    """An online meeting has no door to knock on: keep where it is from as its regions only."""
    if not record.regions:
        placeholders = is_placeholder_address(record.city) or is_placeholder_address(record.state)
        if not placeholders:
            record.regions = [part for part in (record.state, record.city) if part]
    record.location_name = record.address = record.city = record.state = ""
    record.postal_code = record.country = record.location_notes = ""
    record.latitude = record.longitude = None
    record.approximate = None


def _tradition_handles(record: ListingRecord, problems: list[Problem]) -> None:
    """Keeps only real 7th-tradition handles (stayhere.directory.feeds.handles); the warning never repeats the value
    (it may be a password typed into the wrong field)."""
    for kind in handles.KINDS:
        found = handles.handle(kind, getattr(record, kind))
        if found is None:
            problems.append(Problem(record.where, kind, handles.warning(kind, record.name), "warning"))
            found = ""
        setattr(record, kind, found)
