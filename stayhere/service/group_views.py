"""A group's own pages for its secretary (and the admins above it): the statement and the facets only a group
sets, room settings and links, slips, new meetings, meeting places, removing a meeting; previews of the listing
as the finder shows it. Thin: forms read, ``permissions`` decides, ``group_setup`` and the rooms' and slips' own
modules do the work."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stayhere.directory.models import Group, Location, Meeting
from stayhere.rooms.web import keys, setup_views
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format_for
from stayhere.service import group_setup, history, listing, permissions, reports
from stayhere.service.forms import GroupStatementForm, LocationForm, MeetingForm, SlipsForm, WhereForm
from stayhere.service.web import not_yours, refused, servant_required
from stayhere.slips import keystore

DONE = {
    "statement": lambda: _("Saved. The group's meetings show it in the finder and the feeds now."),
    "slips-on": lambda: _("Attendance slips are on for the group's rooms."),
    "slips-off": lambda: _("Attendance slips are off. Slips given before still verify."),
    "place": lambda: _("The place is saved; the meetings held there show it now."),
    "removed": lambda: _("The meeting is removed from the directory."),
}


def _group(request: HttpRequest, slug: str) -> Group | HttpResponse:
    group = get_object_or_404(Group.objects.select_related("service_body"), slug=slug)
    return group if permissions.may_manage_group(request.user, group) else refused(request, not_yours())


def _slips_form(group: Group) -> SlipsForm:
    current = keystore.settings_of(group)
    initial = {"enabled": bool(current and current.enabled), "minimum_minutes": current and current.minimum_minutes}
    return SlipsForm(initial=initial)


@servant_required
def group_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's meetings and everything its secretary sets up."""
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    context = {
        "group": group,
        "meetings": Meeting.objects.filter(group=group).order_by("name"),
        "places": group_setup.places(group),
        "slips_form": _slips_form(group),
        "has_room": RoomSettings.objects.filter(group=group).exists(),
        "notice": DONE.get(request.GET.get("done", ""), lambda: "")(),
    }
    return render(request, "service/group.html", context)


@servant_required
@require_http_methods(["GET", "POST"])
def statement(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    form = GroupStatementForm(request.POST or None, instance=group)
    context: dict[str, Any] = {"group": group, "form": form}
    if request.method == "GET":
        return render(request, "service/group_statement.html", context)
    if not form.is_valid():
        return render(request, "service/group_statement.html", {**context, "group": _fresh(group)}, status=400)
    if request.POST.get("action") == "preview":
        shown = form.save(commit=False)  # the form's instance, in memory only
        sample = Meeting.objects.filter(group=group).select_related("location").order_by("name").first()
        if sample is not None:
            sample.group = shown
        context.update(preview=group_setup.preview(sample) if sample else None, preview_statement=shown.statement)
        return render(request, "service/group_statement.html", context)
    before = history.snapshot(_fresh(group))  # the form has already written its values onto ``group``
    form.save()
    history.record(group, request.user.get_username(), before)
    return HttpResponseRedirect(reverse("service:group", args=[group.slug]) + "?done=statement")


def _fresh(group: Group) -> Group:
    return Group.objects.get(pk=group.pk)


@servant_required
@require_http_methods(["GET", "POST"])
def room(request: HttpRequest, slug: str) -> HttpResponse:
    """The room's settings page (format, readings, passcode, waiting room, unlisted), as the secret settings link
    opens it: the same forms and checks (stayhere.rooms.web.setup_views)."""
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    settings, _made = RoomSettings.objects.get_or_create(group=group, defaults={"format": default_format_for(group)})
    response = setup_views.manage(request, settings, signed_in=True)
    response["Referrer-Policy"] = "same-origin"
    return response


@servant_required
@require_POST
def room_links(request: HttpRequest, slug: str) -> HttpResponse:
    """New secret links for the group's room, shown once; the old ones stop working."""
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    if request.POST.get("confirm") != "yes":
        context = {"group": group, "error": _("Tick the box to say you understand the old links stop working.")}
        return render(request, "service/room_links.html", context, status=400)
    links = keys.fresh_links(group, request.build_absolute_uri("/"))
    return render(request, "service/room_links.html", {"group": group, "links": links})


@servant_required
@require_POST
def slips(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    form = SlipsForm(request.POST)
    if not form.is_valid():
        context = {
            "group": group,
            "meetings": Meeting.objects.filter(group=group).order_by("name"),
            "places": group_setup.places(group),
            "slips_form": form,
            "has_room": RoomSettings.objects.filter(group=group).exists(),
        }
        return render(request, "service/group.html", context, status=400)
    if form.cleaned_data["enabled"]:
        keystore.enable(group, timezone.now(), form.cleaned_data["minimum_minutes"])
        done = "slips-on"
    else:
        keystore.disable(group)
        done = "slips-off"
    return HttpResponseRedirect(reverse("service:group", args=[group.slug]) + f"?done={done}")


def _where_form(group: Group, data: Any = None) -> WhereForm:
    choices = [(str(place.pk), str(place)) for place in group_setup.places(group)]
    return WhereForm(data, places=choices)


@servant_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    data = request.POST if request.method == "POST" else None
    zone = Meeting.objects.filter(group=group).values_list("timezone", flat=True).first() or ""
    form = MeetingForm(data, initial={"timezone": zone, "attendance": "in_person"})
    where = _where_form(group, data)
    context: dict[str, Any] = {"group": group, "form": form, "where_form": where}
    if request.method == "GET":
        return render(request, "service/meeting_new.html", context)
    if not (form.is_valid() and where.is_valid()):
        return render(request, "service/meeting_new.html", context, status=400)
    chosen = where.cleaned_data["location"]
    place = Location.objects.filter(pk=chosen).first() if chosen else None
    try:
        if request.POST.get("action") == "preview":
            context["preview"] = group_setup.preview(group_setup.draft(group, form.listing_values(), place))
            return render(request, "service/meeting_new.html", context)
        made = group_setup.add_meeting(group, form.listing_values(), place, who=request.user.get_username())
    except listing.ListingInvalid as invalid:
        form.add_listing_errors(invalid.errors)
        return render(request, "service/meeting_new.html", context, status=400)
    return HttpResponseRedirect(reverse("service:meeting", args=[made.slug]) + "?done=added")


@servant_required
@require_POST
def meeting_remove(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("group__service_body", "service_body"), slug=slug)
    if not permissions.may_edit_meeting(request.user, meeting):
        return refused(request, not_yours())
    if request.POST.get("confirm") != "yes":
        return refused(request, _("Tick the box to confirm the meeting is to be removed: nothing was changed."), 400)
    group = meeting.group
    reports.remove(meeting, request.user.get_username())
    target = reverse("service:group", args=[group.slug]) if group is not None else reverse("service:home")
    return HttpResponseRedirect(target + "?done=removed")


@servant_required
@require_http_methods(["GET", "POST"])
def place_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A new place for the group's meetings, and the meeting (of the group) that meets there from now on."""
    group = _group(request, slug)
    if isinstance(group, HttpResponse):
        return group
    form = LocationForm(request.POST or None)
    meetings = list(Meeting.objects.filter(group=group).order_by("name"))
    context: dict[str, Any] = {"group": group, "form": form, "meetings": meetings}
    if request.method == "GET":
        return render(request, "service/place.html", context)
    chosen = [m for m in meetings if str(m.pk) in request.POST.getlist("meetings")]
    if not form.is_valid():
        return render(request, "service/place.html", context, status=400)
    if not chosen:
        context["error"] = _("Tick at least one of the group's meetings that meets at this place.")
        return render(request, "service/place.html", context, status=400)
    place = form.save(commit=False)
    who = request.user.get_username()
    group_setup.save_location(place)
    history.record_created(place, who, via=history.Via.PAGE)
    for meeting in chosen:
        before = history.snapshot(meeting)
        meeting.location = place
        meeting.save(update_fields=["location"])
        history.record(meeting, who, before)
    group_setup.save_location(place)  # the moved meetings' distances
    return HttpResponseRedirect(reverse("service:group", args=[group.slug]) + "?done=place")


@servant_required
@require_http_methods(["GET", "POST"])
def place_edit(request: HttpRequest, number: int) -> HttpResponse:
    place = get_object_or_404(Location, pk=number)
    if not permissions.may_edit_location(request.user, place):
        return refused(request, not_yours())
    form = LocationForm(request.POST or None, instance=place)
    context: dict[str, Any] = {"place": place, "form": form, "meetings": Meeting.objects.filter(location=place)}
    if request.method == "GET":
        context["notice"] = DONE.get(request.GET.get("done", ""), lambda: "")()
        return render(request, "service/place.html", context)
    if not form.is_valid():
        context["place"] = Location.objects.get(pk=place.pk)
        return render(request, "service/place.html", context, status=400)
    before = history.snapshot(Location.objects.get(pk=place.pk))  # the form has written its values onto ``place``
    group_setup.save_location(form.save(commit=False))
    history.record(place, request.user.get_username(), before)
    return HttpResponseRedirect(request.path + "?done=place")
