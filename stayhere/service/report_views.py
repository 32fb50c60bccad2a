"""The visitors' "Report a problem" form and the servants' pages to read and close reports. Thin: the form reads,
``permissions`` decides, ``reports`` does the work."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stayhere.core import cache
from stayhere.core.signin import UNAVAILABLE_RETRY_S, unavailable_sentence
from stayhere.directory.models import Meeting
from stayhere.service import listing, notices, permissions, reports, suggestions
from stayhere.service.forms import ReportForm
from stayhere.service.models import ChangeRequest, ProblemReport
from stayhere.service.web import not_yours, posts_here, refused, servant_required


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200, retry_after: int = 0) -> HttpResponse:
    response = render(request, "service/report.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@posts_here
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = Meeting.objects.select_related("group").filter(slug=slug).first()
    if meeting is None:
        raise Http404("no meeting with this slug")
    form = ReportForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"meeting": meeting, "form": form}
    if request.method == "GET":
        return _page(request, context)
    try:
        limit = suggestions.limited(meeting, what="report")
        if limit is not None:
            return _page(request, {**context, "error": limit.sentence()}, 429, limit.retry_after)
        if not form.is_valid():
            return _page(request, context, 400)
        data = form.cleaned_data
        suggestions.count(meeting, what="report")
        made = reports.report(meeting, data["kind"], data["text"], data["contact"])
    except cache.CacheDown:
        return _page(request, {**context, "error": unavailable_sentence()}, 503, UNAVAILABLE_RETRY_S)
    except (reports.ReportRefused, suggestions.SuggestionRefused, listing.ListingInvalid) as refusal:
        return _page(request, {**context, "error": str(refusal)}, 400)
    if isinstance(made, ChangeRequest):
        notices.tell_reviewers(made, request.build_absolute_uri(reverse("service:request", args=[made.pk])))
    else:
        notices.tell_report_readers(made, request.build_absolute_uri(reverse("service:report", args=[made.pk])))
    private = isinstance(made, ProblemReport) and made.kind == ProblemReport.Kind.CONDUCT
    return render(request, "service/reported.html", {"meeting": meeting, "private": private})


@servant_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports.forget_old()  # a report past its time is not shown, even where no timer runs the command
    return render(request, "service/reports.html", {"reports": reports.visible_to(request.user)})


@servant_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, number: int) -> HttpResponse:
    found = get_object_or_404(
        ProblemReport.objects.select_related("meeting__group__service_body", "meeting__service_body"), pk=number
    )
    if not permissions.may_act_on_report(request.user, found.kind, found.meeting):
        return refused(request, not_yours())
    context: dict[str, Any] = {"report": found}
    if request.method == "GET":
        return render(request, "service/report_detail.html", context)
    by = request.user.get_username()
    action = request.POST.get("action")
    try:
        if action == "remove":
            name = reports.remove_meeting(found.pk, by)
            notice = _("%(name)s is removed from the directory, and the report is closed.") % {"name": name}
            return render(request, "service/report_closed.html", {"notice": notice})
        if action == "close":
            reports.close(found.pk, by)
            notice = _("The report is closed: what the visitor wrote, and their address, are deleted.")
            return render(request, "service/report_closed.html", {"notice": notice})
        context["error"] = _("Choose one of the buttons below: nothing was changed.")
        return render(request, "service/report_detail.html", context, status=400)
    except reports.ReportRefused as refusal:
        found.refresh_from_db()
        return render(request, "service/report_detail.html", {**context, "error": str(refusal)}, status=409)
