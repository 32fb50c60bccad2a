"""The history pages: an object's changes, undoing one, confirming a listing is still right, and a service body's
listings no servant has confirmed lately. Thin: ``history`` does the work, ``history_permissions`` decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.directory.models import Meeting, ServiceBody
from stayhere.service import history, history_text, invitations, permissions
from stayhere.service import history_permissions as may
from stayhere.service.models import ListingChange
from stayhere.service.web import not_yours, refused, servant_required

UNVERIFIED_SHOWN = 500


def _only(request: HttpRequest, method: str) -> HttpResponse | None:
    if request.method == method:
        return None
    answer = refused(
        request,
        _("This address only takes a %(method)s from the button on the history page; nothing was changed.")
        % {"method": method},
        status=405,
    )
    answer["Allow"] = method
    return answer


def _kind(kind: str) -> str:
    if kind not in history.MODELS:
        raise Http404(_("There is no such kind of listing: use service_body, group, location or meeting."))
    return kind


def _page(
    request: HttpRequest, kind: str, number: int, status: int = 200, problem: str = "", notice: str = ""
) -> HttpResponse:
    obj = may.stand_in(kind, number)
    if obj is None:
        raise Http404(_("No listing of that kind and number is known here, and no history of one."))
    if not may.may_read(request.user, kind, obj):
        return refused(request, not_yours())
    undo = may.may_undo(request.user, kind, obj)
    exists = obj._state.adding is False
    changes = list(ListingChange.objects.filter(kind=kind, object_id=number)[:200])
    latest = next((change for change in changes if change.action != ListingChange.Action.VERIFIED), None)
    entries = [
        {
            "change": change,
            "rows": history_text.rows(change.kind, change.fields),
            "undo": undo and history.undoable_now(change, exists, latest),
        }
        for change in changes
    ]
    verify = isinstance(obj, Meeting) and exists and may.may_verify(request.user, obj)
    context: dict[str, Any] = {
        "obj": obj,
        "kind": kind,
        "kind_label": history.Kind(kind).label,
        "exists": exists,
        "entries": entries,
        "problem": problem,
        "notice": notice,
        "verify": verify,
        "meeting": obj if isinstance(obj, Meeting) else None,
    }
    return render(request, "service/history.html", context, status=status)


def _notice(request: HttpRequest) -> str:
    return {
        "undone": _("The change is undone, and the undoing is recorded below."),
        "unadded": _("The addition is undone: the listing is removed, and its history stays below."),
        "restored": _("The removal is undone: the listing is back, and the undoing is recorded below."),
        "verified": _("Thank you: the listing is marked as confirmed today."),
    }.get(request.GET.get("done", ""), "")


@servant_required
def object_history(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    if (wrong := _only(request, "GET")) is not None:
        return wrong
    return _page(request, _kind(kind), number, notice=_notice(request))


@servant_required
def meeting_history(request: HttpRequest, slug: str) -> HttpResponse:
    if (wrong := _only(request, "GET")) is not None:
        return wrong
    meeting = get_object_or_404(Meeting, slug=slug)
    return _page(request, history.Kind.MEETING, meeting.pk, notice=_notice(request))


@servant_required
def undo(request: HttpRequest, number: int) -> HttpResponse:
    if (wrong := _only(request, "POST")) is not None:
        return wrong
    entry = ListingChange.objects.filter(pk=number).first()
    if entry is None:
        raise Http404(_("No change with that number is in the history."))
    obj = may.stand_in(entry.kind, entry.object_id)
    if obj is None or not may.may_undo(request.user, entry.kind, obj):
        return refused(request, not_yours())
    try:
        history.revert(entry, request.user.get_username())
    except history.Refused as refusal:
        return _page(request, entry.kind, entry.object_id, status=409, problem=str(refusal))
    done = {ListingChange.Action.CREATED: "unadded", ListingChange.Action.REMOVED: "restored"}.get(
        ListingChange.Action(entry.action), "undone"
    )
    target = reverse("service:history", args=[entry.kind, entry.object_id])
    return HttpResponseRedirect(f"{target}?done={done}")


# Where the "still right" button may send the servant back to: named pages, never an address from the form.
_BACK = {"history", "meeting", "unverified"}


@servant_required
def verify(request: HttpRequest, slug: str) -> HttpResponse:
    if (wrong := _only(request, "POST")) is not None:
        return wrong
    meeting = get_object_or_404(Meeting.objects.select_related("group", "service_body"), slug=slug)
    if not may.may_verify(request.user, meeting):
        return refused(request, not_yours())
    back = request.POST.get("back", "history")
    if back not in _BACK:
        return refused(
            request,
            _("The form named no page to return to (history, meeting or unverified); nothing was changed."),
            status=400,
        )
    body = request.POST.get("body", "")
    if back == "unverified" and not ServiceBody.objects.filter(slug=body).exists():
        return refused(request, _("The form named no known service body to return to; nothing was changed."), 400)
    history.verify(meeting, request.user.get_username())
    if back == "meeting":
        return HttpResponseRedirect(reverse("service:meeting", args=[meeting.slug]) + "?done=verified")
    if back == "unverified":
        return HttpResponseRedirect(reverse("service:unverified", args=[body]) + "?done=verified")
    return HttpResponseRedirect(reverse("service:meeting-history", args=[meeting.slug]) + "?done=verified")


def months_before(today: dt.date, months: int) -> dt.date:
    """The same day of the month, ``months`` earlier (the month's last day when that month is shorter)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(today.day, 0, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def not_verified_since(body: ServiceBody, since: dt.datetime) -> Any:
    """The meetings of the body and every body below it (their own body, or else their group's, as the
    permissions count it) no servant has confirmed since the time: the never-confirmed first, then the longest
    ago."""
    bodies = [b.pk for b in invitations.subtree(body)]
    return (
        Meeting.objects.filter(
            Q(service_body_id__in=bodies) | Q(service_body__isnull=True, group__service_body_id__in=bodies)
        )
        .filter(Q(last_verified__isnull=True) | Q(last_verified__lt=since))
        .select_related("group")
        .order_by(F("last_verified").asc(nulls_first=True), "name")
    )


@servant_required
def unverified(request: HttpRequest, slug: str) -> HttpResponse:
    if (wrong := _only(request, "GET")) is not None:
        return wrong
    body = get_object_or_404(ServiceBody, slug=slug)
    if not permissions.may_administer_body(request.user, body):
        return refused(request, not_yours())
    months = settings.VERIFY_MONTHS
    asked = request.GET.get("months", "")
    if asked:
        if not asked.isdigit() or not 1 <= int(asked) <= 120:
            return refused(
                request,
                _("“%(value)s” is not a number of months: give a whole number from 1 to 120.") % {"value": asked[:20]},
                400,
            )
        months = int(asked)
    since_day = months_before(timezone.localdate(), months)
    since = timezone.make_aware(dt.datetime.combine(since_day, dt.time.min))
    found = not_verified_since(body, since)
    meetings = list(found[: UNVERIFIED_SHOWN + 1])
    context = {
        "body": body,
        "months": months,
        "since": since_day,
        "meetings": meetings[:UNVERIFIED_SHOWN],
        "more": len(meetings) > UNVERIFIED_SHOWN,
        "total": found.count(),
        "notice": _notice(request),
    }
    return render(request, "service/history_unverified.html", context)
