"""Meeting Guide JSON (code4recovery spec): parse a feed into records, render a published meeting as a feed object.

Reading accepts the de-facto variants real feeds use (strings for numbers, day arrays, types as
a bare string, ``attendance_option``, ``regions``); writing follows the specification.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import orjson
from django.utils.translation import gettext as _

from stayhere.directory.feeds.addresses import split_address
from stayhere.directory.feeds.codes import sorted_types_of
from stayhere.directory.feeds.common import (
    FeedFormatError,
    ListingRecord,
    ParseResult,
    Problem,
    attendance_option,
    clean_line,
    clean_text,
    contact,
    parse_coordinates,
    parse_days,
    parse_time,
    parse_updated,
    parse_yes_no,
    record_place,
    text_list,
)
from stayhere.directory.feeds.records import PublishedMeeting

ATTENDANCE_OPTIONS = {"in_person": "in_person", "online": "online", "hybrid": "hybrid", "inactive": "inactive"}


def load_json(text: str) -> Any:
    """The parsed document, or FeedFormatError naming the line and column of the fault."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FeedFormatError(
            f"The feed is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Fix the file there (or ask its publisher to) and import it again."
        ) from None


def parse(text: str) -> ParseResult:
    document = load_json(text)
    if not isinstance(document, list):
        raise FeedFormatError(
            "This is JSON, but not a Meeting Guide feed: a Meeting Guide feed is an array of meetings "
            "([{...}, ...]). For a BMLT server's answer, pass --format bmlt."
        )
    return parse_items(document)


def parse_items(items: list[Any]) -> ParseResult:
    result = ParseResult()
    previous = ""  # what names the record before, for one that names nothing
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            result.skip_unreadable(record_place(index, after=previous), item)
            previous = f"#{index + 1}"
            continue
        slug = clean_line(item.get("slug") if item.get("slug") not in (None, "") else item.get("id"), 200)
        name = clean_line(item.get("name"), 200)
        previous = slug or name or f"#{index + 1}"
        try:
            record = parse_record(index, item, result.problems)
        except ValueError as exc:
            result.skip(exc, slug or record_place(index, name, previous), slug, name)
            continue
        result.records.append(record)
    result.records = fold_days(result.records)
    return result


def fold_days(records: list[ListingRecord]) -> list[ListingRecord]:
    """A meeting written once per weekday (SLUG--mon, SLUG--wed: stayhere's own export, see per_day) read back
    as the one meeting it is, SLUG on both days; only when the day records agree on everything else and no
    record is SLUG itself."""
    by_base: dict[str, list[tuple[ListingRecord, int]]] = {}
    for record in records:
        split = split_day_slug(record.slug)
        if split is not None and record.days == [split[1]]:
            by_base.setdefault(split[0], []).append((record, split[1]))
    if not by_base:
        return records
    taken = {record.slug for record in records}
    folded: dict[int, ListingRecord] = {}  # id of a day record -> the meeting (its first day's record holds it)
    dropped: set[int] = set()
    for base, parts in by_base.items():
        first = parts[0][0]
        same = dataclasses.replace(first, index=0, slug="", days=[])
        if (
            base in taken
            or len(parts) < 2
            or any(dataclasses.replace(part, index=0, slug="", days=[]) != same for part, _day in parts[1:])
        ):
            continue
        folded[id(first)] = dataclasses.replace(first, slug=base, days=sorted({day for _part, day in parts}))
        dropped.update(id(part) for part, _day in parts[1:])
    return [folded.get(id(record), record) for record in records if id(record) not in dropped]


def _field(item: Mapping[str, Any], name: str, parser: Any) -> Any:
    try:
        return parser(item.get(name))
    except ValueError as exc:
        raise ValueError(str(exc), name) from None


_CONTACT_KEYS = [(f"contact_{n}_name", f"contact_{n}_email", f"contact_{n}_phone") for n in (1, 2, 3)]


def parse_record(index: int, item: Mapping[str, Any], problems: list[Problem]) -> ListingRecord:
    raw_slug = item.get("slug") if item.get("slug") not in (None, "") else item.get("id")
    record = ListingRecord(index=index, slug=clean_line(raw_slug, 200), name=clean_line(item.get("name"), 200))
    if not record.slug:
        raise ValueError("has no slug; every Meeting Guide meeting needs one", "slug")
    if not record.name:
        raise ValueError("has no name", "name")
    record.days = _field(item, "day", parse_days)
    record.start_time = _field(item, "time", parse_time)
    record.end_time = _field(item, "end_time", parse_time)
    if record.days and record.start_time is None:
        raise ValueError("has a day but no time", "time")
    record.timezone = clean_line(item.get("timezone"))
    option = clean_line(item.get("attendance_option")).lower()
    record.attendance = ATTENDANCE_OPTIONS.get(option, "")
    if option and not record.attendance:
        problems.append(
            Problem(
                record.where, "attendance_option", _("%(option)r is not known; ignored") % {"option": option}, "warning"
            )
        )

    record.location_name = clean_line(item.get("location"), 200)
    record.address = clean_line(item.get("address"), 300)
    record.city = clean_line(item.get("city"), 120)
    record.state = clean_line(item.get("state"), 120)
    record.postal_code = clean_line(item.get("postal_code"), 30)
    record.country = clean_line(item.get("country"), 80)
    formatted = clean_line(item.get("formatted_address"), 300)
    if formatted and not (record.address or record.city):
        for key, value in split_address(formatted).items():
            setattr(record, key, value)
    record.location_notes = clean_text(item.get("location_notes"))
    try:
        record.latitude, record.longitude = parse_coordinates(item.get("latitude"), item.get("longitude"))
    except ValueError:
        problems.append(Problem(record.where, "latitude", _("latitude/longitude are not numbers; ignored"), "warning"))
    record.approximate = parse_yes_no(item.get("approximate"))

    record.regions = text_list(item.get("regions"))
    if not record.regions:
        record.regions = [r for r in (clean_line(item.get("region")), clean_line(item.get("sub_region"))) if r]

    record.group_name = clean_line(item.get("group"), 200)
    record.group_notes = clean_text(item.get("group_notes"))
    record.group_email = clean_line(item.get("email"), 254)
    record.group_phone = clean_line(item.get("phone"), 40)
    record.group_website = clean_line(item.get("website"), 200)
    for name_key, email_key, phone_key in _CONTACT_KEYS:
        if name_key in item or email_key in item or phone_key in item:
            entry = contact(item.get(name_key), item.get(email_key), item.get(phone_key))
            if entry:
                record.contacts.append(entry)

    record.conference_url = clean_line(item.get("conference_url"), 500)
    record.conference_url_notes = clean_text(item.get("conference_url_notes"))
    record.conference_phone = clean_line(item.get("conference_phone"), 120)
    record.conference_phone_notes = clean_text(item.get("conference_phone_notes"))

    codes = sorted_types_of(item.get("types"))
    record.types, record.online_code, record.group_codes = codes.types, codes.online, codes.group_codes
    if codes.unknown:
        problems.append(
            Problem(
                record.where,
                "types",
                _("unknown codes kept as custom types: %(codes)s") % {"codes": ", ".join(codes.unknown)},
                "warning",
            )
        )
    for handle in ("venmo", "square", "paypal", "homegroup_online"):
        setattr(record, handle, clean_line(item.get(handle), 80))
    record.notes = clean_text(item.get("notes"))
    record.url = clean_line(item.get("url"), 500)
    record.feedback_url = clean_line(item.get("feedback_url"), 500)
    record.updated = parse_updated(item.get("updated"))
    return record


# Rendering ---------------------------------------------------------------------------------------


def render(meeting: PublishedMeeting) -> dict[str, Any]:
    """One meeting as a Meeting Guide object; empty optional fields are left out.

    The reference for the feed the database builds (meeting_guide_sql), which must give the same
    objects, key for key and in this order.
    """
    out: dict[str, Any] = {"name": meeting.name, "slug": meeting.slug}
    days = meeting.days
    if days:
        out["day"] = days[0] if len(days) == 1 else list(days)
        out["time"] = meeting.start
        if meeting.end is not None:
            out["end_time"] = meeting.end
    out["timezone"] = meeting.timezone
    out["attendance_option"] = attendance_option(meeting.attendance)
    if meeting.types:
        out["types"] = list(meeting.types)
    place, regions = meeting.place, meeting.regions
    if place is not None:
        _put(out, "location", place.name)
        _put(out, "address", place.address)
        _put(out, "city", place.city)
        _put(out, "state", place.state)
        _put(out, "postal_code", place.postal_code)
        _put(out, "country", place.country)
        _put(out, "location_notes", place.notes)
        if place.latitude is not None and place.longitude is not None:
            out["latitude"] = place.latitude
            out["longitude"] = place.longitude
        out["approximate"] = "yes" if place.approximate else "no"
    elif regions:
        # The spec asks online meetings for an approximate place of origin: their regions say it.
        out["formatted_address"] = ", ".join(reversed(regions))
        out["approximate"] = "yes"
    if regions:
        out["regions"] = list(regions)
    _put(out, "conference_url", meeting.conference_url)
    _put(out, "conference_url_notes", meeting.conference_url_notes)
    _put(out, "conference_phone", meeting.conference_phone)
    _put(out, "conference_phone_notes", meeting.conference_phone_notes)
    _put(out, "notes", meeting.notes)
    group = meeting.group
    if group is not None:
        out["group"] = group.name
        _put(out, "group_notes", group.notes)
        _put(out, "email", group.email)
        _put(out, "phone", group.phone)
        _put(out, "website", group.website)
        for number, contact in enumerate(group.contacts, start=1):
            _put(out, f"contact_{number}_name", contact.name)
            _put(out, f"contact_{number}_email", contact.email)
            _put(out, f"contact_{number}_phone", contact.phone)
    else:
        _put(out, "email", meeting.email)
        _put(out, "phone", meeting.phone)
    _put(out, "venmo", meeting.venmo)
    _put(out, "square", meeting.square)
    _put(out, "paypal", meeting.paypal)
    _put(out, "homegroup_online", meeting.homegroup_online)
    _put(out, "feedback_url", meeting.feedback_url)
    out["url"] = meeting.url
    out["updated"] = meeting.updated
    return out


# One record per weekday (the default export): a meeting on several days is written once per day, its slug
# then SLUG--DAY. Neither stayhere nor the 12 Step Meeting List makes a slug with "--" (both fold runs of
# hyphens), so these never collide with a meeting's own slug, as TSML UI's SLUG-DAY collides with SLUG-2.
DAY_SLUGS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAY_SLUG_SEPARATOR = "--"


def day_slug(slug: str, day: int) -> str:
    return f"{slug}{DAY_SLUG_SEPARATOR}{DAY_SLUGS[day]}"


def split_day_slug(slug: str) -> tuple[str, int] | None:
    """The meeting's slug and the day of a per-day slug, or None for a slug that is not one."""
    base, separator, day = slug.rpartition(DAY_SLUG_SEPARATOR)
    if not separator or not base or day not in DAY_SLUGS:
        return None
    return base, DAY_SLUGS.index(day)


def per_day(out: dict[str, Any]) -> list[dict[str, Any]]:
    """A rendered meeting as one object per weekday (itself when it has one day or none)."""
    days = out.get("day")
    if not isinstance(days, list):
        return [out]
    return [{**out, "slug": day_slug(out["slug"], day), "day": day} for day in days]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value:
        out[key] = value
