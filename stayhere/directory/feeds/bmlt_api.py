"""BMLT's semantic API (``/client_interface/json/?switcher=...``), read-only, for the clients NA service
bodies run: crouton (web lists), bread (printed lists), yap (phone helplines). See docs/bmlt.md.

A BMLT meeting has one weekday; a stayhere meeting may have several. GetSearchResults writes one
BMLT meeting per weekday: ``id_bigint`` is the stayhere meeting's number times ten plus the weekday
(1 = Sunday ... 7 = Saturday), ``shared_group_id_bigint`` the meeting's number. A meeting with no
weekly time is not written (BMLT has no such meeting). What is published follows the feeds' rules
(``records``): no place for an online or phone meeting, a group's contacts only when it made them
public.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from stayhere.directory.feeds.bmlt_lists import (
    FIELD_NAMES,
    BmltError,
    Site,
    codes_by_id,
    descendants,
    flag,
    format_id,
    formats_of,
    get_field_keys,
    get_formats,
    get_server_info,
    get_service_bodies,
    integers,
    language,
    native_language,
    values,
)
from stayhere.directory.feeds.codes import HYBRID, bmlt_code, bmlt_format
from stayhere.directory.feeds.records import PublishedMeeting, published_meetings
from stayhere.directory.models import Meeting, MeetingSlot, ServiceBody
from stayhere.directory.search import cells_around, haversine_km
from stayhere.directory.types import ONLINE_CODE, TEMPORARILY_CLOSED

KM_PER_MILE = 1.609344
EARTH_KM = 20_037.0  # half the equator: every place is nearer than this
NEAREST_STEPS_KM = (2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, EARTH_KM)
MAX_NEAREST = 1000
MAX_TEXT = 200
MAX_CELLS = 2500  # grid cells looked up by index for a search near a point; a wider one is a box
SWITCHERS = ("GetSearchResults", "GetFormats", "GetServiceBodies", "GetServerInfo", "GetFieldKeys")
_VENUE_OF = {"in_person": "1", "inactive": "1", "online": "2", "phone": "2", "hybrid": "3"}
_ATTENDANCES_OF = {1: ("in_person", "inactive"), 2: ("online", "phone"), 3: ("hybrid",)}
_NUMERIC = {"id_bigint", "shared_group_id_bigint", "service_body_bigint", "weekday_tinyint", "venue_type"}
_NUMERIC |= {"longitude", "latitude", "distance_in_km", "distance_in_miles"}
_OLD_SORT = {"weekday": ["weekday_tinyint", "start_time"], "time": ["start_time"], "town": ["location_municipality"]}


def answer(switcher: str, params: QueryDict, site: Site) -> Any:
    """The answer to one call, as BMLT shapes it; BmltError for a bad switcher or parameter."""
    if not switcher:
        raise BmltError(_("Say what to answer with switcher=, one of %(names)s.") % {"names": ", ".join(SWITCHERS)})
    if switcher == "GetSearchResults":
        return search_results(params, site)
    if switcher == "GetFormats":
        return get_formats(params, site)
    if switcher == "GetServiceBodies":
        return get_service_bodies(params)
    if switcher == "GetServerInfo":
        return get_server_info(site)
    if switcher == "GetFieldKeys":
        return get_field_keys()
    raise BmltError(
        _("switcher=%(switcher)s is not served here; this server answers %(names)s.")
        % {"switcher": switcher[:40], "names": ", ".join(SWITCHERS)}
    )


@dataclass
class Search:
    days: set[int] = field(default_factory=set)  # BMLT weekdays, 1 = Sunday
    not_days: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    not_services: set[int] = field(default_factory=set)
    formats: list[str] = field(default_factory=list)  # stayhere codes
    not_formats: list[str] = field(default_factory=list)
    any_format: bool = False  # formats_comparison_operator=OR
    venues: set[int] = field(default_factory=set)
    not_venues: set[int] = field(default_factory=set)
    meeting_ids: set[int] = field(default_factory=set)
    point: tuple[float, float] | None = None
    radius_km: float | None = None
    nearest: int | None = None  # a negative geo_width: about this many meetings, the nearest
    by_distance: bool = False
    sort_keys: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # data_field_key; empty: all
    text: str = ""
    used_formats: bool = False
    formats_only: bool = False
    page_size: int | None = None
    page_num: int = 1


def read_search(params: QueryDict) -> Search:
    """GetSearchResults' parameters, checked; BmltError names the first bad one."""
    search = Search()
    search.days, search.not_days = integers(params, "weekdays", low=1, high=7)
    search.services, search.not_services = integers(params, "services", low=1, high=2**62)
    if flag(params, "recursive") and (search.services or search.not_services):
        bodies = list(ServiceBody.objects.only("pk", "parent_id"))
        search.services = descendants(search.services, bodies)
        search.not_services = descendants(search.not_services, bodies)
    format_ids, not_format_ids = integers(params, "formats", low=1, high=2**31)
    if format_ids or not_format_ids:
        known = codes_by_id()
        for number in sorted(format_ids | not_format_ids):
            if number not in known:
                raise BmltError(
                    _("formats: %(id)d is no format of this server; GetFormats lists their ids.") % {"id": number}
                )
        search.formats = [known[number] for number in sorted(format_ids)]
        search.not_formats = [known[number] for number in sorted(not_format_ids)]
    operator = params.get("formats_comparison_operator", "AND").strip().upper()
    if operator not in ("AND", "OR"):
        raise BmltError(_("formats_comparison_operator is AND or OR."))
    search.any_format = operator == "OR"
    search.venues, search.not_venues = integers(params, "venue_types", low=1, high=3)
    search.meeting_ids, _none = integers(params, "meeting_ids", low=1, high=2**62)
    _read_place(params, search)
    search.by_distance = flag(params, "sort_results_by_distance")
    if search.by_distance and search.point is None:
        raise BmltError(_("sort_results_by_distance needs lat_val and long_val: the point to measure from."))
    keys = values(params, "sort_keys") or _OLD_SORT.get(params.get("sort_key", "").strip().lower(), [])
    search.sort_keys = _field_names(keys, "sort_keys")
    search.fields = _field_names(values(params, "data_field_key"), "data_field_key")
    search.text = (params.get("SearchString") or params.get("searchString") or "").strip()
    if len(search.text) > MAX_TEXT:
        raise BmltError(_("SearchString is longer than %(max)d characters: shorten it.") % {"max": MAX_TEXT})
    search.used_formats = flag(params, "get_used_formats")
    search.formats_only = flag(params, "get_formats_only")
    if "page_size" in params:
        search.page_size = _whole(params, "page_size", 1, 10_000)
        search.page_num = _whole(params, "page_num", 1, 100_000) if "page_num" in params else 1
    return search


def _whole(params: QueryDict, name: str, low: int, high: int) -> int:
    text = params.get(name, "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise BmltError(
            _("%(name)s is a whole number from %(low)d to %(high)d.") % {"name": name, "low": low, "high": high}
        )
    return int(text)


def _number(params: QueryDict, name: str, low: float, high: float) -> float | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        raise BmltError(
            _("%(name)s is a number from %(low)g to %(high)g; %(value)r is not.")
            % {"name": name, "low": low, "high": high, "value": text[:40]}
        )
    return number


def _read_place(params: QueryDict, search: Search) -> None:
    latitude = _number(params, "lat_val", -90, 90)
    longitude = _number(params, "long_val", -180, 180)
    miles = _number(params, "geo_width", -MAX_NEAREST, EARTH_KM)
    km = _number(params, "geo_width_km", -MAX_NEAREST, EARTH_KM)
    if (latitude is None) != (longitude is None):
        raise BmltError(_("Give both lat_val and long_val (decimal degrees), or neither."))
    width = km if km is not None else (miles * KM_PER_MILE if miles is not None else None)
    if width is not None and latitude is None:
        raise BmltError(_("geo_width and geo_width_km need lat_val and long_val: the point to search around."))
    if latitude is None or longitude is None:
        return
    search.point = (latitude, longitude)
    if width is None:
        return
    if width < 0:
        search.nearest = max(1, round(-(km if km is not None else miles or 0)))
    elif width == 0:
        raise BmltError(_("geo_width is 0: give a radius, or a negative number for about that many meetings."))
    else:
        search.radius_km = width


def _field_names(names: list[str], parameter: str) -> list[str]:
    for name in names:
        if name not in FIELD_NAMES:
            raise BmltError(
                _("%(parameter)s: %(name)r is no field here; GetFieldKeys lists them.")
                % {"parameter": parameter, "name": name[:40]}
            )
    return names


def search_results(params: QueryDict, site: Site) -> Any:
    search = read_search(params)
    records = find(search, site)
    lang = language(params)
    if search.formats_only or search.used_formats:
        used: list[str] = []
        for record in records:
            for key in record["formats"].split(","):
                if key and key not in used:
                    used.append(key)
        formats = formats_of([bmlt_code(key) for key in used], lang, site)
        if search.formats_only:
            return {"formats": formats}
    chosen = _select(records, search.fields)
    if search.used_formats:
        return {"meetings": chosen, "formats": formats}
    return chosen


def find(search: Search, site: Site) -> list[dict[str, str]]:
    """The meetings of a search as BMLT records (every field), in the order asked for."""
    query = _filtered(search)
    if search.point is not None and search.nearest is not None:
        query = _nearest_query(query, search, search.nearest)
    elif search.point is not None and search.radius_km is not None:
        query = query.filter(_near(search.point, search.radius_km))
    records: list[tuple[float | None, dict[str, str]]] = []
    lang = native_language()
    for meeting in published_meetings(site.meeting_prefix, query):
        distance = None
        if search.point is not None and meeting.place is not None and meeting.place.latitude is not None:
            assert meeting.place.longitude is not None
            distance = haversine_km(search.point, (meeting.place.latitude, meeting.place.longitude))
        if search.point is not None and (search.radius_km is not None or search.nearest is not None):
            if distance is None or (search.radius_km is not None and distance > search.radius_km):
                continue
        for day in meeting.days:
            weekday = day + 1
            if (search.days and weekday not in search.days) or weekday in search.not_days:
                continue
            number = meeting.pk * 10 + weekday
            if search.meeting_ids and number not in search.meeting_ids:
                continue
            records.append((distance, record(meeting, weekday, distance, search.point is not None, lang, site)))
    if search.nearest is not None:
        records.sort(key=lambda pair: pair[0] if pair[0] is not None else math.inf)
        records = records[: search.nearest]
    ordered = _sorted(records, search)
    if search.page_size is not None:
        start = (search.page_num - 1) * search.page_size
        ordered = ordered[start : start + search.page_size]
    return ordered


def _filtered(search: Search) -> QuerySet[Meeting]:
    query = Meeting.objects.filter(start_time__isnull=False, day_mask__gt=0)
    if search.days:
        mask = sum(1 << (day - 1) for day in search.days)
        query = query.alias(asked=F("day_mask").bitand(mask)).filter(asked__gt=0)
    if search.not_days:
        kept = 127 & ~sum(1 << (day - 1) for day in search.not_days)
        query = query.alias(kept=F("day_mask").bitand(kept)).filter(kept__gt=0)
    if search.services:
        query = query.filter(service_body_id__in=search.services)
    if search.not_services:
        query = query.exclude(service_body_id__in=search.not_services)
    if search.venues:
        query = query.filter(attendance__in=[a for venue in search.venues for a in _ATTENDANCES_OF[venue]])
    if search.not_venues:
        query = query.exclude(attendance__in=[a for venue in search.not_venues for a in _ATTENDANCES_OF[venue]])
    if search.formats:
        conditions = [_has_code(code) for code in search.formats]
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = combined | condition if search.any_format else combined & condition
        query = query.filter(combined)
    for code in search.not_formats:
        query = query.exclude(_has_code(code))
    if search.meeting_ids:
        query = query.filter(pk__in={number // 10 for number in search.meeting_ids})
    for word in search.text.split()[:10]:
        query = query.filter(
            Q(name__icontains=word)
            | Q(location__name__icontains=word)
            | Q(location__address__icontains=word)
            | Q(location__city__icontains=word)
            | Q(notes__icontains=word)
        )
    return query


def _has_code(code: str) -> Q:
    if code == ONLINE_CODE:
        return Q(attendance__in=("online", "phone"))
    if code == HYBRID:
        return Q(attendance="hybrid")
    if code == TEMPORARILY_CLOSED:
        return Q(attendance="inactive") | Q(type_index__contains=f"|{code}|")
    if code == "MOUD":
        return Q(group__moud_welcome=True)
    if code == "HRED":
        return Q(group__harm_reduction=True)
    return Q(type_index__contains=f"|{code}|")


def _near(point: tuple[float, float], radius_km: float) -> Q:
    """Meetings with a door in the grid cells around the circle, through the finder's index of them (its cells
    are indexed); a circle too wide for a short list of cells is searched by a box instead. Either way the
    circle itself is checked after. A temporarily inactive meeting has no cell: it is not found near a point."""
    if radius_km < EARTH_KM:
        cells = cells_around(point[0], point[1], radius_km)
        if len(cells) <= MAX_CELLS:
            return Q(pk__in=MeetingSlot.objects.filter(cell__in=cells).values("meeting_id"))
    return _box(point, radius_km)


def _box(point: tuple[float, float], radius_km: float) -> Q:
    latitude, longitude = point
    span = radius_km / 111.2
    condition = Q(
        location__latitude__gte=latitude - span,
        location__latitude__lte=latitude + span,
        attendance__in=("in_person", "hybrid"),
    )
    widest = max(abs(latitude) + span, 0.0)
    if widest < 89 and radius_km < EARTH_KM / 2:
        across = span / max(math.cos(math.radians(widest)), 0.01)
        if longitude - across >= -180 and longitude + across <= 180:
            condition &= Q(location__longitude__gte=longitude - across, location__longitude__lte=longitude + across)
    return condition


def _nearest_query(query: QuerySet[Meeting], search: Search, count: int) -> QuerySet[Meeting]:
    """The meetings that hold the ``count`` nearest records: the smallest circle of NEAREST_STEPS_KM with that
    many, its meetings' positions read (not the meetings), the nearest kept until they have enough days."""
    assert search.point is not None
    point = search.point
    placed: list[tuple[float, int, int]] = []  # (distance, meeting, weekday mask)
    for radius in NEAREST_STEPS_KM:
        rows = query.filter(_near(point, radius)).values_list(
            "pk", "location__latitude", "location__longitude", "day_mask"
        )
        placed = [
            (haversine_km(point, (latitude, longitude)), pk, mask)
            for pk, latitude, longitude, mask in rows
            if latitude is not None and longitude is not None
        ]
        if sum(_days_kept(mask, search) for distance, _pk, mask in placed if distance <= radius) >= count:
            break
    placed.sort()
    chosen: list[int] = []
    found = 0
    for _distance, pk, mask in placed:
        if found >= count:
            break
        chosen.append(pk)
        found += _days_kept(mask, search)
    return query.filter(pk__in=chosen)


def _days_kept(mask: int, search: Search) -> int:
    """How many BMLT records a meeting of this weekday mask gives under the search's weekdays."""
    days = [day + 1 for day in range(7) if mask & (1 << day)]
    return sum(1 for day in days if (not search.days or day in search.days) and day not in search.not_days)


def _sorted(records: list[tuple[float | None, dict[str, str]]], search: Search) -> list[dict[str, str]]:
    keys: list[Callable[[tuple[float | None, dict[str, str]]], Any]] = []
    if search.by_distance:
        keys.append(lambda pair: pair[0] if pair[0] is not None else math.inf)
    for name in search.sort_keys or ["weekday_tinyint", "start_time", "meeting_name"]:
        keys.append(_sort_value(name))
    keys.append(lambda pair: int(pair[1]["id_bigint"]))
    records.sort(key=lambda pair: tuple(key(pair) for key in keys))
    return [item for _distance, item in records]


def _sort_value(name: str) -> Callable[[tuple[float | None, dict[str, str]]], Any]:
    if name in _NUMERIC:

        def numeric(pair: tuple[float | None, dict[str, str]]) -> float:
            try:
                return float(pair[1].get(name) or math.inf)
            except ValueError:
                return math.inf

        return numeric
    return lambda pair: pair[1].get(name, "").casefold()


def _select(records: list[dict[str, str]], fields: list[str]) -> list[dict[str, str]]:
    if not fields:
        return records
    wanted = set(fields)  # written in BMLT's order, as a BMLT server does
    return [{name: value for name, value in item.items() if name in wanted} for item in records]


def record(
    meeting: PublishedMeeting, weekday: int, distance: float | None, measured: bool, lang: str, site: Site
) -> dict[str, str]:
    """One weekday of a published meeting as a BMLT meeting: every value a string."""
    place = meeting.place
    codes = list(meeting.types)
    if meeting.attendance in ("online", "phone"):
        codes.append(ONLINE_CODE)
    elif meeting.attendance == "hybrid":
        codes.append(HYBRID)
    elif meeting.attendance == "inactive" and TEMPORARILY_CLOSED not in codes:
        codes.append(TEMPORARILY_CLOSED)
    formats = [bmlt_format(code) for code in codes]
    regions = meeting.regions
    contacts = meeting.group.contacts if meeting.group is not None else ()
    item = {
        "id_bigint": str(meeting.pk * 10 + weekday),
        "worldid_mixed": "",
        "shared_group_id_bigint": str(meeting.pk),
        "service_body_bigint": str(meeting.service_body_id or ""),
        "weekday_tinyint": str(weekday),
        "venue_type": _VENUE_OF.get(meeting.attendance, "1"),
        "start_time": f"{meeting.start}:00",
        "duration_time": _duration(meeting.start, meeting.end),
        "time_zone": meeting.timezone,
        "formats": ",".join(entry.key_string for entry in formats),
        "lang_enum": lang,
        "longitude": _coordinate(place.longitude if place else None),
        "latitude": _coordinate(place.latitude if place else None),
    }
    if measured:
        item["distance_in_km"] = _distance(distance)
        item["distance_in_miles"] = _distance(distance / KM_PER_MILE if distance is not None else None)
    item.update(
        {
            "email_contact": "",
            "meeting_name": meeting.name,
            "location_text": place.name if place else "",
            "location_info": place.notes if place else "",
            "location_street": place.address if place else "",
            "location_city_subsection": "",
            "location_neighborhood": regions[-1] if len(regions) > 1 else "",
            "location_municipality": place.city if place else "",
            "location_sub_province": "",
            "location_province": place.state if place else "",
            "location_postal_code_1": place.postal_code if place else "",
            "location_nation": place.country if place else "",
            "comments": meeting.notes,
            "train_lines": "",
            "bus_lines": "",
        }
    )
    for number in (2, 1):
        contact = contacts[number - 1] if len(contacts) >= number else None
        item[f"contact_phone_{number}"] = contact.phone if contact else ""
        item[f"contact_email_{number}"] = contact.email if contact else ""
        item[f"contact_name_{number}"] = contact.name if contact else ""
    item.update(
        {
            "phone_meeting_number": meeting.conference_phone,
            "virtual_meeting_link": meeting.conference_url,
            "virtual_meeting_additional_info": "\n".join(
                part for part in (meeting.conference_url_notes, meeting.conference_phone_notes) if part
            ),
            "published": "1",
            "root_server_uri": site.root_server_uri,
            "format_shared_id_list": ",".join(str(format_id(entry.key_string)) for entry in formats),
        }
    )
    return item


def _duration(start: str | None, end: str | None) -> str:
    if start is None or end is None:
        return "01:00:00"
    minutes = (int(end[:2]) * 60 + int(end[3:5])) - (int(start[:2]) * 60 + int(start[3:5]))
    if minutes <= 0:
        minutes += 24 * 60  # crosses midnight
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _coordinate(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _distance(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"
