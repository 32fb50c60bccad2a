"""The room page: the form to join a meeting's room and the page the room runs in (room.js does the rest).

The chair's page is the same page with the chair link's key handed to the script. Neither page is cached or
sends a referrer, and the key is never logged: the access log names the URL pattern, not the path. The join
form asks ``name_advice`` about the name being typed: the room's own gentle note, from names.py.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from stayhere.core.middleware import ROOM_PERMISSIONS_POLICY
from stayhere.directory.models import Meeting
from stayhere.directory.presenting import clock, when_text
from stayhere.directory.search import DEFAULT_DURATION
from stayhere.rooms.core import names
from stayhere.rooms.web.setup import chair_key_matches, link_key_matches, room_is_listed

SEAT_COOKIE = "stayhere_seat"


def _meeting_with_room(slug: str) -> Meeting:
    meeting = Meeting.objects.filter(slug=slug, has_room=True).first()
    if meeting is None:
        raise Http404("no meeting with a room at this address")
    return meeting


def schedule_context(meeting: Meeting, now: dt.datetime) -> dict[str, Any]:
    """The meeting's next (or current) start and its end, in the meeting's own time zone."""
    duration = meeting.duration_minutes
    start = meeting.next_start(now, grace=dt.timedelta(minutes=duration) if duration else DEFAULT_DURATION)
    return {
        "start_iso": "" if start is None else start.isoformat(timespec="minutes"),
        "end_iso": ""
        if start is None or not duration
        else (start + dt.timedelta(minutes=duration)).isoformat(timespec="minutes"),
        "start_text": "" if start is None else when_text(start),
        "end_text": clock(meeting.end_time),
        "in_progress": start is not None and start <= now,
    }


def _page(request: HttpRequest, meeting: Meeting, chair_key: str = "", link_key: str = "") -> HttpResponse:
    context = {
        "meeting": meeting,
        "ws_path": f"/ws/rooms/{meeting.slug}",
        "chair_key": chair_key,
        "link_key": link_key,
        **schedule_context(meeting, timezone.now()),
    }
    response = render(request, "rooms/room.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["Permissions-Policy"] = ROOM_PERMISSIONS_POLICY  # the microphone, for the meeting's audio
    if not request.COOKIES.get(SEAT_COOKIE):
        # A browser-session cookie: no expiry, so it goes when the browser closes.
        response.set_cookie(
            SEAT_COOKIE,
            secrets.token_urlsafe(18),
            path="/",
            secure=settings.HTTPS,
            httponly=True,
            samesite="Strict",
        )
    return response


@require_safe
def room(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting_with_room(slug)
    if not room_is_listed(meeting):
        raise Http404("no meeting with a room at this address")  # the same answer as for no room at all
    return _page(request, meeting)


@require_safe
def room_by_link(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """An unlisted room, opened with the members' link its group shares."""
    meeting = _meeting_with_room(slug)
    if not link_key_matches(slug, key):
        raise Http404("no meeting with a room at this address")
    return _page(request, meeting, link_key=key)


@require_safe
def room_as_chair(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    meeting = _meeting_with_room(slug)
    if not chair_key_matches(slug, key):
        raise Http404("this chair link is not the meeting's current one")
    return _page(request, meeting, chair_key=key)


ADVICE_BODY_MAX = 1000  # {"name": ...} with a name of names.NAME_MAX characters, even all escaped, fits


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


@csrf_exempt  # it changes nothing and keeps nothing: there is nothing to forge
@never_cache
def name_advice(request: HttpRequest) -> JsonResponse:
    """``{"name"}`` -> ``{"advice"}``: the note the room gives a name (names.py), before joining with it.

    The name is in the body, never the URL; it is not logged or kept, and no cookie is set (docs/protocol.md)."""
    if request.method != "POST":
        refused = _refuse(405, "method", 'Send the name with POST, as JSON: {"name": "..."}.')
        refused["Allow"] = "POST"
        return refused
    if request.content_type != "application/json":
        return _refuse(415, "bad_json", 'Send the name as JSON (Content-Type: application/json): {"name": "..."}.')
    if len(request.body) > ADVICE_BODY_MAX:
        return _refuse(413, "too_long", f"Keep the name to {names.NAME_MAX} characters or fewer.")
    try:
        data = json.loads(request.body)
    except ValueError:
        return _refuse(400, "bad_json", 'The body is not JSON. Send {"name": "..."}.')
    if not isinstance(data, dict) or set(data) != {"name"} or not isinstance(data["name"], str):
        return _refuse(400, "bad_message", 'Send an object with one field, the name as a string: {"name": "..."}.')
    try:
        name = names.clean_name(data["name"])
    except ValueError as problem:  # empty, too long, or characters the room cannot show: the sentence says which
        return _refuse(400, "bad_name", gettext(str(problem)))
    advice = names.name_advice(name)
    return JsonResponse({"advice": gettext(advice) if advice else advice})
