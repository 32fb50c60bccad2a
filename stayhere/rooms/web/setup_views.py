"""The secretary's room settings page, opened with the group's secret settings link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stayhere.rooms.web import keys
from stayhere.rooms.web.forms import RoomSettingsForm, segment_formset
from stayhere.rooms.web.forms import moved as moved_segments
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format_for


@dataclass(frozen=True)
class MeetingLink:
    name: str
    slug: str
    room_url: str
    chair_url: str  # empty unless the chair key was just drawn


@never_cache
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, key: str) -> HttpResponse:
    room = keys.settings_for_key(key)
    if room is None:
        raise Http404
    return manage(request, room)


def manage(request: HttpRequest, room: RoomSettings, signed_in: bool = False) -> HttpResponse:
    """The settings page of this room, however the caller found it (the secret settings link, or a signed-in
    servant's page that has checked the servant's role: stayhere.service.group_views, ``signed_in``: then the page
    shows no settings link, and sends its referrer to this origin so that Chromium names it on a post)."""
    if request.method == "GET":
        return _page(request, room, signed_in=signed_in, status=200, notice=_notice(request.GET.get("done", "")))
    action = request.POST.get("action", "save")
    if action == "rotate-settings":
        new_key = keys.rotate_settings_key(room)
        return HttpResponseRedirect(reverse("rooms:settings", args=[new_key]) + "?done=rotated")
    if action == "rotate-link":
        if not room.unlisted:
            return _page(
                request,
                room,
                signed_in=signed_in,
                status=400,
                notice=_("The room is listed: it has no members' link to rotate."),
            )
        link_key = keys.rotate_link_key(room)
        notice = _("New members' links are below. The old ones no longer work. Copy them now: they are shown once.")
        return _page(request, room, signed_in=signed_in, status=200, notice=notice, link_key=link_key)
    if action == "rotate-chair":
        chair_key = keys.rotate_chair_key(room)
        notice = _("New chair links are below. The old chair link no longer works. Copy them now: they are shown once.")
        return _page(request, room, signed_in=signed_in, status=200, notice=notice, chair_key=chair_key)
    if action == "restore":
        room.format = default_format_for(room.group)
        room.save(update_fields=["format"])
        return HttpResponseRedirect(request.path + "?done=restored")
    return _save(request, room, signed_in)


def _save(request: HttpRequest, room: RoomSettings, signed_in: bool) -> HttpResponse:
    """Everything on the form is saved together, or, when any field is wrong, nothing."""
    form = RoomSettingsForm(request.POST, instance=room)
    formset = segment_formset(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        stored = RoomSettings.objects.get(pk=room.pk)  # the form changed `room` while checking it
        return _page(request, stored, signed_in=signed_in, status=400, form=form, formset=formset)
    with transaction.atomic():
        changed = form.save(commit=False)
        changed.format = moved_segments(formset.kept(), request.POST.get("move", ""))
        changed.save()
        if changed.unlisted and not changed.link_key_hash:
            link_key = keys.rotate_link_key(changed)  # a room made unlisted gets its members' link now
            notice = _(
                "Saved. The room is unlisted now: only people with the members' link below can join. "
                "Copy it now and share it with the group: it is shown once."
            )
            return _page(request, changed, signed_in=signed_in, status=200, notice=notice, link_key=link_key)
    return HttpResponseRedirect(request.path + "?done=saved")


def _notice(done: str) -> str:
    return {
        "saved": _("Saved. The changes apply to rooms opened from now on."),
        "restored": _("The default format is back. Your other settings are unchanged."),
        "rotated": _(
            "This is your new settings link: bookmark this page or copy its address now. "
            "The old settings link no longer works."
        ),
    }.get(done, "")


def _page(
    request: HttpRequest,
    room: RoomSettings,
    *,
    status: int,
    signed_in: bool = False,
    notice: str = "",
    chair_key: str = "",
    link_key: str = "",
    form: RoomSettingsForm | None = None,
    formset: Any = None,
) -> HttpResponse:
    meetings = [
        MeetingLink(
            name=meeting.name,
            slug=meeting.slug,
            room_url=(
                request.build_absolute_uri(reverse("rooms:room-link", args=[meeting.slug, link_key]))
                if room.unlisted and link_key
                else ""
                if room.unlisted
                else request.build_absolute_uri(reverse("rooms:room", args=[meeting.slug]))
            ),
            chair_url=(
                request.build_absolute_uri(reverse("rooms:room-chair", args=[meeting.slug, chair_key]))
                if chair_key
                else ""
            ),
        )
        for meeting in room.group.meetings.filter(has_room=True).order_by("name", "slug")
    ]
    context = {
        "room": room,
        "group": room.group,
        "form": form or RoomSettingsForm(instance=room),
        "formset": formset or segment_formset(initial=[_initial(segment) for segment in room.format]),
        "meetings": meetings,
        "notice": notice,
        "chair_key_shown": bool(chair_key),
        "unlisted": room.unlisted,
        # A servant signed in reaches this page from their group's page, not by a secret link: none to show.
        "settings_url": "" if signed_in else request.build_absolute_uri(request.path),
        "referrer_policy": "same-origin" if signed_in else "no-referrer",
        "has_errors": form is not None,
    }
    return render(request, "rooms/settings.html", context, status=status)


def _initial(segment: object) -> dict[str, object]:
    if not isinstance(segment, dict):
        return {}
    return {name: segment.get(name, "") for name in ("kind", "title", "text", "minutes", "share_seconds", "statement")}
