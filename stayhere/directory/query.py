"""Search parameters: what people may ask the finder and the API, read and checked in one place.

``READING`` is the table: each parameter's name, the query field it fills, its kind (how a value
is read, its bounds, and its schema for the OpenAPI document), whether it repeats, the sentence
for a bad value; and, where they stand, the rules between parameters. ``parse_query`` applies it
in one loop, the way the room protocol's schemas are applied, so errors come in the table's order.
Defaults are the fields' own (``SearchQuery``; radius and page size from settings).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from stayhere.directory import places, schedule
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance

MAX_PAGE = 1000
MAX_PAGE_SIZE = 100  # the API's; the finder's pages are FINDER_PAGE_SIZE long
MAX_TEXT = 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+\-]{0,19}$")

# Times of day, as local [start, end) minutes. Night runs past midnight.
TIMES_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (5 * 60, 12 * 60),
    "midday": (11 * 60, 14 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 21 * 60),
    "night": (21 * 60, 29 * 60),
}


class QueryError(ValueError):
    """What is wrong with a search, field by field, in sentences for people."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


@dataclass
class SearchQuery:
    text: str = ""
    near: tuple[float, float] | None = None
    place: str = ""
    radius_km: float = 25.0
    days: list[int] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    now: bool = False
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    fellowships: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    viewer_tz: str | None = None
    page: int = 1
    page_size: int = 25
    # The finder's pages list the soonest first even near a place (distance breaks ties); the API,
    # as its document says, lists the nearest first near a place. Not a URL parameter.
    soonest_first: bool = False

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (for pagination links); ``changes`` override fields."""
        values = {**self.__dict__, **changes}
        del values["soonest_first"]
        params: list[tuple[str, str]] = []
        if values["text"]:
            params.append(("q", values["text"]))
        if values["place"]:
            params.append(("place", values["place"]))
        elif values["near"] is not None:
            params.append(("near", f"{values['near'][0]:.5f},{values['near'][1]:.5f}"))
        if values["near"] is not None or values["place"]:
            params.append(("radius", f"{values['radius_km']:g}"))
        params += [("day", str(day)) for day in values["days"]]
        params += [("time", name) for name in values["times"]]
        if values["now"]:
            params.append(("now", "1"))
        params += [("type", code) for code in values["include"]]
        params += [("not", code) for code in values["exclude"]]
        params += [("mode", mode) for mode in values["modes"]]
        params += [("lang", code) for code in values["languages"]]
        params += [("fellowship", code) for code in values["fellowships"]]
        params += [("slug", slug) for slug in values["slugs"]]
        if values["viewer_tz"]:
            params.append(("tz", values["viewer_tz"]))
        if values["page"] != 1:
            params.append(("page", str(values["page"])))
        return params

    @property
    def is_empty(self) -> bool:
        return self.to_params(viewer_tz=None, page=1) == []


# The table -------------------------------------------------------------------------------

Schema = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """How one value is read (``read`` raises ValueError for a bad one) and how the document describes it."""

    read: Callable[[str], Any]
    schema: Schema


@dataclass(frozen=True)
class Parameter:
    name: str
    into: str  # the SearchQuery field it fills
    kind: Kind
    error: Callable[[str], str]  # the sentence for a bad value (translated when asked), given that value
    description: str
    many: bool = False  # repeated or comma-separated ("a,b"): a list, in the order given
    distinct: bool = True  # with many: a value given twice is kept once
    at_most: int = 0  # with many: more values than this is the error
    unless: str = ""  # not read when this field of the query already holds a value
    fill: Callable[[SearchQuery, Any], None] | None = None  # instead of setting ``into``


@dataclass(frozen=True)
class Rule:
    """A check across parameters, made where it stands in ``READING``: once the values it compares are read."""

    name: str  # the parameter blamed
    holds: Callable[[SearchQuery], bool]
    error: Callable[[], str]


def _text(limit: int) -> Kind:
    def read(value: str) -> str:
        if len(value) > limit:
            raise ValueError
        return value

    return Kind(read, {"type": "string", "maxLength": limit})


def _position(value: str) -> tuple[float, float]:
    lat_text, lng_text = value.split(",")
    lat, lng = float(lat_text), float(lng_text)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        raise ValueError
    return (lat, lng)


def _town(value: str) -> places.Place:
    found = places.resolve(value)
    if found is None:
        raise ValueError
    return found


def _put_town(query: SearchQuery, found: places.Place) -> None:
    query.place = found.name
    query.near = (found.latitude, found.longitude)


def _number(low: float, high: float) -> Kind:
    def read(value: str) -> float:
        number = float(value)
        if not low <= number <= high:
            raise ValueError
        return number

    return Kind(read, {"type": "number", "minimum": low, "maximum": high})


def _whole(low: int, high: int) -> Kind:
    def read(value: str) -> int:
        if not value.isdigit() or not low <= int(value) <= high:  # int() refuses some digits isdigit allows
            raise ValueError
        return int(value)

    return Kind(read, {"type": "integer", "minimum": low, "maximum": high})


def _one_of(names: list[str], *, fold: Callable[[str], str] = str) -> Kind:
    def read(value: str) -> str:
        if fold(value) not in names:
            raise ValueError
        return fold(value)

    return Kind(read, {"type": "string", "enum": names})


def _flag(value: str) -> bool:
    answer = value.lower()
    if answer in {"1", "true", "yes", "on"}:
        return True
    if answer in {"0", "false", "no", "off"}:
        return False
    raise ValueError


def _code(value: str) -> str:
    if not CODE_PATTERN.match(value):
        raise ValueError
    return value


def _zone(value: str) -> str:
    return schedule.canonical_zone(value)


_CODE = Kind(_code, {"type": "string", "pattern": CODE_PATTERN.pattern})
_MODES = list(Attendance.values)


def _code_error(value: str) -> str:
    return _("“%(code)s” is not a meeting type code such as O, D or EN.") % {"code": value[:30]}


READING: tuple[Parameter | Rule, ...] = (
    Parameter(
        "q", "text", _text(MAX_TEXT),
        lambda _v: _("The search text is too long: use at most %(n)d characters.") % {"n": MAX_TEXT},
        "Words to find in the meeting's name, group, location, address or notes.",
    ),
    Parameter(
        "near", "near", Kind(_position, {"type": "string", "examples": ["41.8781,-87.6298"]}),
        lambda _v: _("A position is two numbers, latitude,longitude, such as 40.7128,-74.0060."),
        "A position as latitude,longitude. Used for the search only; never stored or logged.",
    ),
    Parameter(
        "place", "place", Kind(_town, {"type": "string"}),
        lambda value: _(
            "No meetings are listed in a town called “%(place)s”. Pick a town from the list, or search by text."
        ) % {"place": value[:80]},
        "A town from /api/places, searched around its centre.",
        unless="near", fill=_put_town,
    ),
    Parameter(
        "radius", "radius_km", _number(0.5, 500),
        lambda _v: _("The distance is a number of kilometres from 0.5 to 500."),
        "How far from `near` or `place`, in kilometres.",
    ),
    Parameter(
        "day", "days", _whole(0, 6),
        lambda _v: _("A day is a number from 0 (Sunday) to 6 (Saturday)."),
        "Day of the week, 0 = Sunday to 6 = Saturday.", many=True,
    ),
    Parameter(
        "time", "times", _one_of(list(TIMES_OF_DAY)),
        lambda _v: _("A time of day is one of: %(names)s.") % {"names": ", ".join(TIMES_OF_DAY)},
        "Time of day.", many=True,
    ),
    Parameter(
        "now", "now", Kind(_flag, {"type": "string", "enum": ["0", "1"]}),
        lambda _v: _("“now” is 1 (in progress or starting soon) or 0."),
        "1: only meetings in progress (begun up to 10 minutes ago) or starting within the hour.",
    ),
    Parameter(
        "type", "include", _CODE, _code_error,
        "Only meetings with this type code (all given codes must match).", many=True,
    ),
    Parameter("not", "exclude", _CODE, _code_error, "Leave out meetings with this type code.", many=True),
    Parameter(
        "lang", "languages", _CODE, _code_error,
        "Language type code, such as EN or S (any of those given).", many=True,
    ),
    Rule(
        "not", lambda query: not set(query.include) & set(query.exclude),
        lambda: _("A type cannot be both required and excluded."),
    ),
    Parameter(
        "mode", "modes", _one_of(_MODES),
        lambda _v: _("Attendance is one of: %(names)s.") % {"names": ", ".join(sorted(_MODES))},
        "Attendance mode (any of those given).", many=True,
    ),
    Parameter(
        "fellowship", "fellowships", _one_of(list(Fellowship.values), fold=str.upper),
        lambda value: _("“%(value)s” is not a fellowship this directory knows.") % {"value": value[:30]},
        "Fellowship code (any of those given).", many=True,
    ),
    Parameter(
        "slug", "slugs", Kind(str, {"type": "string"}),
        lambda _v: _("Ask for at most 100 meetings by slug at once."),
        "Only these meetings (at most 100), e.g. a person's favourites.", many=True, distinct=False, at_most=100,
    ),
    Parameter(
        "tz", "viewer_tz", Kind(_zone, {"type": "string", "examples": ["Europe/Paris"]}),
        lambda value: _("“%(tz)s” is not a time zone name such as Europe/Paris.") % {"tz": value[:40]},
        "The viewer's IANA time zone. Day and time filters are then read in it, and next_start_viewer is given.",
    ),
    Parameter(
        "page", "page", _whole(1, MAX_PAGE),
        lambda _v: _("The page is a number from 1 to %(max)d.") % {"max": MAX_PAGE},
        "Page number, from 1.",
    ),
)  # fmt: skip
PARAMETERS = tuple(step for step in READING if isinstance(step, Parameter))
# Read by the API alone, which passes it to parse_query.
PAGE_SIZE = Parameter(
    "page_size", "page_size", _whole(1, MAX_PAGE_SIZE),
    lambda _v: _("The page size is a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
    "Meetings per page.",
)  # fmt: skip


# Reading a query ---------------------------------------------------------------------------


def _get_list(params: Any, name: str, *, split: bool = True) -> list[str]:
    """All values of a parameter; "a,b" counts as two values unless ``split`` is off."""
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        raw = params.get(name, [])
        values = [raw] if isinstance(raw, str) else list(raw)
    if not split:
        return [str(value) for value in values]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _one(params: Any, name: str) -> str:
    values = _get_list(params, name, split=False)
    return values[-1].strip() if values else ""


def parse_query(params: Mapping[str, Any] | Any, *, page_size: int | None = None) -> SearchQuery:
    """Read search parameters; raises QueryError naming each bad field and what to write."""
    errors: dict[str, str] = {}
    query = SearchQuery(radius_km=float(settings.FINDER_RADIUS_KM), page_size=page_size or settings.FINDER_PAGE_SIZE)
    for step in READING:
        if isinstance(step, Rule):
            if not step.holds(query):
                errors[step.name] = step.error()
        elif step.many:
            _read_many(step, _get_list(params, step.name), query, errors)
        elif not step.unless or getattr(query, step.unless) is None:
            _read_one(step, _one(params, step.name), query, errors)
    if errors:
        raise QueryError(errors)
    return query


def _read_one(parameter: Parameter, value: str, query: SearchQuery, errors: dict[str, str]) -> None:
    if not value:
        return  # an empty value is the same as none
    try:
        read = parameter.kind.read(value)
    except ValueError:
        errors[parameter.name] = parameter.error(value)
        return
    if parameter.fill is not None:
        parameter.fill(query, read)
    else:
        setattr(query, parameter.into, read)


def _read_many(parameter: Parameter, values: list[str], query: SearchQuery, errors: dict[str, str]) -> None:
    kept: list[Any] = getattr(query, parameter.into)
    if parameter.at_most and len(values) > parameter.at_most:
        errors[parameter.name] = parameter.error(values[parameter.at_most])
        values = values[: parameter.at_most]
    for value in values:
        try:
            read = parameter.kind.read(value)
        except ValueError:
            errors[parameter.name] = parameter.error(value)
            continue
        if not parameter.distinct or read not in kept:
            kept.append(read)
