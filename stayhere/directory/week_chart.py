"""When meetings happen across the week: counts by local day and hour, drawn as an SVG grid.

Drawn on the server as plain SVG markup (no chart library, no script, no style attributes):
cells carry a class naming their shade, and the site's stylesheet colours them. Counts use
each meeting's own local time, since "Tuesday 19:00" means the same thing to every reader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core import cache
from stayhere.directory import freshness, schedule
from stayhere.directory.models import Attendance, MeetingSlot
from stayhere.directory.presenting import day_abbr, day_name
from stayhere.directory.search import SearchQuery
from stayhere.directory.types import HARM_REDUCTION, MOUD_WELCOME

DAYS = 7
HOURS = 24
Counts = list[list[int]]  # counts[day][hour]; day 0 = Sunday

# Geometry of the drawing, in SVG user units.
LABEL_WIDTH = 34
HEADER_HEIGHT = 14
CELL = 14
GAP = 2
WIDTH = LABEL_WIDTH + HOURS * CELL
HEIGHT = HEADER_HEIGHT + DAYS * CELL

SHADES = 4  # classes wc1 .. wc4; wc0 is an empty cell
CACHE_SECONDS = freshness.MAX_AGE_SECONDS


def empty_counts() -> Counts:
    return [[0] * HOURS for _day in range(DAYS)]


def count_starts(starts: Iterable[tuple[int, int]]) -> Counts:
    """Counts from (local minute of week, how many) pairs."""
    counts = empty_counts()
    for minute_of_week, number in starts:
        minute = minute_of_week % schedule.MINUTES_PER_WEEK
        day, minute_of_day = divmod(minute, schedule.MINUTES_PER_DAY)
        counts[day][minute_of_day // 60] += number
    return counts


def count_slots(slots: QuerySet[MeetingSlot]) -> Counts:
    """Counts for these weekly occurrences, leaving out meetings that are not being held."""
    rows = (
        slots.exclude(attendance=Attendance.INACTIVE).order_by().values_list("start_mow").annotate(number=Count("id"))
    )
    return count_starts((int(start), int(number)) for start, number in rows)


def cached_counts(slots: QuerySet[MeetingSlot], filters: Sequence[tuple[str, str]]) -> Counts:
    """count_slots, kept in the cache per filter set and directory version (counted again from the database
    while the cache cannot be reached: stayhere.core.cache).

    The key is a digest of the filters, which are meeting types, days and the like: callers
    must never pass what a person typed or where they are.
    """
    digest = hashlib.sha256(repr(sorted(filters)).encode()).hexdigest()[:24]
    key = f"stayhere:week-chart:{freshness.generation()}:{digest}"
    counts: Counts | None = cache.read(key)
    if counts is None:
        counts = count_slots(slots)
        cache.write(key, counts, CACHE_SECONDS)
    return counts


def shade(number: int, peak: int) -> int:
    """0 for an empty cell, else 1..SHADES in proportion to the busiest hour."""
    if number <= 0 or peak <= 0:
        return 0
    return max(1, min(SHADES, -(-number * SHADES // peak)))


def busiest(counts: Counts) -> tuple[int, int, int]:
    """(day, hour, count) of the busiest hour; the earliest in the week when several tie."""
    best = (0, 0, 0)
    for day in range(DAYS):
        for hour in range(HOURS):
            if counts[day][hour] > best[2]:
                best = (day, hour, counts[day][hour])
    return best


def summary(counts: Counts) -> str:
    """One sentence that says what the picture shows, for people who cannot see it."""
    total = sum(sum(row) for row in counts)
    if total == 0:
        return _("No weekly meetings to show.")
    day, hour, number = busiest(counts)
    per_day = ", ".join(f"{day_name(d)} {sum(counts[d])}" for d in range(DAYS))
    busiest_text = ngettext(
        "The busiest hour is %(day)s %(hour)02d:00 with %(count)d meeting.",
        "The busiest hour is %(day)s %(hour)02d:00 with %(count)d meetings.",
        number,
    ) % {"day": day_name(day), "hour": hour, "count": number}
    totals = ngettext(
        "%(total)d weekly meeting time by day: %(days)s.",
        "%(total)d weekly meeting times by day: %(days)s.",
        total,
    ) % {"total": total, "days": per_day}
    return f"{totals} {busiest_text}"


def render_svg(counts: Counts, *, ident: str = "week-chart") -> str:
    """The chart as an inline <svg> element: a row per day, a column per hour of local time."""
    peak = max(max(row) for row in counts)
    title = _("Meetings across the week, by local start time")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="week-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(summary(counts))}</desc>',
    ]
    for hour in range(0, HOURS, 3):
        x = LABEL_WIDTH + hour * CELL
        parts.append(f'<text x="{x}" y="10" class="wc-label">{hour:02d}</text>')
    inner = CELL - GAP
    for day in range(DAYS):
        y = HEADER_HEIGHT + day * CELL
        parts.append(f'<text x="0" y="{y + inner - 2}" class="wc-label">{escape(day_abbr(day))}</text>')
        for hour in range(HOURS):
            number = counts[day][hour]
            x = LABEL_WIDTH + hour * CELL
            cell = f'<rect x="{x}" y="{y}" width="{inner}" height="{inner}" class="wc{shade(number, peak)}"'
            if number:
                label = ngettext(
                    "%(day)s %(hour)02d:00: %(count)d meeting",
                    "%(day)s %(hour)02d:00: %(count)d meetings",
                    number,
                ) % {"day": day_name(day), "hour": hour, "count": number}
                parts.append(f"{cell}><title>{escape(label)}</title></rect>")
            else:
                parts.append(f"{cell}/>")
    parts.append("</svg>")
    return "".join(parts)


# The chart follows the search's type, language, attendance and fellowship filters, never its
# text or position: those belong to one person and are not kept, not even as a cache key.
CHART_PARAMS = frozenset({"type", "not", "lang", "mode", "fellowship"})


def _type_condition(code: str) -> Q:
    # Mirrors the search's reading of a code: the two group-asserted codes live on the group.
    if code == MOUD_WELCOME:
        return Q(meeting__group__moud_welcome=True)
    if code == HARM_REDUCTION:
        return Q(meeting__group__harm_reduction=True)
    return Q(meeting__type_index__contains=f"|{code}|")


def slots_for_query(query: SearchQuery) -> QuerySet[MeetingSlot]:
    slots = MeetingSlot.objects.all()
    if query.modes:
        slots = slots.filter(attendance__in=query.modes)
    if query.fellowships:
        slots = slots.filter(fellowship__in=query.fellowships)
    for code in query.include:
        slots = slots.filter(_type_condition(code))
    for code in query.exclude:
        slots = slots.exclude(_type_condition(code))
    if query.languages:
        any_language = Q(pk__in=[])
        for code in query.languages:
            any_language |= _type_condition(code)
        slots = slots.filter(any_language)
    return slots


def chart_filters(query: SearchQuery) -> list[tuple[str, str]]:
    return [(name, value) for name, value in query.to_params() if name in CHART_PARAMS]


def chart_for(query: SearchQuery) -> str:
    """The SVG for a search's filters (the whole directory when it has none), cached."""
    return render_svg(cached_counts(slots_for_query(query), chart_filters(query)))
