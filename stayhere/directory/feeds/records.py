"""The directory's meetings as plain records for the feed renderers: the one place feeds out read the ORM.

A ``PublishedMeeting`` is what the directory publishes about a meeting, its rules already applied:
a place only for a meeting with a door (not online or phone ones), days only with a start time,
the group's own codes (MOUD, HRED) after the meeting's types, a group only when it has a name,
and its contacts only when it made them public, then the first three and first names only.
The format modules lay these records out; they never see a model or a column. One meeting's
calendar event (``calendar_event``, for ics) is made here too.

One query with joins reads every meeting through a chunked (server-side on PostgreSQL) cursor, so
a feed streams in constant memory and never asks the database once per meeting. Rows are read
raw, without Django's per-value converters: at 200,000 meetings those would cost more than
everything else together. Values the database writes faster than Python (times, timestamps) are
read as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import orjson
from django.db import connection
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast, Coalesce, Greatest

from stayhere.directory import room_links
from stayhere.directory.feeds.ics import Event
from stayhere.directory.models import Meeting
from stayhere.directory.schedule import mask_to_days

ROWS_PER_FETCH = 2000
CONTACTS_PUBLISHED = 3
REMOTE = ("online", "phone")


class PublishedPlace(NamedTuple):
    name: str
    address: str
    city: str
    state: str
    postal_code: str
    country: str
    notes: str
    latitude: float | None
    longitude: float | None
    approximate: bool  # the address names an area, not a door


class PublicContact(NamedTuple):
    name: str  # a first name
    email: str
    phone: str


class PublishedGroup(NamedTuple):
    name: str
    notes: str
    email: str
    phone: str
    website: str
    contacts: tuple[PublicContact, ...]  # empty unless the group made them public


class PublishedMeeting(NamedTuple):
    slug: str
    name: str
    days: tuple[int, ...]  # 0 = Sunday; empty when the meeting has no weekly time
    start: str | None  # "HH:MM", local; None exactly when days is empty
    end: str | None
    timezone: str
    attendance: str  # in_person, online, hybrid, phone, inactive
    types: tuple[str, ...]  # the meeting's codes, then the group's own
    regions: tuple[str, ...]  # most general first
    place: PublishedPlace | None
    group: PublishedGroup | None
    conference_url: str
    conference_url_notes: str
    conference_phone: str
    conference_phone_notes: str
    notes: str
    venmo: str
    square: str
    paypal: str
    homegroup_online: str
    feedback_url: str
    url: str  # the meeting's own link, or its page on this site
    updated: str  # UTC, "YYYY-MM-DD HH:MM:SS"
    pk: int = 0
    service_body_id: int | None = None
    email: str = ""  # the meeting's own contact, when it has no group (a group's is in ``group``)
    phone: str = ""


# The columns read, in the order _record unpacks them.
_COLUMNS = (
    "slug", "name", "day_mask", "start_time", "end_time", "timezone", "attendance", "types", "regions",
    "conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes", "notes",
    "venmo", "square", "paypal", "homegroup_online", "feedback_url", "url", "updated",
    "location__name", "location__address", "location__city", "location__state", "location__postal_code",
    "location__country", "location__notes", "location__latitude", "location__longitude", "location__approximate",
    "group__name", "group__notes", "group__email", "group__phone", "group__website", "group__contacts",
    "group__contacts_public", "group__moud_welcome", "group__harm_reduction", "pk", "service_body_id",
    "has_room", "group_id", "email", "phone",
)  # fmt: skip
_AS_TEXT = ("start_time", "end_time", "updated")
# Days by weekday mask, so a 200,000-meeting feed does no bit arithmetic.
_DAYS = [tuple(mask_to_days(mask)) for mask in range(128)]
_GROUP_CODES = {
    (False, False): (),
    (True, False): ("MOUD",),
    (False, True): ("HRED",),
    (True, True): ("MOUD", "HRED"),
}


def published_meetings(url_prefix: str, meetings: QuerySet[Meeting] | None = None) -> Iterator[PublishedMeeting]:
    """Every meeting (or those of ``meetings``), in the order they were listed; ``url_prefix`` + slug
    is a meeting's page here."""
    text = {name: Cast(name, output_field=CharField()) for name in _AS_TEXT}
    fresher = Greatest("updated", Coalesce("last_verified", "updated"))  # the last change, or the last check
    text["updated"] = Cast(fresher, output_field=CharField())
    query = (
        (Meeting.objects.all() if meetings is None else meetings)
        .order_by("pk")
        .annotate(**{f"{name}_text": value for name, value in text.items()})
    )
    columns = [f"{name}_text" if name in text else name for name in _COLUMNS]
    sql, params = query.values_list(*columns).query.sql_with_params()
    rooms = room_links.addresses(url_prefix)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(ROWS_PER_FETCH):
            for row in batch:
                yield _record(row, url_prefix, rooms)


def _record(row: tuple[Any, ...], url_prefix: str, rooms: room_links.RoomAddresses | None) -> PublishedMeeting:
    (
        slug, name, day_mask, start, end, timezone, attendance, types, regions,
        conference_url, conference_url_notes, conference_phone, conference_phone_notes, notes,
        venmo, square, paypal, homegroup_online, feedback_url, url, updated,
        place_name, address, city, state, postal_code, country, place_notes, latitude, longitude, approximate,
        group_name, group_notes, email, phone, website, contacts, contacts_public, moud, hred, pk, service_body_id,
        has_room, group_id, own_email, own_phone,
    ) = row  # fmt: skip
    days = _DAYS[day_mask] if start is not None else ()
    place = None
    if address is not None and attendance not in REMOTE:  # a location's address is never NULL: it has one
        place = PublishedPlace(
            place_name, address, city, state, postal_code, country, place_notes, latitude, longitude, bool(approximate)
        )
    group = None
    if group_name:
        shown = _public_contacts(contacts) if contacts_public else ()
        group = PublishedGroup(group_name, group_notes, email, phone, website, shown)
    own_codes = _GROUP_CODES[bool(moud), bool(hred)]
    if rooms is not None:
        # A meeting held in a listed room here meets there: its link is the room's (an unlisted room's is the
        # group's to give).
        room = rooms.link(slug, bool(has_room), group_id)
        if room:
            conference_url, conference_url_notes = room, rooms.notes
            conference_phone = rooms.phone(slug, bool(has_room), group_id) or conference_phone
    return PublishedMeeting(
        slug=slug,
        name=name,
        days=days,
        start=_hhmm(start) if days else None,
        end=_hhmm(end) if days and end is not None else None,
        timezone=timezone,
        attendance=attendance,
        types=_codes(types) + own_codes if own_codes else _codes(types),
        regions=_codes(regions),
        place=place,
        group=group,
        conference_url=conference_url,
        conference_url_notes=conference_url_notes,
        conference_phone=conference_phone,
        conference_phone_notes=conference_phone_notes,
        notes=notes,
        venmo=venmo,
        square=square,
        paypal=paypal,
        homegroup_online=homegroup_online,
        feedback_url=feedback_url,
        url=url or url_prefix + slug,
        updated=_utc(updated),
        pk=pk,
        service_body_id=service_body_id,
        email="" if group is not None else own_email,
        phone="" if group is not None else own_phone,
    )


def _codes(value: Any) -> tuple[str, ...]:
    # SQLite hands JSON columns over as text, PostgreSQL as values.
    return _parsed(value) if type(value) is str else tuple(value)


@lru_cache(maxsize=8192)
def _parsed(text: str) -> tuple[str, ...]:
    """A JSON list of strings; the same few type lists and regions repeat across a whole feed."""
    return tuple(orjson.loads(text))


def _public_contacts(value: Any) -> tuple[PublicContact, ...]:
    entries = orjson.loads(value) if type(value) is str else value
    return tuple(
        PublicContact(str(entry.get("name", "")).split(" ")[0], entry.get("email", ""), entry.get("phone", ""))
        for entry in (entries or [])[:CONTACTS_PUBLISHED]
    )


def _hhmm(value: Any) -> str:
    if isinstance(value, str):  # "HH:MM:SS"
        return value[:5] if value[2] == ":" else f"0{value[:4]}"
    return f"{value.hour:02d}:{value.minute:02d}"


def _utc(value: Any) -> str:
    if isinstance(value, str):  # UTC: "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" (connections run in UTC)
        return value[:19].replace("T", " ")
    moment: dt.datetime = value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def calendar_event(meeting: Meeting, page_url: str, host: str) -> Event:
    """The weekly event of a meeting that has a weekly time; ``page_url`` is its page on this site."""
    assert meeting.start_time is not None and meeting.day_mask
    link, link_notes = meeting.conference_url, ""
    rooms = room_links.addresses(page_url.removesuffix(meeting.slug))
    room = rooms.link(meeting.slug, meeting.has_room, meeting.group_id) if rooms is not None else ""
    phone = meeting.conference_phone
    if rooms is not None and room:
        link, link_notes = room, rooms.notes
        phone = rooms.phone(meeting.slug, meeting.has_room, meeting.group_id) or phone
    parts = (meeting.notes, link_notes, phone, page_url)
    return Event(
        uid=f"{meeting.slug}@{host}",
        summary=meeting.name,
        days=meeting.days,
        start=meeting.start_time,
        duration_minutes=meeting.duration_minutes or 60,
        zone=meeting.timezone,
        location=_where(meeting, link),
        description="\n".join(part for part in parts if part),
        url=link or page_url,
    )


def _where(meeting: Meeting, link: str) -> str:
    if meeting.location is not None and meeting.attendance in ("in_person", "hybrid"):
        return meeting.location.formatted_address() or str(meeting.location)
    return link
