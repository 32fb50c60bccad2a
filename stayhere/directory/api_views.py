"""The JSON API: the finder's search, town names for "near", and the OpenAPI document.

Shapes are described in ``stayhere.directory.openapi``; tests validate real answers against it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from stayhere.directory import openapi as api_document
from stayhere.directory import places as directory_places
from stayhere.directory.models import Attendance, Location, Meeting
from stayhere.directory.presenting import clock
from stayhere.directory.query import MAX_PAGE_SIZE, PAGE_SIZE
from stayhere.directory.search import QueryError, Result, SearchPage, parse_query, search

MAX_PLACE_PREFIX = 100
PLACES_LIMIT = 10


def unavailable() -> JsonResponse:
    """The database failed: say so, never answer as if nothing matched."""
    response = JsonResponse(
        {
            "error": _(
                "The meeting directory is unavailable right now. "
                "Nothing is wrong with your search: try again in a minute."
            )
        },
        status=503,
    )
    response["Retry-After"] = "60"
    return response


def _page_size(request: HttpRequest, errors: dict[str, str]) -> int:
    raw = request.GET.get("page_size", "").strip()
    if not raw:
        return min(settings.FINDER_PAGE_SIZE, MAX_PAGE_SIZE)
    try:
        size: int = PAGE_SIZE.kind.read(raw)
    except ValueError:
        errors["page_size"] = PAGE_SIZE.error(raw)
        return MAX_PAGE_SIZE
    return size


@require_safe
def meetings(request: HttpRequest) -> JsonResponse:
    errors: dict[str, str] = {}
    page_size = _page_size(request, errors)
    try:
        query = parse_query(request.GET, page_size=page_size)
    except QueryError as error:
        errors = {**error.errors, **errors}
    except DatabaseError:  # a town name is looked up in the directory
        return unavailable()
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    try:
        page = search(query, timezone.now())
        body = page_json(page, explicit_page_size=bool(request.GET.get("page_size", "").strip()))
    except DatabaseError:
        return unavailable()
    return JsonResponse(body)


def page_json(page: SearchPage, *, explicit_page_size: bool) -> dict[str, Any]:
    next_url = None
    if page.has_next:
        params = page.query.to_params(page=page.page + 1)
        if explicit_page_size:
            params.append(("page_size", str(page.query.page_size)))
        next_url = f"{reverse('directory:api-meetings')}?{urlencode(params)}"
    page_prefix = reverse("directory:meeting", kwargs={"slug": "-"})[:-1]  # once, not per meeting
    return {
        "meetings": [meeting_json(result, page_prefix) for result in page.results],
        "page": page.page,
        "page_size": page.query.page_size,
        "has_next": page.has_next,
        "total": page.total,
        "next": next_url,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    """RFC 3339, as the schema's date-time format says: seconds are required even when they are zero."""
    return None if moment is None else moment.isoformat(timespec="seconds")


def location_json(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "name": location.name,
        "address": location.address,
        "city": location.city,
        "state": location.state,
        "postal_code": location.postal_code,
        "country": location.country,
        "formatted_address": location.formatted_address(),
        "latitude": location.latitude,
        "longitude": location.longitude,
        "approximate": location.approximate,
    }


def meeting_json(result: Result, page_prefix: str) -> dict[str, Any]:
    """One meeting of a result page; ``page_prefix`` is the meeting pages' path without the slug."""
    meeting: Meeting = result.meeting
    return {
        "slug": meeting.slug,
        "name": meeting.name,
        "group": meeting.group.name if meeting.group is not None else None,
        "fellowship": meeting.fellowship,
        "days": meeting.days,
        "time": clock(meeting.start_time) or None,
        "end_time": clock(meeting.end_time) or None,
        "timezone": meeting.timezone,
        "attendance": meeting.attendance,
        "inactive_reason": meeting.inactive_reason,
        "types": meeting.all_types(),
        "location": location_json(meeting.location),
        "regions": [str(region) for region in meeting.regions],
        "conference_url": meeting.conference_url,
        "conference_phone": meeting.conference_phone,
        "distance_km": None if result.distance_km is None else round(result.distance_km, 2),
        "next_start": _iso(result.next_start),
        "next_start_viewer": _iso(result.next_start_viewer),
        "in_progress": result.in_progress and meeting.attendance != Attendance.INACTIVE,
        "url": page_prefix + meeting.slug,
    }


@require_safe
def places(request: HttpRequest) -> JsonResponse:
    prefix = request.GET.get("q", "").strip()
    if len(prefix) > MAX_PLACE_PREFIX:
        message = _("Type at most %(max)d letters of the town's name.") % {"max": MAX_PLACE_PREFIX}
        return JsonResponse({"errors": {"q": message}}, status=400)
    try:
        found = directory_places.suggest(prefix, limit=PLACES_LIMIT)
    except DatabaseError:
        return unavailable()
    response = JsonResponse(
        {
            "places": [
                {
                    "name": place.name,
                    "latitude": round(place.latitude, 4),
                    "longitude": round(place.longitude, 4),
                    "meetings": place.meetings,
                }
                for place in found
            ]
        }
    )
    # Kept on the device only: a second keystroke with the same letters asks nobody.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(api_document.document())
    response["Cache-Control"] = "public, max-age=3600"
    return response
