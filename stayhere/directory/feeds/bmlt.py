"""BMLT ``GetSearchResults`` JSON (semantic interface): a bare array of meetings, or the wrapper
object ``{"meetings": [...], "formats": [...]}`` that carries the format catalogue.

BMLT differs from Meeting Guide: weekday_tinyint 1 = Sunday ... 7 = Saturday, times and durations
are ``HH:MM:SS``, every value is a string, and virtual meetings often carry placeholder coordinates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from stayhere.directory.feeds.codes import BMLT_VENUE_KEYS, BMLT_VENUE_ONLY_WORLDS, NAWS_CODES, sort_codes
from stayhere.directory.feeds.common import (
    FeedFormatError,
    ListingRecord,
    ParseResult,
    Problem,
    clean_line,
    clean_text,
    contact,
    parse_coordinates,
    parse_time,
    record_place,
)
from stayhere.directory.feeds.meeting_guide import load_json

# BMLT's prompt separator inside some free-text fields ("Bus#@-@#Line 5").
_SEPARATOR = "#@-@#"
_VENUES = {"1": "in_person", "2": "online", "3": "hybrid"}


def looks_like_bmlt(document: Any) -> bool:
    if isinstance(document, dict):
        return isinstance(document.get("meetings"), list)
    if isinstance(document, list) and document and isinstance(document[0], dict):
        return "weekday_tinyint" in document[0] or "id_bigint" in document[0]
    return False


def parse(text: str) -> ParseResult:
    document = load_json(text)
    if not looks_like_bmlt(document):
        raise FeedFormatError(
            "This is JSON, but not a BMLT search result: expected an array of meetings with "
            'weekday_tinyint, or an object with a "meetings" array.'
        )
    formats: dict[str, str] = {}
    dropped: set[str] = set()  # keys that say only what venue_type says (HY)
    meetings = document
    if isinstance(document, dict):
        meetings = document["meetings"]
        for entry in document.get("formats") or []:
            if isinstance(entry, dict) and entry.get("key_string"):
                world = clean_line(entry.get("world_id")).upper()
                key = clean_line(entry["key_string"])
                formats[key] = NAWS_CODES.get(world, "") if world else ""
                if world in BMLT_VENUE_ONLY_WORLDS:
                    dropped.add(key)
    for key in dropped:
        formats.pop(key)
    result = ParseResult()
    previous = ""  # what names the record before, for one that names nothing
    for index, item in enumerate(meetings):
        if not isinstance(item, dict):
            result.skip_unreadable(record_place(index, after=previous), item)
            previous = f"#{index + 1}"
            continue
        slug = clean_line(item.get("id_bigint"), 200)
        name = clean_line(item.get("meeting_name"), 200)
        previous = slug or name or f"#{index + 1}"
        try:
            record = _record(index, item, formats, dropped, result.problems)
        except ValueError as exc:
            result.skip(exc, slug or record_place(index, name, previous), slug, name)
            continue
        result.records.append(record)
    return result


def _text(value: Any) -> str:
    return clean_text(str(value or "").replace(_SEPARATOR, "\n"))


def _record(
    index: int, item: Mapping[str, Any], formats: dict[str, str], dropped: set[str], problems: list[Problem]
) -> ListingRecord:
    record = ListingRecord(
        index=index,
        slug=clean_line(item.get("id_bigint"), 200),
        name=clean_line(item.get("meeting_name"), 200),
        fellowship="NA",
    )
    if not record.slug:
        raise ValueError("has no id_bigint", "id_bigint")
    if not record.name:
        raise ValueError("has no meeting_name", "meeting_name")
    if clean_line(item.get("published", "1")) == "0":
        raise ValueError("is unpublished", "published")
    weekday = clean_line(item.get("weekday_tinyint"))
    if weekday:
        if weekday not in {"1", "2", "3", "4", "5", "6", "7"}:
            raise ValueError(f"weekday_tinyint {weekday!r} is not 1 (Sunday) to 7 (Saturday)", "weekday_tinyint")
        record.days = [int(weekday) - 1]
    try:
        record.start_time = parse_time(item.get("start_time"))
    except ValueError as exc:
        raise ValueError(str(exc), "start_time") from None
    if record.days and record.start_time is None:
        raise ValueError("has a weekday but no start_time", "start_time")
    record.end_time = _end(record.start_time, clean_line(item.get("duration_time")))
    record.timezone = clean_line(item.get("time_zone"))
    venue = clean_line(item.get("venue_type"))
    record.attendance = _VENUES.get(venue, "")

    record.location_name = clean_line(item.get("location_text"), 200)
    record.address = clean_line(item.get("location_street"), 300)
    record.city = clean_line(item.get("location_municipality"), 120)
    record.state = clean_line(item.get("location_province"), 120)
    record.postal_code = clean_line(item.get("location_postal_code_1"), 30)
    record.country = clean_line(item.get("location_nation"), 80)
    record.location_notes = "\n".join(
        filter(None, (_text(item.get("location_info")), _text(item.get("public_transport"))))
    )
    if record.attendance != "online":
        # A virtual meeting's coordinates are a placeholder (the service body's centre, or worse).
        try:
            record.latitude, record.longitude = parse_coordinates(item.get("latitude"), item.get("longitude"))
        except ValueError:
            problems.append(Problem(record.where, "latitude", _("coordinates are not numbers; ignored"), "warning"))
    record.regions = [
        r
        for r in (
            clean_line(item.get("location_sub_province")),
            clean_line(item.get("location_municipality")),
            clean_line(item.get("location_neighborhood") or item.get("location_city_subsection")),
        )
        if r
    ]
    record.conference_url = clean_line(item.get("virtual_meeting_link"), 500)
    record.conference_url_notes = _text(item.get("virtual_meeting_additional_info"))
    record.conference_phone = clean_line(item.get("phone_meeting_number"), 120)
    if not record.attendance and (record.conference_url or record.conference_phone):
        record.online_code = True
    for number in (1, 2):
        entry = contact(
            item.get(f"contact_name_{number}") or item.get(f"contact_name{number}"),
            item.get(f"contact_email_{number}") or item.get(f"contact_email{number}"),
            item.get(f"contact_phone_{number}") or item.get(f"contact_phone{number}"),
        )
        if entry:
            record.contacts.append(entry)

    raw_codes = [code.strip() for code in clean_line(item.get("formats")).split(",") if code.strip()]
    if formats or dropped:
        mapped = [formats.get(code) or code for code in raw_codes if code not in dropped]
    else:
        # Without the catalogue only BMLT's fixed venue keys are known; venue_type says the same.
        mapped = [BMLT_VENUE_KEYS.get(code, code) for code in raw_codes if BMLT_VENUE_KEYS.get(code, code)]
    codes = sort_codes(mapped)
    record.types, record.group_codes = codes.types, codes.group_codes
    record.online_code = record.online_code or codes.online
    if codes.unknown:
        problems.append(
            Problem(
                record.where,
                "formats",
                _("formats kept as custom codes: %(codes)s") % {"codes": ", ".join(codes.unknown)},
                "warning",
            )
        )
    notes = [_text(item.get("comments")), _text(item.get("format_comments"))]
    record.notes = "\n".join(filter(None, notes))
    return record


def _end(start: dt.time | None, duration: str) -> dt.time | None:
    if start is None or not duration:
        return None
    parts = duration.split(":")
    try:
        minutes = int(parts[0]) * 60 + (int(parts[1]) if len(parts) > 1 else 0)
    except ValueError:
        return None
    if minutes <= 0:
        return None
    end = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)
    return end.time()
