"""Finding meetings: one query language for the finder pages and the JSON API.

Time is the hard part. A meeting's start is wall-clock time in its own zone; a filter such
as "starting soon" or "Tuesday evening, my time" is a span of absolute time. For every zone
in play the span is turned into local minute-of-week ranges (``schedule.mow_ranges``), and
zones whose ranges coincide are matched together. Without the viewer's zone, day and time
filters mean each meeting's own local day and time. "Near" narrows to grid cells first (one
index: cell, zone, minute of week), so time and place are answered by the same index.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, F, FloatField, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Mod
from django.utils.translation import gettext as _

from stayhere.directory import places, schedule
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import (
    CELL_COLUMNS,
    CELL_DEGREES,
    Attendance,
    Meeting,
    MeetingSlot,
)
from stayhere.directory.types import HARM_REDUCTION, MOUD_WELCOME, Facet, describe

KM_PER_DEGREE = 111.32
JOINABLE_AFTER_START = dt.timedelta(minutes=10)  # a meeting that began this recently can still be joined
STARTING_SOON = dt.timedelta(minutes=60)
DEFAULT_DURATION = dt.timedelta(minutes=60)
MAX_PAGE = 1000
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

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (for pagination links); ``changes`` override fields."""
        values = {**self.__dict__, **changes}
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


@dataclass
class Result:
    meeting: Meeting
    distance_km: float | None
    next_start: dt.datetime | None  # in the meeting's zone
    next_start_viewer: dt.datetime | None  # the same instant in the viewer's zone, when known
    in_progress: bool


@dataclass
class SearchPage:
    query: SearchQuery
    results: list[Result]
    page: int
    has_next: bool
    total: int


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

    text = _one(params, "q")
    if len(text) > MAX_TEXT:
        errors["q"] = _("The search text is too long: use at most %(n)d characters.") % {"n": MAX_TEXT}
    query.text = text[:MAX_TEXT]

    near = _one(params, "near")
    if near:
        try:
            lat_text, lng_text = near.split(",")
            lat, lng = float(lat_text), float(lng_text)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
                raise ValueError
            query.near = (lat, lng)
        except ValueError:
            errors["near"] = _("A position is two numbers, latitude,longitude, such as 40.7128,-74.0060.")

    place = _one(params, "place")
    if place and query.near is None:
        found = places.resolve(place)
        if found is None:
            errors["place"] = _(
                "No meetings are listed in a town called “%(place)s”. Pick a town from the list, or search by text."
            ) % {"place": place[:80]}
        else:
            query.place = found.name
            query.near = (found.latitude, found.longitude)

    radius = _one(params, "radius")
    if radius:
        try:
            query.radius_km = float(radius)
            if not 0.5 <= query.radius_km <= 500:
                raise ValueError
        except ValueError:
            errors["radius"] = _("The distance is a number of kilometres from 0.5 to 500.")

    for value in _get_list(params, "day"):
        if value.isdigit() and 0 <= int(value) <= 6:
            if int(value) not in query.days:
                query.days.append(int(value))
        else:
            errors["day"] = _("A day is a number from 0 (Sunday) to 6 (Saturday).")
    for value in _get_list(params, "time"):
        if value in TIMES_OF_DAY:
            if value not in query.times:
                query.times.append(value)
        else:
            errors["time"] = _("A time of day is one of: %(names)s.") % {"names": ", ".join(TIMES_OF_DAY)}

    now = _one(params, "now").lower()
    if now in {"1", "true", "yes", "on"}:
        query.now = True
    elif now not in {"", "0", "false", "no", "off"}:
        errors["now"] = _("“now” is 1 (in progress or starting soon) or 0.")

    for name, target in (("type", query.include), ("not", query.exclude), ("lang", query.languages)):
        for value in _get_list(params, name):
            code = value if CODE_PATTERN.match(value) else ""
            if not code:
                errors[name] = _("“%(code)s” is not a meeting type code such as O, D or EN.") % {"code": value[:30]}
            elif code not in target:
                target.append(code)
    if set(query.include) & set(query.exclude):
        errors["not"] = _("A type cannot be both required and excluded.")

    modes = {choice.value for choice in Attendance}
    for value in _get_list(params, "mode"):
        if value in modes:
            if value not in query.modes:
                query.modes.append(value)
        else:
            errors["mode"] = _("Attendance is one of: %(names)s.") % {"names": ", ".join(sorted(modes))}

    fellowships = {choice.value for choice in Fellowship}
    for value in _get_list(params, "fellowship"):
        if value.upper() in fellowships:
            if value.upper() not in query.fellowships:
                query.fellowships.append(value.upper())
        else:
            errors["fellowship"] = _("“%(value)s” is not a fellowship this directory knows.") % {"value": value[:30]}

    slugs = _get_list(params, "slug")
    if len(slugs) > 100:
        errors["slug"] = _("Ask for at most 100 meetings by slug at once.")
    query.slugs = slugs[:100]

    tz = _one(params, "tz")
    if tz:
        try:
            query.viewer_tz = schedule.canonical_zone(tz)
        except ValueError:
            errors["tz"] = _("“%(tz)s” is not a time zone name such as Europe/Paris.") % {"tz": tz[:40]}

    page = _one(params, "page")
    if page:
        if page.isdigit() and 1 <= int(page) <= MAX_PAGE:
            query.page = int(page)
        else:
            errors["page"] = _("The page is a number from 1 to %(max)d.") % {"max": MAX_PAGE}

    if errors:
        raise QueryError(errors)
    return query


# Zones and cells -----------------------------------------------------------------------------

ZONE_CACHE_SECONDS = 60
_zone_cache: tuple[float, list[str], dict[int, list[str]]] | None = None


def invalidate_caches() -> None:
    """Call after the directory changes (imports do), so new zones and towns are seen at once."""
    global _zone_cache
    _zone_cache = None
    places.invalidate()


def _zones() -> tuple[list[str], dict[int, list[str]]]:
    """Every zone with a meeting, and the zones of each grid cell. Cached: a few hundred rows."""
    global _zone_cache
    if _zone_cache is not None and time.monotonic() - _zone_cache[0] < ZONE_CACHE_SECONDS:
        return _zone_cache[1], _zone_cache[2]
    by_cell: dict[int, list[str]] = defaultdict(list)
    zones: set[str] = set()
    for cell, zone_name in MeetingSlot.objects.values_list("cell", "timezone").distinct():
        zones.add(zone_name)
        if cell is not None:
            by_cell[cell].append(zone_name)
    _zone_cache = (time.monotonic(), sorted(zones), dict(by_cell))
    return _zone_cache[1], _zone_cache[2]


def cells_around(latitude: float, longitude: float, radius_km: float) -> list[int]:
    """The grid cells a circle touches (its bounding box, wrapped at the antimeridian)."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    dlng = min(radius_km / (KM_PER_DEGREE * cos_lat), 180.0)
    row_lo = math.floor((max(latitude - dlat, -90.0) + 90.0) / CELL_DEGREES)
    row_hi = math.floor((min(latitude + dlat, 89.9999) + 90.0) / CELL_DEGREES)
    columns_wide = math.ceil(2 * dlng / CELL_DEGREES) + 1
    if columns_wide >= CELL_COLUMNS:
        columns = list(range(CELL_COLUMNS))
    else:
        first = math.floor(((longitude - dlng + 180.0) % 360.0) / CELL_DEGREES)
        columns = sorted({(first + step) % CELL_COLUMNS for step in range(columns_wide)})
    return [row * CELL_COLUMNS + column for row in range(row_lo, row_hi + 1) for column in columns]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# Time windows --------------------------------------------------------------------------------


def _local_windows(query: SearchQuery) -> list[tuple[int, int]]:
    """Day/time filters as local minute-of-week ranges [start, end) in whichever zone they are read."""
    days = query.days or list(range(7))
    spans = [TIMES_OF_DAY[name] for name in query.times] or [(0, schedule.MINUTES_PER_DAY)]
    return [
        (day * schedule.MINUTES_PER_DAY + lo, day * schedule.MINUTES_PER_DAY + hi) for day in days for lo, hi in spans
    ]


def _absolute_windows(query: SearchQuery, now: dt.datetime) -> list[schedule.Window]:
    """The viewer's days and times as spans of absolute time in the coming week."""
    assert query.viewer_tz is not None
    tz = schedule.zone(query.viewer_tz)
    local_now = now.astimezone(tz)
    week_start = local_now.date() - dt.timedelta(days=schedule.python_weekday_to_spec(local_now.weekday()))
    windows = []
    for lo, hi in _local_windows(query):
        for week in (0, 1):  # this week's Sunday-based span and the next, so "Sunday" on a Saturday works
            start_day = week_start + dt.timedelta(days=7 * week)
            start = dt.datetime.combine(start_day, dt.time()) + dt.timedelta(minutes=lo)
            end = dt.datetime.combine(start_day, dt.time()) + dt.timedelta(minutes=hi)
            window = schedule.Window(start.replace(tzinfo=tz), end.replace(tzinfo=tz))
            if window.end > now - dt.timedelta(days=1) and window.start < now + dt.timedelta(days=7):
                windows.append(window)
    return windows


def _ranges_by_zone(
    zones: Iterable[str], windows: list[schedule.Window]
) -> dict[tuple[tuple[int, int], ...], list[str]]:
    grouped: dict[tuple[tuple[int, int], ...], list[str]] = defaultdict(list)
    for zone_name in zones:
        ranges: list[tuple[int, int]] = []
        for window in windows:
            ranges.extend(schedule.mow_ranges(window, zone_name))
        grouped[tuple(sorted(set(ranges)))].append(zone_name)
    return grouped


def _mow_q(ranges: Iterable[tuple[int, int]]) -> Q:
    condition = Q()
    for lo, hi in ranges:
        condition |= Q(start_mow__gte=lo, start_mow__lte=hi)
    return condition


def _time_condition(zones: list[str], windows: list[schedule.Window]) -> Q:
    condition = Q(pk__in=[])
    for ranges, zone_names in _ranges_by_zone(zones, windows).items():
        if ranges:
            condition |= Q(timezone__in=zone_names) & _mow_q(ranges)
    return condition


def _local_time_condition(query: SearchQuery) -> Q:
    ranges: list[tuple[int, int]] = []
    for lo, hi in _local_windows(query):
        if hi <= schedule.MINUTES_PER_WEEK:
            ranges.append((lo, hi - 1))
        else:  # Saturday night runs into Sunday morning
            ranges.append((lo, schedule.MINUTES_PER_WEEK - 1))
            ranges.append((0, hi - schedule.MINUTES_PER_WEEK - 1))
    return _mow_q(ranges)


# The search ----------------------------------------------------------------------------------


def _slot_queryset(query: SearchQuery, now: dt.datetime) -> tuple[QuerySet[MeetingSlot], list[str]]:
    slots = MeetingSlot.objects.all()
    all_zones, zones_by_cell = _zones()
    zones = all_zones
    if query.near is not None:
        cells = cells_around(query.near[0], query.near[1], query.radius_km)
        zones = sorted({zone_name for cell in cells for zone_name in zones_by_cell.get(cell, [])})
        slots = slots.filter(cell__in=cells)
        limit_deg = query.radius_km / KM_PER_DEGREE
        slots = slots.filter(latitude__gte=query.near[0] - limit_deg, latitude__lte=query.near[0] + limit_deg)
    if query.now:
        window = schedule.Window(now - JOINABLE_AFTER_START, now + STARTING_SOON)
        slots = slots.filter(_time_condition(zones, [window]))
    if query.days or query.times:
        if query.viewer_tz:
            slots = slots.filter(_time_condition(zones, _absolute_windows(query, now)))
        else:
            slots = slots.filter(_local_time_condition(query))
    if query.modes:
        slots = slots.filter(attendance__in=query.modes)
    else:
        slots = slots.exclude(attendance=Attendance.INACTIVE) if query.now else slots
    if query.fellowships:
        slots = slots.filter(fellowship__in=query.fellowships)
    return slots, zones


def _meeting_condition(query: SearchQuery) -> Q | None:
    """Filters on the meeting itself (text, types, languages, slugs), or None when there are none."""
    condition = Q()
    used = False
    for word in query.text.split()[:8]:
        used = True
        condition &= (
            Q(meeting__name__icontains=word)
            | Q(meeting__group__name__icontains=word)
            | Q(meeting__location__name__icontains=word)
            | Q(meeting__location__city__icontains=word)
            | Q(meeting__location__address__icontains=word)
            | Q(meeting__notes__icontains=word)
        )
    for code in query.include:
        used = True
        condition &= _type_q(code)
    for code in query.exclude:
        used = True
        condition &= ~_type_q(code)
    if query.languages:
        used = True
        any_language = Q(pk__in=[])
        for code in query.languages:
            any_language |= _type_q(code)
        condition &= any_language
    if query.slugs:
        used = True
        condition &= Q(meeting__slug__in=query.slugs)
    return condition if used else None


def _type_q(code: str) -> Q:
    if code == MOUD_WELCOME:
        return Q(meeting__group__moud_welcome=True)
    if code == HARM_REDUCTION:
        return Q(meeting__group__harm_reduction=True)
    return Q(meeting__type_index__contains=f"|{code}|")


def _order_key(query: SearchQuery, now: dt.datetime, zones: list[str]) -> Any:
    if query.near is not None:
        lat0, lng0 = query.near
        cos_lat = math.cos(math.radians(lat0))
        dlat = F("latitude") - Value(lat0)
        reach = query.radius_km / (KM_PER_DEGREE * max(cos_lat, 0.01))
        if abs(lng0) + reach > 180:  # the circle crosses the antimeridian: compare in 0..360 degrees
            east = Case(
                When(longitude__lt=0, then=F("longitude") + Value(360.0)),
                default=F("longitude"),
                output_field=FloatField(),
            )
            dlng = (east - Value(lng0 % 360.0)) * Value(cos_lat)
        else:
            dlng = (F("longitude") - Value(lng0)) * Value(cos_lat)
        return dlat * dlat + dlng * dlng
    # Soonest first: minutes from (now - 10 min) to the slot's start, by each zone's offset now.
    reference = now - JOINABLE_AFTER_START
    utc_now = schedule.local_mow(reference, "UTC")
    by_offset: dict[int, list[str]] = defaultdict(list)
    for zone_name in zones:
        by_offset[schedule.utc_offset_minutes(zone_name, now)].append(zone_name)
    offset = Case(
        *[When(timezone__in=names, then=Value(minutes)) for minutes, names in by_offset.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    shifted = F("start_mow") - offset - Value(utc_now) + Value(3 * schedule.MINUTES_PER_WEEK)
    return Mod(shifted, Value(schedule.MINUTES_PER_WEEK), output_field=IntegerField())


def search(query: SearchQuery, now: dt.datetime) -> SearchPage:
    slots, zones = _slot_queryset(query, now)
    meeting_condition = _meeting_condition(query)
    if meeting_condition is not None:
        slots = slots.filter(meeting_condition)
    key = _order_key(query, now, zones)
    output = FloatField() if query.near is not None else IntegerField()
    ranked = slots.values("meeting_id").annotate(key=Min(key, output_field=output))
    if query.near is not None:
        limit = (query.radius_km / KM_PER_DEGREE) ** 2
        ranked = ranked.filter(key__lte=limit)
    ranked = ranked.order_by("key", "meeting_id")
    offset = (query.page - 1) * query.page_size
    window = list(ranked[offset : offset + query.page_size + 1])
    has_next = len(window) > query.page_size
    window = window[: query.page_size]
    if not has_next and (offset == 0 or window):
        total = offset + len(window)
    else:
        total = ranked.count()
    ids = [row["meeting_id"] for row in window]
    meetings = Meeting.objects.select_related("location", "group", "service_body").in_bulk(ids)
    results = [_result(meetings[meeting_id], query, now) for meeting_id in ids if meeting_id in meetings]
    return SearchPage(query=query, results=results, page=query.page, has_next=has_next, total=total)


def _result(meeting: Meeting, query: SearchQuery, now: dt.datetime) -> Result:
    duration = dt.timedelta(minutes=meeting.duration_minutes or int(DEFAULT_DURATION.total_seconds() // 60))
    start = meeting.next_start(now, grace=duration)
    in_progress = start is not None and start <= now
    distance = None
    location = meeting.location
    if query.near is not None and location is not None and location.has_position:
        assert location.latitude is not None and location.longitude is not None
        distance = haversine_km(query.near, (location.latitude, location.longitude))
    viewer = None
    if start is not None and query.viewer_tz:
        viewer = start.astimezone(schedule.zone(query.viewer_tz))
    return Result(
        meeting=meeting, distance_km=distance, next_start=start, next_start_viewer=viewer, in_progress=in_progress
    )


def facet_choices() -> dict[Facet, list[tuple[str, str]]]:
    """Codes people can filter by, grouped by facet, for the finder's form."""
    from stayhere.directory.types import CATALOG

    grouped: dict[Facet, list[tuple[str, str]]] = defaultdict(list)
    for code in CATALOG:
        entry = describe(code)
        grouped[entry.facet].append((code, str(entry.name)))
    return dict(grouped)
