"""What every feed format shares: the record a parser produces, problems, value cleaning, attendance as written.

Parsers are pure: they turn the text of a feed into ``ListingRecord`` values and a list of
``Problem`` values, and never touch the database. The importer decides what to write.
Type codes are read in ``codes``, addresses and links in ``addresses``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Literal

from django.utils.translation import gettext as _

Severity = Literal["warning", "error"]

DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_DAY_BY_NAME = {name: index for index, name in enumerate(DAY_NAMES)}
_DAY_BY_NAME.update({name[:3]: index for index, name in enumerate(DAY_NAMES)})
_DAY_BY_NAME.update({"tues": 2, "weds": 3, "thur": 4, "thurs": 4})


@dataclass
class Problem:
    """Something wrong with one record (``where`` is its slug, or ``#index``) or the whole feed."""

    where: str
    field: str
    reason: str
    severity: Severity = "error"

    def __str__(self) -> str:
        values = {"where": self.where, "field": self.field, "reason": self.reason}
        if self.severity == "warning":
            return _("warning: %(where)s: %(field)s: %(reason)s") % values
        return _("error: %(where)s: %(field)s: %(reason)s") % values


@dataclass(slots=True)
class ListingRecord:
    """One meeting as a feed describes it, cleaned but not yet validated against the directory.

    Slots: with more than 30 attributes an instance's dictionary stops sharing its keys and is rebuilt, field by
    field, for every record (a sixth of a 200,000-meeting feed's parsing)."""

    index: int
    slug: str = ""
    name: str = ""
    days: list[int] = field(default_factory=list)
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    timezone: str = ""
    # "in_person", "online", "hybrid", "inactive", "phone", or "" when the feed does not say.
    attendance: str = ""
    fellowship: str = ""
    location_name: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    location_notes: str = ""
    latitude: float | None = None
    longitude: float | None = None
    approximate: bool | None = None
    regions: list[str] = field(default_factory=list)
    group_name: str = ""
    group_notes: str = ""
    group_email: str = ""
    group_phone: str = ""
    group_website: str = ""
    contacts: list[dict[str, str]] = field(default_factory=list)
    conference_url: str = ""
    conference_url_notes: str = ""
    conference_phone: str = ""
    conference_phone_notes: str = ""
    # Canonical codes, without ONL (attendance) and without group-asserted codes.
    types: list[str] = field(default_factory=list)
    online_code: bool = False  # the feed listed ONL
    group_codes: list[str] = field(default_factory=list)  # MOUD / HRED as the feed asserted them
    venmo: str = ""
    square: str = ""
    paypal: str = ""
    homegroup_online: str = ""
    notes: str = ""
    url: str = ""
    feedback_url: str = ""
    updated: dt.datetime | None = None

    @property
    def where(self) -> str:
        return self.slug or f"#{self.index + 1}"


@dataclass
class ParseResult:
    records: list[ListingRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Records that were present but could not be read: their old rows are kept, found by slug, or by name
    # when the record gave no slug.
    failed_slugs: set[str] = field(default_factory=set)
    failed_names: set[str] = field(default_factory=set)
    # Records that could not be read and name no meeting (a JSON value that is not an object): any meeting the
    # source no longer lists may be one of them, so the importer removes none (stayhere.directory.feeds.removals).
    unidentified: list[str] = field(default_factory=list)

    def skip(self, error: ValueError, where: str, slug: str, name: str = "") -> None:
        """Report a record its parser refused (ValueError(reason, field)); an earlier version of it stays."""
        field_name = error.args[1] if len(error.args) > 1 else "record"
        self.problems.append(Problem(where, field_name, _("%(problem)s; skipped") % {"problem": error.args[0]}))
        if slug:
            self.failed_slugs.add(slug)
        elif name:
            self.failed_names.add(name)
        else:
            self.unidentified.append(where)

    def skip_unreadable(self, where: str, value: Any) -> None:
        """Report a record that is not a record at all (not a JSON object)."""
        self.problems.append(
            Problem(where, "record", _("is %(value)s, not a JSON object; skipped") % {"value": describe_value(value)})
        )
        self.unidentified.append(where)


def record_place(index: int, name: str = "", after: str = "") -> str:
    """A record without a slug, by its position and what can be read of it: '#5 "Noon Step"', or
    '#4 (after noon-step)' for one that names nothing (``after``: the record before it)."""
    if name:
        return f'#{index + 1} "{name}"'
    return f"#{index + 1} (after {after})" if after else f"#{index + 1} (the first record)"


def describe_value(value: Any) -> str:
    """A JSON value in a few words, for a report: 'a number (4)', 'null', 'a string ("Noon...")'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = clean_line(value)
        return f'a string ("{shown[:40]}{"..." if len(shown) > 40 else ""}")'
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    return "a value"


class FeedFormatError(Exception):
    """The source as a whole cannot be read in this format; the message says what to do."""


def attendance_option(attendance: str) -> str:
    """The directory's attendance as the formats write it: TSML's attendance_option has no "phone",
    so a phone meeting is "online" (with a phone line and no link)."""
    return "online" if attendance == "phone" else attendance


# Cleaning --------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_C1 = re.compile("[\x80-\x9f]")
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+\n")


def _fix_c1(match: re.Match[str]) -> str:
    # Text pasted from Windows often carries cp1252 bytes read as Latin-1: U+0092 is a quote.
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def strip_html(value: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    return "".join(extractor.parts)


_NEEDS_WORK = re.compile("[<&\r\x80-\x9f]|\n\n\n|[ \t]\n")


def clean_text(value: Any) -> str:
    """A feed value as plain text: no HTML, no entities, no C1 controls, \\n line ends, trimmed."""
    if value is None or value is False:
        return ""
    if type(value) is str and not _NEEDS_WORK.search(value):
        return value.strip()  # the common case, kept fast for feeds of 200,000 meetings
    if isinstance(value, list):
        return ", ".join(filter(None, (clean_text(item) for item in value)))
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _TAG.search(text):
        text = strip_html(text)
    elif "&" in text:
        text = html.unescape(text)
    if _C1.search(text):
        text = _C1.sub(_fix_c1, text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n\n", _SPACES.sub("\n", text))
    return text.strip()


def clean_line(value: Any, limit: int = 0) -> str:
    """A one-line value: internal whitespace collapsed, cut to ``limit`` characters when given."""
    if value is None or value == "":
        return ""
    if (
        type(value) is str
        and value.isprintable()  # no control characters: no newline, tab, or C1 character
        and "<" not in value
        and "&" not in value
        and "  " not in value
        and value[0] != " "
        and value[-1] != " "
    ):
        # Already clean, the common case: answered with C-level string checks alone.
        return value[:limit] if limit else value
    text = " ".join((value if type(value) is str and not _NEEDS_WORK.search(value) else clean_text(value)).split())
    return text[:limit] if limit else text


# Times and days --------------------------------------------------------------------------------

_TWELVE_HOUR = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m?\.?$", re.IGNORECASE)
_TWENTY_FOUR = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_COMPACT = re.compile(r"^(\d{1,2})(\d{2})$")


def parse_time(value: Any) -> dt.time | None:
    """'8:00 PM', 'Noon', 'Midnight', '20:00', '1930', '20:00:00' -> time; '' -> None; else ValueError."""
    if type(value) is str:
        return _parse_time_text(value)  # a feed repeats a few hundred times over and over
    return _parse_time(value)


@lru_cache(maxsize=4096)
def _parse_time_text(value: str) -> dt.time | None:
    return _parse_time(value)


def _parse_time(value: Any) -> dt.time | None:
    text = clean_line(value).lower()
    if not text:
        return None
    if text == "noon":
        return dt.time(12, 0)
    if text == "midnight":
        return dt.time(0, 0)
    hour: int
    minute: int
    match = _TWELVE_HOUR.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise ValueError(_("%(value)r is not a time: the hour of a 12-hour time is 1 to 12") % {"value": value})
        hour = hour % 12 + (12 if match.group(4) == "p" else 0)
    elif (match := _TWENTY_FOUR.match(text)) or (match := _COMPACT.match(text)):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour == 24 and minute == 0:
            hour = 0
    else:
        raise ValueError(_("%(value)r is not a time such as 19:30 or 7:30 PM") % {"value": value})
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(_("%(value)r is not a time of day") % {"value": value})
    return dt.time(hour, minute)


def parse_days(value: Any) -> list[int]:
    """0-6 (0 = Sunday) from an int, '3', [1, 3], 'Monday' or 'Monday, Wednesday'; ValueError if not."""
    if value is None or value == "":
        return []
    if type(value) is int and 0 <= value <= 6:
        return [value]
    items: list[Any]
    if type(value) is list and all(type(item) is int and 0 <= item <= 6 for item in value):
        return sorted(set(value))  # the common case: numbers already
    if isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, str):
        items = [part for part in re.split(r"[,;/]|\s+and\s+", value) if part.strip()]
    else:
        items = [value]
    days: list[int] = []
    for item in items:
        day = _one_day(item)
        if day not in days:
            days.append(day)
    return sorted(days)


def _one_day(item: Any) -> int:
    if isinstance(item, bool):
        raise ValueError(_("%(value)r is not a day") % {"value": item})
    if isinstance(item, int):
        number = item
    else:
        text = clean_line(item).lower().rstrip(".")
        if text in _DAY_BY_NAME:
            return _DAY_BY_NAME[text]
        try:
            number = int(text)
        except ValueError:
            raise ValueError(
                _("%(value)r is not a day: use 0 (Sunday) to 6 (Saturday) or a day name") % {"value": item}
            ) from None
    if not 0 <= number <= 6:
        raise ValueError(_("%(value)r is not a day: use 0 (Sunday) to 6 (Saturday)") % {"value": item})
    return number


# Other values -----------------------------------------------------------------------------------

_UPDATED_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d%H:%M:%S",  # the TSML template runs date and time together
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
)


def parse_updated(value: Any) -> dt.datetime | None:
    """A UTC timestamp from the formats feeds use, or None when absent or unreadable."""
    if type(value) is str:
        return _parse_updated_text(value)  # many meetings of a feed share a timestamp
    return _parse_updated(value)


@lru_cache(maxsize=16384)
def _parse_updated_text(value: str) -> dt.datetime | None:
    return _parse_updated(value)


def _parse_updated(value: Any) -> dt.datetime | None:
    text = clean_line(value)
    if not text:
        return None
    text = text.removesuffix("Z").removesuffix("+00:00")
    if len(text) == 19 and text[4] == "-" and text[10] == " ":
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        except ValueError:
            pass
    for pattern in _UPDATED_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def parse_float(value: Any) -> float | None:
    """A number from a number or a string; None when empty; ValueError when not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(_("%(value)r is not a number") % {"value": value})
    if isinstance(value, int | float):
        return float(value)
    text = clean_line(value)
    if not text:
        return None
    return float(text)


def parse_yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = clean_line(value).lower()
    if text in {"yes", "true", "1", "y"}:
        return True
    if text in {"no", "false", "0", "n"}:
        return False
    return None


def parse_coordinates(latitude: Any, longitude: Any) -> tuple[float | None, float | None]:
    """Both or neither. ValueError if they are not numbers.

    A coordinate of exactly 0 is a blank a database filled in ("null island", or Lubbock at
    longitude 0.0), not a place: such a pair, and out-of-range values, count as neither.
    """
    lat, lng = parse_float(latitude), parse_float(longitude)
    if lat is None or lng is None:
        return None, None
    if lat == 0 or lng == 0 or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return round(lat, 6), round(lng, 6)


def text_list(value: Any) -> list[str]:
    """A list of strings from an array, or a string separated by '>' (the sheet convention)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [item for item in (clean_line(v) for v in value) if item]
    return [part for part in (clean_line(p) for p in str(value).split(">")) if part]


def first_name(value: Any) -> str:
    """The first word of a name: feeds must not carry last names, so we never keep them."""
    words = clean_line(value).split()
    return words[0] if words else ""


def contact(name: Any, email: Any, phone: Any) -> dict[str, str] | None:
    entry = {"name": first_name(name), "email": clean_line(email, 254), "phone": clean_line(phone, 40)}
    return entry if any(entry.values()) else None
