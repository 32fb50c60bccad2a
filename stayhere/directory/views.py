"""The finder's pages: search (a plain GET form that works without JavaScript) and one meeting.

A search that fails answers 503 with a page that says the directory is unavailable, never an
empty list: "no meetings" must only ever mean that nothing matched.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from stayhere.directory import week_chart
from stayhere.directory.feeds.meeting_guide import split_day_slug
from stayhere.directory.finder_form import finder_form
from stayhere.directory.meeting_page import meeting_page
from stayhere.directory.models import Meeting
from stayhere.directory.presenting import filters_summary, result_view
from stayhere.directory.search import QueryError, SearchPage, SearchQuery, parse_query, search

WIDER_RADIUS_KM = 100.0
# Where on the page each parameter's field is, for the links in the list of mistakes.
ERROR_ANCHORS = {
    "q": "f-q",
    "near": "f-near",
    "place": "f-place",
    "radius": "f-radius-km",
    "day": "f-day",
    "time": "f-time",
    "now": "f-now",
    "mode": "f-mode",
    "type": "f-more",
    "not": "f-more",
    "lang": "f-lang-language",
    "fellowship": "f-fellowship",
}


def unavailable(request: HttpRequest) -> HttpResponse:
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "60"
    return response


def _link(query: SearchQuery, **changes: object) -> str:
    return "?" + urlencode(query.to_params(**changes))


def _widen_links(query: SearchQuery) -> list[tuple[str, str]]:
    """(href, label) ways to find more meetings, for the "no meetings match" state."""
    links = []
    if query.near is not None and query.radius_km < WIDER_RADIUS_KM:
        links.append((_link(query, radius_km=WIDER_RADIUS_KM, page=1), _("Look up to 100 km away")))
    if query.days or query.times or query.now:
        links.append((_link(query, days=[], times=[], now=False, page=1), _("Any day and time")))
    if query.include or query.exclude or query.languages:
        links.append((_link(query, include=[], exclude=[], languages=[], page=1), _("Any meeting type or language")))
    if query.modes:
        links.append((_link(query, modes=[], page=1), _("Any way of attending")))
    if query.text:
        links.append((_link(query, text="", page=1), _("Without the search words")))
    return links


def _results_context(query: SearchQuery, page: SearchPage) -> dict[str, object]:
    return {
        "query": query,
        # After a search the form folds away under one line saying what was asked.
        "searched": not query.is_empty,
        "summary": filters_summary(query),
        "results": [result_view(result) for result in page.results],
        "page": page,
        "previous_url": _link(query, page=page.page - 1) if page.page > 1 else "",
        "next_url": _link(query, page=page.page + 1) if page.has_next else "",
        "widen": _widen_links(query) if not page.results else [],
    }


@gzip_page
@require_safe
def finder(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"form": finder_form(request.GET)}
    try:
        query = parse_query(request.GET)
    except QueryError as error:
        context["errors"] = error.errors
        context["error_list"] = [(ERROR_ANCHORS.get(name, "f-q"), message) for name, message in error.errors.items()]
        return render(request, "directory/finder.html", context, status=400)
    except DatabaseError:  # a town name is looked up in the directory
        return unavailable(request)
    query.soonest_first = True  # a person looking for a meeting wants the next one; near a place, the nearer of two
    try:
        page = search(query, timezone.now())
        context.update(_results_context(query, page))
        context["chart"] = week_chart.chart_for(query)
    except DatabaseError:
        return unavailable(request)
    return render(request, "directory/finder.html", context)


def source_slug_meeting(slug: str) -> str | None:
    """The slug of the one meeting a source lists as ``slug``, or whose slug is ``slug`` in another case."""
    for found in (
        Meeting.objects.filter(source_slug=slug).exclude(source=""),
        Meeting.objects.filter(slug__iexact=slug),
    ):
        slugs = list(found.values_list("slug", flat=True)[:2])
        if len(slugs) == 1:
            return slugs[0]
    return None


@gzip_page
@require_safe
def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    related = ("location", "group", "group__service_body", "service_body")
    try:
        meeting = Meeting.objects.select_related(*related).get(slug=slug)
        context = meeting_page(meeting, timezone.now())
    except Meeting.DoesNotExist:
        # A per-day slug of the feed (SLUG--mon, meeting_guide.per_day) is the meeting's, on that day.
        split = split_day_slug(slug)
        if split is not None and Meeting.objects.filter(slug=split[0]).exists():
            return redirect("directory:meeting", split[0], permanent=True)
        # A source's own slug, or a link made before slugs were kept as the source gives them (lower-cased, cut).
        moved = source_slug_meeting(slug)
        if moved is not None:
            return redirect("directory:meeting", moved, permanent=True)
        raise Http404("no meeting with this slug") from None
    except DatabaseError:
        return unavailable(request)
    return render(request, "directory/meeting.html", context)
