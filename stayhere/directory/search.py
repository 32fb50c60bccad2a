"""Finding meetings: one search for the finder pages and the JSON API.

Time is the hard part. A meeting's start is wall-clock time in its own zone; a filter such
as "starting soon" or "Tuesday evening, my time" is a span of absolute time. For every zone
in play the span is turned into local minute-of-week ranges (``schedule.mow_ranges``), and
zones whose ranges coincide are matched together. Without the viewer's zone, day and time
filters mean each meeting's own local day and time. "Near" narrows to grid cells first, and
one index (cell, zone, minute of week) answers place and time together.

The ranking query is written by hand (portable SQL for SQLite and PostgreSQL): it runs on
every search, and building it through the ORM cost more than running it.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from stayhere.directory import freshness, loading, schedule
from stayhere.directory.models import CELL_COLUMNS, CELL_DEGREES, Attendance, Meeting, MeetingSlot
from stayhere.directory.query import TIMES_OF_DAY, QueryError, SearchQuery, parse_query
from stayhere.directory.types import HARM_REDUCTION, MOUD_WELCOME

__all__ = ["TIMES_OF_DAY", "QueryError", "Result", "SearchPage", "SearchQuery", "parse_query", "search"]

KM_PER_DEGREE = 111.32
JOINABLE_AFTER_START = dt.timedelta(minutes=10)  # a meeting that began this recently can still be joined
STARTING_SOON = dt.timedelta(minutes=60)
DEFAULT_DURATION = dt.timedelta(minutes=60)


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


# Zones and cells -----------------------------------------------------------------------------


@dataclass
class _ZoneCache:
    checked: float  # time.monotonic() of the last look at the directory's version
    generation: int
    version: str
    zones: list[str]
    by_cell: dict[int, list[str]]


_zone_cache: _ZoneCache | None = None


def _zones() -> tuple[list[str], dict[int, list[str]]]:
    """Every zone with a meeting, and the zones of each grid cell. Cached: a few thousand rows.

    Made again when this process changed the directory, or when the directory's version (another process's change)
    moved: that is looked at once a minute, one small query, so a directory that did not change is not read again
    (at a million meetings the DISTINCT over two million slots took 0.2-0.3 s, paid by a search every minute)."""
    global _zone_cache
    cache = _zone_cache
    if cache is not None and cache.generation == freshness.generation():
        if time.monotonic() - cache.checked < freshness.MAX_AGE_SECONDS:
            return cache.zones, cache.by_cell
        if freshness.version() == cache.version:
            cache.checked = time.monotonic()
            return cache.zones, cache.by_cell
    checked, generation, version = time.monotonic(), freshness.generation(), freshness.version()
    by_cell: dict[int, list[str]] = defaultdict(list)
    zones: set[str] = set()
    for cell, zone_name in MeetingSlot.objects.values_list("cell", "timezone").distinct():
        zones.add(zone_name)
        if cell is not None:
            by_cell[cell].append(zone_name)
    _zone_cache = _ZoneCache(checked, generation, version, sorted(zones), dict(by_cell))
    return _zone_cache.zones, _zone_cache.by_cell


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
    """Day/time filters as local minute-of-week spans [start, end) in whichever zone they are read."""
    days = query.days or list(range(7))
    spans = [TIMES_OF_DAY[name] for name in query.times] or [(0, schedule.MINUTES_PER_DAY)]
    day = schedule.MINUTES_PER_DAY
    return [(d * day + lo, d * day + hi) for d in days for lo, hi in spans]


def _absolute_windows(query: SearchQuery, now: dt.datetime) -> list[schedule.Window]:
    """The viewer's days and times as spans of absolute time around the coming week."""
    assert query.viewer_tz is not None
    tz = schedule.zone(query.viewer_tz)
    local_now = now.astimezone(tz)
    week_start = local_now.date() - dt.timedelta(days=schedule.python_weekday_to_spec(local_now.weekday()))
    windows = []
    for lo, hi in _local_windows(query):
        for week in (0, 1):  # this week's span and next week's, so "Sunday" asked on a Saturday works
            midnight = dt.datetime.combine(week_start + dt.timedelta(days=7 * week), dt.time())
            start = (midnight + dt.timedelta(minutes=lo)).replace(tzinfo=tz)
            end = (midnight + dt.timedelta(minutes=hi)).replace(tzinfo=tz)
            if end > now - dt.timedelta(days=1) and start < now + dt.timedelta(days=7):
                windows.append(schedule.Window(start, end))
    return windows


def _ranges_by_zone(
    zones: Iterable[str], windows: list[schedule.Window]
) -> dict[tuple[tuple[int, int], ...], list[str]]:
    grouped: dict[tuple[tuple[int, int], ...], list[str]] = defaultdict(list)
    for zone_name in zones:
        ranges = {span for window in windows for span in schedule.mow_ranges(window, zone_name)}
        grouped[tuple(sorted(ranges))].append(zone_name)
    return grouped


def _local_ranges(query: SearchQuery) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for lo, hi in _local_windows(query):
        if hi <= schedule.MINUTES_PER_WEEK:
            ranges.append((lo, hi - 1))
        else:  # Saturday night runs into Sunday morning
            ranges.append((lo, schedule.MINUTES_PER_WEEK - 1))
            ranges.append((0, hi - schedule.MINUTES_PER_WEEK - 1))
    return ranges


# The ranking query ---------------------------------------------------------------------------


@dataclass
class _Sql:
    """A WHERE clause under construction: SQL fragments and their parameters, in order."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    joins: set[str] = field(default_factory=set)

    def add(self, fragment: str, *params: Any) -> None:
        self.where.append(fragment)
        self.params.extend(params)


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _mow_sql(ranges: Iterable[tuple[int, int]], params: list[Any]) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append("s.start_mow BETWEEN %s AND %s")
        params.extend([lo, hi])
    return "(" + " OR ".join(parts) + ")" if parts else "1=0"


def _zoned_time_sql(zones: list[str], windows: list[schedule.Window], sql: _Sql) -> None:
    parts: list[str] = []
    params: list[Any] = []
    for ranges, names in _ranges_by_zone(zones, windows).items():
        if ranges:
            params.extend(names)
            zone_sql = f"s.timezone IN ({_placeholders(names)})"
            parts.append(f"({zone_sql} AND {_mow_sql(ranges, params)})")
    sql.add("(" + " OR ".join(parts) + ")" if parts else "1=0", *params)


def _like(column: str, word: str) -> tuple[str, str]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    return f"{column} {operator} %s ESCAPE '\\'", f"%{escaped}%"


def _type_sql(code: str, sql: _Sql) -> tuple[str, list[Any]]:
    if code in (MOUD_WELCOME, HARM_REDUCTION):
        sql.joins.add("g")
        column = "g.moud_welcome" if code == MOUD_WELCOME else "g.harm_reduction"
        return f"COALESCE({column}, %s) = %s", [False, True]
    fragment, pattern = _like("s.type_index", f"|{code}|")  # the slot's copy: no meeting row is read
    return fragment, [pattern]


def _filters(query: SearchQuery, now: dt.datetime) -> tuple[_Sql, list[str]]:
    sql = _Sql()
    all_zones, zones_by_cell = _zones()
    zones = all_zones
    if query.near is not None:
        cells = cells_around(query.near[0], query.near[1], query.radius_km)
        zones = sorted({zone_name for cell in cells for zone_name in zones_by_cell.get(cell, [])})
        sql.add(f"s.cell IN ({_placeholders(cells)})", *cells)
        reach = query.radius_km / KM_PER_DEGREE
        sql.add("s.latitude BETWEEN %s AND %s", query.near[0] - reach, query.near[0] + reach)
        band = _longitude_band(query)
        if band is not None:
            sql.add("s.longitude BETWEEN %s AND %s", *band)
    if query.now:
        _zoned_time_sql(zones, [schedule.Window(now - JOINABLE_AFTER_START, now + STARTING_SOON)], sql)
    if query.days or query.times:
        if query.viewer_tz:
            _zoned_time_sql(zones, _absolute_windows(query, now), sql)
        else:
            params: list[Any] = []
            sql.add(_mow_sql(_local_ranges(query), params), *params)
    if query.modes:
        sql.add(f"s.attendance IN ({_placeholders(query.modes)})", *query.modes)
    elif query.now:
        sql.add("s.attendance <> %s", Attendance.INACTIVE.value)
    if query.fellowships:
        sql.add(f"s.fellowship IN ({_placeholders(query.fellowships)})", *query.fellowships)
    for word in query.text.split()[:8]:
        sql.joins.update({"m", "g", "l"})
        columns = ["m.name", "g.name", "l.name", "l.city", "l.address", "m.notes"]
        likes = [_like(column, word) for column in columns]
        sql.add("(" + " OR ".join(f for f, _p in likes) + ")", *[p for _f, p in likes])
    for code in query.include:
        fragment, params = _type_sql(code, sql)
        sql.add(fragment, *params)
    for code in query.exclude:
        fragment, params = _type_sql(code, sql)
        sql.add(f"NOT ({fragment})", *params)
    if query.languages:
        parts = [_type_sql(code, sql) for code in query.languages]
        sql.add("(" + " OR ".join(f for f, _p in parts) + ")", *[p for _f, ps in parts for p in ps])
    if query.slugs:
        sql.joins.add("m")
        sql.add(f"m.slug IN ({_placeholders(query.slugs)})", *query.slugs)
    return sql, zones


def _longitude_band(query: SearchQuery) -> tuple[float, float] | None:
    """The longitudes a slot within the radius can have, when they are one plain span: the cells around a
    place are wider than the circle, and a slot outside the span is dropped before its meeting is read (for
    the type filters) and grouped. The circle itself is the HAVING of ``_rank``; this only narrows what reaches
    it. None across the antimeridian, and near the poles where the distance's cosine is clamped."""
    assert query.near is not None
    lat0, lng0 = query.near
    if math.cos(math.radians(lat0)) < 0.01:
        return None
    # A hair wider than the circle, so rounding never drops a slot the distance would keep.
    reach = _longitude_reach(query) * (1 + 1e-9) + 1e-9
    if abs(lng0) + reach > 180:
        return None
    return lng0 - reach, lng0 + reach


def _longitude_reach(query: SearchQuery) -> float:
    """How many degrees of longitude the radius spans at the latitude searched near (the distance's own scale)."""
    assert query.near is not None
    return query.radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(query.near[0])), 0.01))


def _distance_sql(query: SearchQuery) -> tuple[str, list[Any]]:
    """The squared distance (in degrees of latitude) from the place searched near."""
    assert query.near is not None
    lat0, lng0 = query.near
    cos_lat = math.cos(math.radians(lat0))
    if abs(lng0) + _longitude_reach(query) > 180:  # the circle crosses the antimeridian: compare in 0..360 degrees
        longitude, lng0 = "(CASE WHEN s.longitude < 0 THEN s.longitude + 360.0 ELSE s.longitude END)", lng0 % 360
    else:
        longitude = "s.longitude"
    key = f"((s.latitude - %s) * (s.latitude - %s) + ({longitude} - %s) * ({longitude} - %s) * %s)"
    return key, [lat0, lat0, lng0, lng0, cos_lat * cos_lat]


def _minutes_sql(now: dt.datetime, zones: list[str]) -> tuple[str, list[Any]]:
    """Minutes until a slot's next start (a meeting that began up to 10 minutes ago counts as now)."""
    # Minutes from (now - 10 min) to the slot's start, using each zone's UTC offset now.
    reference = schedule.local_mow(now - JOINABLE_AFTER_START, "UTC")
    by_offset: dict[int, list[str]] = defaultdict(list)
    for zone_name in zones:
        by_offset[schedule.utc_offset_minutes(zone_name, now)].append(zone_name)
    params: list[Any] = []
    cases = []
    for minutes, names in by_offset.items():
        cases.append(f"WHEN s.timezone IN ({_placeholders(names)}) THEN %s")
        params.extend([*names, minutes])
    offset = f"(CASE {' '.join(cases)} ELSE 0 END)" if cases else "0"
    week = schedule.MINUTES_PER_WEEK
    # "%%" is the modulo operator once the driver has put the parameters in.
    return f"((s.start_mow - {offset} - %s + {3 * week}) %% {week})", [*params, reference]


_JOINS = {
    "m": "JOIN directory_meeting m ON m.id = s.meeting_id",
    "g": "LEFT JOIN directory_group g ON g.id = m.group_id",
    "l": "LEFT JOIN directory_location l ON l.id = m.location_id",
}


def _order_sql(query: SearchQuery, now: dt.datetime, zones: list[str]) -> tuple[str, list[Any]]:
    """The ORDER BY keys, each a MIN over a meeting's slots: nearest first near a place (the API's
    order), else soonest first; the finder's pages ask for soonest first, distance breaking ties."""
    minutes, minutes_params = _minutes_sql(now, zones)
    if query.near is None:
        return f"MIN({minutes})", minutes_params
    distance, distance_params = _distance_sql(query)
    if query.soonest_first:
        return f"MIN({minutes}), MIN({distance})", [*minutes_params, *distance_params]
    return f"MIN({distance})", distance_params


def _rank(query: SearchQuery, now: dt.datetime) -> tuple[list[int], int | None]:
    """One page of meeting ids, best first, and the number of matches (None past the end)."""
    sql, zones = _filters(query, now)
    order, order_params = _order_sql(query, now, zones)
    joins = [_JOINS[name] for name in ("m", "g", "l") if name in sql.joins or (name == "m" and sql.joins)]
    where = " AND ".join(sql.where) or "1=1"
    having, having_params = "", []
    if query.near is not None:
        distance, distance_params = _distance_sql(query)
        having, having_params = (
            f"HAVING MIN({distance}) <= %s",
            [*distance_params, (query.radius_km / KM_PER_DEGREE) ** 2],
        )
    # Every value a person gave travels as a parameter; the fragments joined here are our own text.
    statement = (
        f"SELECT s.meeting_id, COUNT(*) OVER () AS matches "  # noqa: S608
        f"FROM directory_meetingslot s {' '.join(joins)} WHERE {where} "
        f"GROUP BY s.meeting_id {having} ORDER BY {order}, s.meeting_id LIMIT %s OFFSET %s"
    )
    params = [*sql.params, *having_params, *order_params, query.page_size, (query.page - 1) * query.page_size]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if not rows:
        return [], None
    return [row[0] for row in rows], int(rows[0][1])


def _by_appointment(query: SearchQuery, found: list[int]) -> list[int]:
    """Meetings asked for by slug alone that have no weekly slot (by appointment: no day or time): the slot index
    cannot find them, but their pages answer, so a client that knows a slug finds the meeting too."""
    filtered = (
        query.near, query.now, query.days, query.times, query.text.strip(), query.include, query.exclude,
        query.modes, query.languages, query.fellowships,
    )  # fmt: skip
    if not query.slugs or query.page != 1 or any(filtered):
        return []
    missing = Meeting.objects.filter(slug__in=query.slugs, day_mask=0).exclude(pk__in=found).order_by("name", "pk")
    return list(missing.values_list("pk", flat=True)[: max(0, query.page_size - len(found))])


def search(query: SearchQuery, now: dt.datetime) -> SearchPage:
    ids, matches = _rank(query, now)
    unscheduled = _by_appointment(query, ids)
    if unscheduled:
        ids, matches = [*ids, *unscheduled], (matches or 0) + len(unscheduled)
    offset = (query.page - 1) * query.page_size
    if matches is None and query.page > 1:  # past the last page: still say how many there are
        _ids, matches = _rank(SearchQuery(**{**query.__dict__, "page": 1, "page_size": 1}), now)
    total = matches or 0
    meetings = loading.meetings_by_id(ids)
    results = [_result(meetings[meeting_id], query, now) for meeting_id in ids if meeting_id in meetings]
    return SearchPage(query=query, results=results, page=query.page, has_next=offset + len(ids) < total, total=total)


def _result(meeting: Meeting, query: SearchQuery, now: dt.datetime) -> Result:
    duration = dt.timedelta(minutes=meeting.duration_minutes or int(DEFAULT_DURATION.total_seconds() // 60))
    start = meeting.next_start(now, grace=duration)
    in_progress = start is not None and start <= now
    distance = None
    location = meeting.location
    if query.near is not None and location is not None and location.has_position:
        assert location.latitude is not None and location.longitude is not None
        distance = haversine_km(query.near, (location.latitude, location.longitude))
    viewer = start.astimezone(schedule.zone(query.viewer_tz)) if start is not None and query.viewer_tz else None
    return Result(meeting, distance, start, viewer, in_progress)
