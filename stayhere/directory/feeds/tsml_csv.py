"""CSV in the 12 Step Meeting List import layout (read and written), and the NA World Services (NAWS) export
read on import.

Column names are matched loosely ("Postal Code", "postal_code" and "POSTAL CODE" are one column).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from stayhere.directory.feeds.addresses import split_address
from stayhere.directory.feeds.codes import NAWS_CODES, TYPE_NAME_TO_CODE, sort_codes, type_name
from stayhere.directory.feeds.common import (
    DAY_NAMES,
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
    text_list,
)
from stayhere.directory.feeds.records import PublishedMeeting

_ALIASES = {"id": "slug", "zip": "postal_code", "postal": "postal_code", "start_time": "time", "meeting": "name"}
_REQUIRED = {"name": "Name", "day": "Day", "time": "Time"}


def _key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return _ALIASES.get(key, key)


# Read after the text, a row of its own when every quoted value was closed; swallowed into the last value when one
# was not (the file ends inside quotes). A private-use character: no feed writes it.
_END = "\ue000stayhere-end-of-file"


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    # Old Mac files end lines with CR only; csv needs one kind of line end.
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(f"{text}\n{_END}"))
    try:
        header = next(reader)
        while not header:  # blank lines before the header
            header = next(reader)
    except csv.Error as exc:
        raise FeedFormatError(f"The CSV file cannot be read: {exc}.") from None
    if header == [_END]:
        raise FeedFormatError("The CSV file is empty: it needs a header row and one row per meeting.")
    if header[-1].endswith(_END):
        raise _cut_short("its header row", "a quoted value is never closed")
    keys = [_key(column) for column in header]
    rows: list[dict[str, str]] = []
    last: list[str] = []
    full_before = True  # every row before the last has as many values as the header
    try:
        for values in reader:
            if values == [_END]:
                break
            if not any(value.strip() for value in values):
                continue
            if last:
                full_before = full_before and len(last) >= len(header)
            last = values
            rows.append(dict(zip(keys, values, strict=False)))
    except csv.Error as exc:
        raise FeedFormatError(f"The CSV file cannot be read at line {reader.line_num}: {exc}.") from None
    if last and last[-1].endswith(_END):
        raise _cut_short(f"row {len(rows) + 1}", "a quoted value in it is never closed")
    if last and not text.endswith("\n") and len(last) < len(header) and full_before:
        # A file may end without a line break; one whose last row stops short of the columns every other row
        # has was cut in the middle of that row.
        raise _cut_short(
            f"row {len(rows) + 1}", f"it has {len(last)} of the header's {len(header)} columns, and no line break"
        )
    return header, rows


def _cut_short(where: str, why: str) -> FeedFormatError:
    return FeedFormatError(
        f"The CSV file ends in the middle of {where} ({why}): it looks cut short, as by an interrupted download "
        "or copy, so nothing was changed. Import the whole file."
    )


def is_naws(header: list[str]) -> bool:
    keys = {_key(column) for column in header}
    return {"committee", "committeename", "day", "time"} <= keys


def parse(text: str) -> ParseResult:
    header, rows = _rows(text)
    if is_naws(header):
        return parse_naws_rows(rows)
    keys = {_key(column) for column in header}
    missing = [label for key, label in _REQUIRED.items() if key not in keys]
    if missing:
        raise FeedFormatError(
            f"The CSV file lacks the column(s) {', '.join(missing)}. Its header row must name at least "
            "Name, Day and Time (12 Step Meeting List import layout)."
        )
    result = ParseResult()
    used: set[str] = set()
    for index, row in enumerate(rows):
        slug = clean_line(row.get("slug"), 200)
        try:
            record = _tsml_record(index, row, result.problems)
        except ValueError as exc:
            name = clean_line(row.get("name"), 200)
            result.skip(exc, slug or (f'row {index + 2} "{name}"' if name else f"row {index + 2}"), slug, name)
            continue
        if not record.slug:
            record.slug = _unique(slugify(record.name)[:180] or "meeting", used)
        elif record.slug in used:
            result.problems.append(Problem(record.slug, "slug", _("appears twice in the file; the second is skipped")))
            continue
        used.add(record.slug)
        result.records.append(record)
    return result


def _unique(base: str, used: set[str]) -> str:
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _value(row: Mapping[str, str], name: str, parser: Any) -> Any:
    try:
        return parser(row.get(name, ""))
    except ValueError as exc:
        raise ValueError(str(exc), name) from None


def _type_codes(value: str) -> list[str]:
    codes = []
    for part in clean_line(value).split(","):
        word = part.strip()
        if word:
            codes.append(TYPE_NAME_TO_CODE.get(word.lower(), word))
    return codes


def _tsml_record(index: int, row: Mapping[str, str], problems: list[Problem]) -> ListingRecord:
    record = ListingRecord(index=index, slug=clean_line(row.get("slug"), 200), name=clean_line(row.get("name"), 200))
    if not record.name:
        raise ValueError("has no name", "Name")
    record.days = _value(row, "day", parse_days)
    record.start_time = _value(row, "time", parse_time)
    record.end_time = _value(row, "end_time", parse_time)
    if record.days and record.start_time is None:
        raise ValueError("has a day but no time", "Time")
    record.timezone = clean_line(row.get("timezone"))
    record.attendance = clean_line(row.get("attendance_option")).lower()
    record.location_name = clean_line(row.get("location"), 200)
    address = clean_line(row.get("address"), 300)
    if "city" in row or "state" in row:
        record.address = address
        record.city = clean_line(row.get("city"), 120)
        record.state = clean_line(row.get("state"), 120)
        record.postal_code = clean_line(row.get("postal_code"), 30)
        record.country = clean_line(row.get("country"), 80)
    elif address:
        for key, value in split_address(address).items():
            setattr(record, key, value)
    record.location_notes = clean_text(row.get("location_notes"))
    try:
        record.latitude, record.longitude = parse_coordinates(row.get("latitude"), row.get("longitude"))
    except ValueError:
        problems.append(Problem(record.where, "Latitude", _("latitude/longitude are not numbers; ignored"), "warning"))
    record.approximate = parse_yes_no(row.get("approximate"))
    record.regions = text_list(row.get("regions")) or [
        r for r in (clean_line(row.get("region")), clean_line(row.get("sub_region"))) if r
    ]
    record.group_name = clean_line(row.get("group"), 200)
    record.group_notes = clean_text(row.get("group_notes"))
    record.group_email = clean_line(row.get("email"), 254)
    record.group_phone = clean_line(row.get("phone"), 40)
    record.group_website = clean_line(row.get("website"), 200)
    for number in (1, 2, 3):
        entry = contact(
            row.get(f"contact_{number}_name"), row.get(f"contact_{number}_email"), row.get(f"contact_{number}_phone")
        )
        if entry:
            record.contacts.append(entry)
    record.conference_url = clean_line(row.get("conference_url"), 500)
    record.conference_url_notes = clean_text(row.get("conference_url_notes"))
    record.conference_phone = clean_line(row.get("conference_phone"), 120)
    record.conference_phone_notes = clean_text(row.get("conference_phone_notes"))
    codes = sort_codes(_type_codes(row.get("types", "")))
    record.types, record.online_code, record.group_codes = codes.types, codes.online, codes.group_codes
    if codes.unknown:
        problems.append(
            Problem(
                record.where,
                "Types",
                _("unknown types kept as custom: %(codes)s") % {"codes": ", ".join(codes.unknown)},
                "warning",
            )
        )
    for handle in ("venmo", "square", "paypal", "homegroup_online"):
        setattr(record, handle, clean_line(row.get(handle), 80))
    record.notes = clean_text(row.get("notes"))
    record.url = clean_line(row.get("url"), 500)
    record.feedback_url = clean_line(row.get("feedback_url"), 500)
    record.updated = parse_updated(row.get("updated"))
    return record


# NAWS export -------------------------------------------------------------------------------------


def parse_naws_rows(rows: list[dict[str, str]]) -> ParseResult:
    result = ParseResult()
    used: set[str] = set()
    for index, row in enumerate(rows):
        slug = clean_line(row.get("bmlt_id") or row.get("meetingid"), 200)
        if clean_line(row.get("delete")).upper() == "D" or clean_line(row.get("unpublished")) == "1":
            result.problems.append(
                Problem(
                    slug or _("row %(number)s") % {"number": index + 2},
                    "Delete",
                    _("marked deleted; left out"),
                    "warning",
                )
            )
            continue
        try:
            record = _naws_record(index, row, result.problems)
        except ValueError as exc:
            name = clean_line(row.get("committeename"), 200)
            result.skip(exc, slug or (f'row {index + 2} "{name}"' if name else f"row {index + 2}"), slug, name)
            continue
        if not record.slug:
            base = slugify(f"{row.get('committee', '')}-{record.name}-{record.days}-{record.start_time}")
            record.slug = _unique(base[:180] or "meeting", used)
        used.add(record.slug)
        result.records.append(record)
    return result


def _naws_record(index: int, row: Mapping[str, str], problems: list[Problem]) -> ListingRecord:
    record = ListingRecord(
        index=index,
        slug=clean_line(row.get("bmlt_id") or row.get("meetingid"), 200),
        name=clean_line(row.get("committeename"), 200),
        fellowship="NA",
    )
    if not record.name:
        raise ValueError("has no CommitteeName", "CommitteeName")
    record.days = _value(row, "day", parse_days)
    record.start_time = _value(row, "time", parse_time)
    record.group_name = record.name
    record.location_name = clean_line(row.get("place"), 200)
    record.address = clean_line(row.get("address"), 300)
    record.city = clean_line(row.get("city"), 120)
    record.state = clean_line(row.get("state"), 120)
    record.postal_code = clean_line(row.get("zip"), 30)
    record.country = clean_line(row.get("country"), 80)
    record.location_notes = "\n".join(filter(None, (clean_text(row.get("room")), clean_text(row.get("directions")))))
    try:
        record.latitude, record.longitude = parse_coordinates(row.get("latitude"), row.get("longitude"))
    except ValueError:
        problems.append(Problem(record.where, "Latitude", _("latitude/longitude are not numbers; ignored"), "warning"))
    raw = [clean_line(row.get("closed")).upper()]
    if clean_line(row.get("wheelchr")).upper() == "TRUE":
        raw.append("WCHR")
    raw += [clean_line(row.get(f"format{n}")).upper() for n in range(1, 6)]
    codes = sort_codes([NAWS_CODES.get(code, code) for code in raw if code])
    record.types, record.online_code = codes.types, codes.online
    languages = [clean_line(row.get(f"language{n}")) for n in range(1, 4)]
    record.types += [
        code for code in sort_codes([lang for lang in languages if lang]).types if code not in record.types
    ]
    if codes.unknown:
        problems.append(
            Problem(
                record.where,
                "Format",
                _("NAWS codes kept as custom: %(codes)s") % {"codes": ", ".join(codes.unknown)},
                "warning",
            )
        )
    record.updated = parse_updated(row.get("lastchanged"))
    return record


# Rendering ---------------------------------------------------------------------------------------

COLUMNS = [
    "Slug",
    "Name",
    "Day",
    "Time",
    "End Time",
    "Timezone",
    "Attendance Option",
    "Location",
    "Address",
    "City",
    "State",
    "Postal Code",
    "Country",
    "Latitude",
    "Longitude",
    "Approximate",
    "Regions",
    "Types",
    "Notes",
    "Location Notes",
    "Group",
    "Group Notes",
    "Website",
    "Email",
    "Phone",
    "Contact 1 Name",
    "Contact 1 Email",
    "Contact 1 Phone",
    "Contact 2 Name",
    "Contact 2 Email",
    "Contact 2 Phone",
    "Contact 3 Name",
    "Contact 3 Email",
    "Contact 3 Phone",
    "Conference URL",
    "Conference URL Notes",
    "Conference Phone",
    "Conference Phone Notes",
    "Venmo",
    "Square",
    "PayPal",
    "Homegroup Online",
    "URL",
    "Updated",
]


def render_rows(meeting: PublishedMeeting) -> list[list[str]]:
    """CSV rows for one meeting, in the order of COLUMNS.

    The plugin keeps one day per meeting, so a meeting held on several days becomes one row per
    day, each with its own slug (``slug-monday``).
    """
    place, group = meeting.place, meeting.group
    if place is not None:
        located = [place.name, place.address, place.city, place.state, place.postal_code, place.country]
        if place.latitude is not None and place.longitude is not None:
            located += [str(place.latitude), str(place.longitude)]
        else:
            located += ["", ""]
        located.append("yes" if place.approximate else "no")
    else:
        # An online meeting's regions say roughly where it is from (as the Meeting Guide feed does).
        located = ["", "", "", "", "", "", "", "", "yes" if meeting.regions else ""]
    about = [
        " > ".join(meeting.regions),
        ", ".join(type_name(code) for code in meeting.types),
        meeting.notes,
        place.notes if place is not None else "",
    ]
    if group is not None:
        about += [group.name, group.notes, group.website, group.email, group.phone]
        for contact in group.contacts:
            about += [_cell(contact.name), _cell(contact.email), _cell(contact.phone)]
        about += [""] * (3 * (_CONTACTS - len(group.contacts)))
    else:  # a meeting with no group keeps its own email and phone
        about += ["", "", "", meeting.email, meeting.phone] + [""] * (3 * _CONTACTS)
    row = [
        meeting.slug,
        meeting.name,
        "",
        meeting.start or "",
        meeting.end or "",
        meeting.timezone,
        attendance_option(meeting.attendance),
        *located,
        *about,
        meeting.conference_url,
        meeting.conference_url_notes,
        meeting.conference_phone,
        meeting.conference_phone_notes,
        meeting.venmo,
        meeting.square,
        meeting.paypal,
        meeting.homegroup_online,
        meeting.url,
        meeting.updated,
    ]
    if len(meeting.days) <= 1:
        if meeting.days:
            row[_DAY] = _DAY_LABELS[meeting.days[0]]
        return [row]
    rows = []
    for day in meeting.days:
        copy = list(row)
        copy[_SLUG], copy[_DAY] = f"{meeting.slug}-{DAY_NAMES[day]}", _DAY_LABELS[day]
        rows.append(copy)
    return rows


_SLUG, _DAY = COLUMNS.index("Slug"), COLUMNS.index("Day")
_DAY_LABELS = [name.capitalize() for name in DAY_NAMES]
_CONTACTS = 3  # the plugin's columns Contact 1 ... Contact 3


def _cell(value: Any) -> str:
    """A contact's value as the sheet shows it: empty when missing."""
    return str(value) if value else ""
