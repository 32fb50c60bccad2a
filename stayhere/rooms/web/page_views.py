"""The room page: the form to join a meeting's room and the page the room runs in (room.js does the rest).

The chair's page is the same page with the chair link's key handed to the script. Neither page is cached or
sends a referrer, and the key is never logged: the access log names the URL pattern, not the path.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from stayhere.core.middleware import ROOM_PERMISSIONS_POLICY
from stayhere.directory.models import Meeting
from stayhere.directory.presenting import clock, when_text
from stayhere.directory.search import DEFAULT_DURATION
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
