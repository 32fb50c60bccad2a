"""Feeds out: Meeting Guide JSON, 12 Step Meeting List CSV (both streamed) and one meeting as iCalendar."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from stayhere.directory.feeds import bmlt_api, bmlt_lists, bmlt_render, cache, exporter, ics, meeting_guide_sql
from stayhere.directory.feeds.records import calendar_event
from stayhere.directory.models import Meeting

FEED_MAX_AGE = 300


def _for_asgi(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    # Under Django's ASGI handler a synchronous iterator would be read whole before the first
    # byte is sent (stayhere serves HTTP through the WSGI handler, but tests and other set-ups
    # may not).
    if isinstance(request, ASGIRequest) and isinstance(response, StreamingHttpResponse):
        content = response.streaming_content
        if isinstance(content, Iterator):
            response.streaming_content = exporter.as_async(content)
    return response


def _feed_headers(response: HttpResponseBase) -> HttpResponseBase:
    # Other meeting finders read this feed from their own pages: it is public data.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@require_safe
def meeting_guide_feed(request: HttpRequest) -> HttpResponseBase:
    # One object per weekday by default (what TSML UI and the Meeting Guide app read); ?days=array keeps a
    # meeting on several days as one object with a "day" array.
    days = request.GET.get("days", "split")
    if days not in ("split", "array"):
        message = _("days is split (one object per weekday, the default) or array (one per meeting).")
        return JsonResponse({"error": message}, status=400)
    prefix = exporter.meeting_url_prefix(request.build_absolute_uri("/"))
    json_type = "application/json; charset=utf-8"
    if days == "array":
        name, render = "meeting-guide_arrays.json", exporter.meeting_guide_array_chunks
    else:
        name, render = "meeting-guide.json", exporter.meeting_guide_chunks
    whole = not meeting_guide_sql.kept_in_pieces()  # sent from its pieces: no whole copy kept beside them
    response = cache.response(request, name, prefix, render, json_type, whole=whole)
    return _feed_headers(_for_asgi(request, response))


@require_safe
def csv_feed(request: HttpRequest) -> HttpResponseBase:
    prefix = exporter.meeting_url_prefix(request.build_absolute_uri("/"))
    response = cache.response(request, "meetings.csv", prefix, exporter.csv_chunks, "text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meetings.csv"'
    return _feed_headers(_for_asgi(request, response))


@require_safe
def meeting_ics(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("location"), slug=slug)
    if meeting.start_time is None or not meeting.day_mask:
        raise Http404(_("This meeting has no weekly time, so there is nothing to add to a calendar."))
    page = request.build_absolute_uri(reverse("directory:meeting", args=[meeting.slug]))
    event = calendar_event(meeting, page, request.get_host())
    response = HttpResponse(ics.calendar(event, timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.slug}.ics"'
    return response


@require_safe
def bmlt_client_interface(request: HttpRequest, form: str) -> HttpResponse:
    """BMLT's semantic API: /client_interface/json/ (or jsonp/ with callback=, or csv/) ?switcher=..."""
    site = bmlt_lists.Site(
        request.build_absolute_uri("/").rstrip("/"), exporter.meeting_url_prefix(request.build_absolute_uri("/"))
    )
    callback = request.GET.get("callback", "") if form == "jsonp" else ""
    status = 200
    try:
        if form == "jsonp" and not bmlt_render.is_callback(callback):
            callback = ""
            raise bmlt_lists.BmltError(
                _("jsonp/ needs callback=, a JavaScript function name (letters, digits, _ and $, dotted).")
            )
        body: object = bmlt_api.answer(request.GET.get("switcher", "").strip(), request.GET, site)
    except bmlt_lists.BmltError as exc:
        status, body = 400, {"error": str(exc)}
        form = "json" if form == "csv" else form
    response = bmlt_render.response(body, form, callback, status)
    # Clients read it from other origins' pages and servers: it is the public listing.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}" if status == 200 else "no-store"
    return response
