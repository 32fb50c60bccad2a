"""Meeting Guide JSON (code4recovery spec): parse a feed into records, render a meeting row as a feed object.

Reading accepts the de-facto variants real feeds use (strings for numbers, day arrays, types as
a bare string, ``attendance_option``, ``regions``); writing follows the specification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from stayhere.directory.feeds.common import (
    FeedFormatError,
    ListingRecord,
    ParseResult,
    Problem,
    clean_line,
    clean_text,
    contact,
    parse_coordinates,
    parse_days,
    parse_time,
    parse_updated,
    parse_yes_no,
    sort_codes,
    split_address,
    text_list,
    type_codes_from_value,
)
from stayhere.directory.schedule import mask_to_days

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
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            result.problems.append(Problem(f"#{index + 1}", "record", "is not a JSON object; skipped"))
            continue
        slug = clean_line(item.get("slug") if item.get("slug") not in (None, "") else item.get("id"), 200)
        try:
            record = parse_record(index, item, result.problems)
        except ValueError as exc:
            result.skip(exc, slug or f"#{index + 1}", slug)
            continue
        result.records.append(record)
    return result


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
        problems.append(Problem(record.where, "attendance_option", f"{option!r} is not known; ignored", "warning"))

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
        problems.append(Problem(record.where, "latitude", "latitude/longitude are not numbers; ignored", "warning"))
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

    codes = sort_codes(type_codes_from_value(item.get("types")))
    record.types, record.online_code, record.group_codes = codes.types, codes.online, codes.group_codes
    if codes.unknown:
        problems.append(
            Problem(record.where, "types", f"unknown codes kept as custom types: {', '.join(codes.unknown)}", "warning")
        )
    for handle in ("venmo", "square", "paypal", "homegroup_online"):
        setattr(record, handle, clean_line(item.get(handle), 80))
    record.notes = clean_text(item.get("notes"))
    record.url = clean_line(item.get("url"), 500)
    record.feedback_url = clean_line(item.get("feedback_url"), 500)
    record.updated = parse_updated(item.get("updated"))
    return record


# Rendering ---------------------------------------------------------------------------------------

# The columns the exporter reads (Meeting.objects.values(*EXPORT_FIELDS)).
EXPORT_FIELDS = (
    "slug",
    "name",
    "day_mask",
    "start_time",
    "end_time",
    "timezone",
    "attendance",
    "regions",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "notes",
    "types",
    "venmo",
    "square",
    "paypal",
    "homegroup_online",
    "url",
    "feedback_url",
    "updated",
    "location__name",
    "location__address",
    "location__city",
    "location__state",
    "location__postal_code",
    "location__country",
    "location__latitude",
    "location__longitude",
    "location__approximate",
    "location__notes",
    "group__name",
    "group__notes",
    "group__email",
    "group__phone",
    "group__website",
    "group__contacts",
    "group__contacts_public",
    "group__moud_welcome",
    "group__harm_reduction",
)

_REMOTE = ("online", "phone")
_AT = {name: index for index, name in enumerate(EXPORT_FIELDS)}
# Day lists by weekday mask, so the 200,000-row export does no bit arithmetic.
_DAYS: list[int | list[int]] = [
    (days[0] if len(days) == 1 else days) for days in (mask_to_days(mask) for mask in range(128))
]
_PLACE = [
    (key, _AT[column])
    for key, column in (
        ("location", "location__name"),
        ("address", "location__address"),
        ("city", "location__city"),
        ("state", "location__state"),
        ("postal_code", "location__postal_code"),
        ("country", "location__country"),
        ("location_notes", "location__notes"),
    )
]
_MEETING_TEXT = [
    (key, _AT[key])
    for key in ("conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes", "notes")
]
_GROUP_TEXT = [
    (key, _AT[column])
    for key, column in (
        ("group_notes", "group__notes"),
        ("email", "group__email"),
        ("phone", "group__phone"),
        ("website", "group__website"),
    )
]
_HANDLES = [(key, _AT[key]) for key in ("venmo", "square", "paypal", "homegroup_online", "feedback_url")]
(NAME, SLUG, DAY_MASK, START, END, ZONE, ATTENDANCE, REGIONS, TYPES, URL, UPDATED) = (
    _AT[name]
    for name in (
        "name", "slug", "day_mask", "start_time", "end_time", "timezone", "attendance", "regions", "types", "url",
        "updated",
    )
)  # fmt: skip
LATITUDE, LONGITUDE, APPROXIMATE, ADDRESS = (
    _AT["location__latitude"],
    _AT["location__longitude"],
    _AT["location__approximate"],
    _AT["location__address"],
)
GROUP, CONTACTS, CONTACTS_PUBLIC, MOUD, HRED = (
    _AT["group__name"],
    _AT["group__contacts"],
    _AT["group__contacts_public"],
    _AT["group__moud_welcome"],
    _AT["group__harm_reduction"],
)


def render(row: Sequence[Any], meeting_url: str) -> dict[str, Any]:
    """One meeting row (values in the order of EXPORT_FIELDS) as a Meeting Guide object.

    Empty optional fields are left out. The row's times are already "HH:MM", ``updated`` is
    "YYYY-MM-DD HH:MM:SS" in UTC and the JSON columns are parsed (see exporter). Written for
    speed: it runs once per meeting of a feed that may list 200,000.
    """
    out: dict[str, Any] = {"name": row[NAME], "slug": row[SLUG]}
    if row[DAY_MASK] and row[START] is not None:
        out["day"] = _DAYS[row[DAY_MASK]]
        out["time"] = row[START]
        if row[END] is not None:
            out["end_time"] = row[END]
    attendance = row[ATTENDANCE]
    out["timezone"] = row[ZONE]
    out["attendance_option"] = attendance if attendance != "phone" else "online"
    types = row[TYPES]
    if row[MOUD] or row[HRED]:
        types = [*types, *(["MOUD"] if row[MOUD] else []), *(["HRED"] if row[HRED] else [])]
    if types:
        out["types"] = types
    regions = row[REGIONS]
    if attendance not in _REMOTE and row[ADDRESS] is not None:
        for key, index in _PLACE:
            if row[index]:
                out[key] = row[index]
        if row[LATITUDE] is not None and row[LONGITUDE] is not None:
            out["latitude"] = row[LATITUDE]
            out["longitude"] = row[LONGITUDE]
        out["approximate"] = "yes" if row[APPROXIMATE] else "no"
    elif regions:
        # The spec asks online meetings for an approximate place of origin: their regions say it.
        out["formatted_address"] = ", ".join(reversed(regions))
        out["approximate"] = "yes"
    if regions:
        out["regions"] = regions
    for key, index in _MEETING_TEXT:
        if row[index]:
            out[key] = row[index]
    if row[GROUP]:
        out["group"] = row[GROUP]
        for key, index in _GROUP_TEXT:
            if row[index]:
                out[key] = row[index]
        if row[CONTACTS_PUBLIC]:
            for number, entry in enumerate((row[CONTACTS] or [])[:3], start=1):
                _put(out, f"contact_{number}_name", str(entry.get("name", "")).split(" ")[0])
                _put(out, f"contact_{number}_email", entry.get("email", ""))
                _put(out, f"contact_{number}_phone", entry.get("phone", ""))
    for key, index in _HANDLES:
        if row[index]:
            out[key] = row[index]
    out["url"] = row[URL] or meeting_url
    out["updated"] = row[UPDATED]
    return out


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value:
        out[key] = value
