"""The servants' pages and the visitors' "Suggest a change" form. Thin: forms read input, permissions decide,
``listing``, ``suggestions`` and ``invitations`` do the work."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stayhere.core import cache
from stayhere.core.signin import UNAVAILABLE_RETRY_S, unavailable_sentence
from stayhere.directory.models import Attendance, Group, Meeting, ServiceBody
from stayhere.service import (
    group_setup,
    history_text,
    invitations,
    listing,
    notices,
    permissions,
    suggestions,
    tree,
)
from stayhere.service import history as listing_history
from stayhere.service.forms import (
    AcceptForm,
    BodyForm,
    GroupForm,
    InactiveForm,
    InviteForm,
    MeetingForm,
    RejectForm,
    SuggestionForm,
)
from stayhere.service.models import ChangeRequest, Role, RoleKind
from stayhere.service.web import not_yours, posts_here, refused, servant_required


@servant_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    body_form = BodyForm(request.POST if request.method == "POST" else None, prefix="body")
    if request.method == "POST":
        if not permissions.is_site_admin(request.user):
            return refused(request, not_yours())
        if body_form.is_valid():
            body = tree.add_body(
                None, body_form.cleaned_data["name"], body_form.cleaned_data["kind"], who=request.user.get_username()
            )
            return HttpResponseRedirect(reverse("service:body", args=[body.slug]))
    roles = permissions.current_roles(request.user)
    if permissions.is_site_admin(request.user):
        bodies = list(ServiceBody.objects.filter(parent__isnull=True))
    else:
        bodies = [role.service_body for role in roles if role.service_body is not None]
    groups = [role.group for role in roles if role.group is not None]
    context = {"roles": roles, "bodies": bodies, "groups": groups, "body_form": body_form}
    return render(request, "service/home.html", context, status=400 if body_form.errors else 200)


# A group's meetings, one meeting's edit page


def _meeting_page(request: HttpRequest, meeting: Meeting, status: int = 200, **context: Any) -> HttpResponse:
    history = [
        {"change": change, "rows": history_text.rows(change.kind, change.fields)}
        for change in listing_history.of(meeting, limit=50)
    ]
    context.setdefault("form", MeetingForm.for_meeting(meeting))
    context.setdefault("inactive_form", InactiveForm())
    if meeting.has_room:
        from stayhere.phone.codes import code_for

        context.setdefault("phone_code", code_for(meeting))
    context.update(meeting=meeting, history=history, notice=context.get("notice", _notice(request)))
    return render(request, "service/meeting.html", context, status=status)


def _notice(request: HttpRequest) -> str:
    return {
        "saved": _("Saved. The listing is updated in the finder and the feeds."),
        "unchanged": _("Nothing differed from the listing, so nothing was changed."),
        "inactive": _("The meeting is marked temporarily inactive."),
        "added": _("The meeting is added: the finder and the feeds list it now."),
        "verified": _("Thank you: the listing is marked as confirmed today."),
        "phone_code": _("The meeting has a new phone code. The old one no longer opens it: tell its members."),
    }.get(request.GET.get("done", ""), "")


@servant_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("group__service_body", "service_body"), slug=slug)
    if not permissions.may_edit_meeting(request.user, meeting):
        return refused(request, not_yours())
    if request.method == "GET":
        return _meeting_page(request, meeting)
    if request.POST.get("action") == "inactive":
        return _mark_inactive(request, meeting)
    if request.POST.get("action") == "phone_code":
        return _rotate_phone_code(request, meeting)
    form = MeetingForm.for_meeting(meeting, request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, form=form)
    try:
        if request.POST.get("action") == "preview":
            preview = group_setup.preview(listing.checked(meeting, form.listing_values()))
            return _meeting_page(request, meeting, form=form, preview=preview)
        record = listing.apply(meeting, form.listing_values(), who=request.user.get_username())
    except listing.ListingInvalid as invalid:
        form.add_listing_errors(invalid.errors)
        return _meeting_page(request, meeting, status=400, form=form)
    return HttpResponseRedirect(request.path + ("?done=saved" if record else "?done=unchanged"))


def _rotate_phone_code(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    from stayhere.phone.codes import rotate

    if not meeting.has_room:
        return _meeting_page(request, meeting, status=400, notice=_("This meeting has no room here, so no phone code."))
    rotate(meeting)
    return HttpResponseRedirect(request.path + "?done=phone_code")


def _mark_inactive(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = InactiveForm(request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, inactive_form=form)
    until = form.cleaned_data["until"]
    changes = {
        "attendance": Attendance.INACTIVE,
        "inactive_reason": form.cleaned_data["reason"].strip(),
        "inactive_until": until.isoformat() if until else "",
    }
    try:
        listing.apply(meeting, changes, who=request.user.get_username())
    except listing.ListingInvalid as invalid:
        for messages in invalid.errors.values():
            form.add_error(None, messages)
        return _meeting_page(request, meeting, status=400, inactive_form=form)
    return HttpResponseRedirect(request.path + "?done=inactive")


# A service body: its invitations and its queue


def _subtree_choices(body: ServiceBody) -> tuple[list[ServiceBody], list[Group]]:
    bodies = invitations.subtree(body)
    groups = list(Group.objects.filter(service_body__in=bodies).order_by("name"))
    return bodies, groups


def _invite_form(body: ServiceBody, data: Any = None) -> InviteForm:
    bodies, groups = _subtree_choices(body)
    return InviteForm(data, groups=[(g.slug, g.name) for g in groups], bodies=[(b.slug, b.name) for b in bodies])


@servant_required
@require_http_methods(["GET", "POST"])
def body_page(request: HttpRequest, slug: str) -> HttpResponse:
    body = get_object_or_404(ServiceBody, slug=slug)
    admin = permissions.may_administer_body(request.user, body)
    if not (admin or permissions.may_review(request.user, body)):
        return refused(request, not_yours())
    action = request.POST.get("action", "invite") if request.method == "POST" else ""
    form = _invite_form(body, request.POST if action == "invite" else None)
    context: dict[str, Any] = {
        "body": body,
        "admin": admin,
        "invite_form": form,
        "open_count": _queue(body).count(),
        "body_form": BodyForm(request.POST if action == "add-body" else None, prefix="body"),
        "group_form": GroupForm(request.POST if action == "add-group" else None, prefix="group"),
    }
    bodies, groups = _subtree_choices(body)
    context.update(bodies=bodies[1:], groups=groups)
    if request.method == "GET":
        return render(request, "service/body.html", context)
    if not admin:
        return refused(request, not_yours())
    if action in ("add-body", "add-group"):
        return _grow(request, body, action, context)
    if not form.is_valid():
        return render(request, "service/body.html", context, status=400)
    kind = form.cleaned_data["kind"]
    target_body = ServiceBody.objects.filter(slug=form.cleaned_data["body"]).first()
    target_group = Group.objects.filter(slug=form.cleaned_data["group"]).first()
    if not permissions.may_invite(request.user, kind, body=target_body, group=target_group):
        return refused(request, not_yours())
    issued = invitations.invite(
        request.user, kind, body=target_body, group=target_group, ends_on=form.cleaned_data["ends_on"]
    )
    link = request.build_absolute_uri(reverse("service:accept", args=[issued.token]))
    context.update(invite_form=_invite_form(body), invited=issued.invitation, invitation_link=link)
    return render(request, "service/body.html", context)


def _grow(request: HttpRequest, body: ServiceBody, action: str, context: dict[str, Any]) -> HttpResponse:
    """Adds a service body or a group below this body (the caller has checked that the servant administers it)."""
    form = context["body_form"] if action == "add-body" else context["group_form"]
    if not form.is_valid():
        return render(request, "service/body.html", context, status=400)
    if action == "add-body":
        child = tree.add_body(
            body, form.cleaned_data["name"], form.cleaned_data["kind"], who=request.user.get_username()
        )
        return HttpResponseRedirect(reverse("service:body", args=[child.slug]))
    tree.add_group(body, form.cleaned_data["name"], who=request.user.get_username())
    return HttpResponseRedirect(request.path + "?done=group")


def _queue(body: ServiceBody) -> Any:
    suggestions.forget_old_notes()  # a note past its time is not shown, even where no timer runs the command
    bodies = invitations.subtree(body)
    return ChangeRequest.objects.filter(status=ChangeRequest.Status.OPEN).filter(
        Q(meeting__service_body__in=bodies)
        | Q(meeting__service_body__isnull=True, meeting__group__service_body__in=bodies)
    )


@servant_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    body = get_object_or_404(ServiceBody, slug=slug)
    if not permissions.may_review(request.user, body):
        return refused(request, not_yours())
    requests = _queue(body).select_related("meeting")
    return render(request, "service/queue.html", {"body": body, "requests": requests})


def _edit_form(change: ChangeRequest) -> MeetingForm:
    """The listing as it would be with the suggestion, for a reviewer to adjust before approving."""
    form = MeetingForm.for_meeting(change.meeting)
    for name, after in change.proposed.items():
        if name == "days":
            form.initial[name] = [str(day) for day in after]
        elif name == "types":
            form.initial[name] = ", ".join(after)
        else:
            form.initial[name] = after
    return form


def _diff_rows(change: ChangeRequest) -> list[dict[str, Any]]:
    now = listing.values(change.meeting)
    return [
        {
            "label": listing.label(name),
            "before": listing.shown(name, change.base.get(name)),
            "now": listing.shown(name, now.get(name)),
            "after": listing.shown(name, after),
            "moved": now.get(name) != change.base.get(name),
        }
        for name, after in change.proposed.items()
    ]


@servant_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, number: int) -> HttpResponse:
    suggestions.forget_old_notes()
    change = get_object_or_404(ChangeRequest.objects.select_related("meeting__group__service_body"), pk=number)
    if not permissions.may_review_meeting(request.user, change.meeting):
        return refused(request, not_yours())
    context: dict[str, Any] = {"change": change, "reject_form": RejectForm(), "edit_form": _edit_form(change)}
    if request.method == "POST":
        by = request.user.get_username()
        action = request.POST.get("action")
        try:
            if action == "approve":
                suggestions.approve(change.pk, by)
                context["notice"] = _("Approved: the listing now shows the suggested change.")
            elif action == "edit-approve":
                edit = MeetingForm.for_meeting(change.meeting, request.POST)
                context["edit_form"] = edit
                if not edit.is_valid():
                    context.update(rows=_diff_rows(change))
                    return render(request, "service/request.html", context, status=400)
                suggestions.approve(change.pk, by, edited=edit.listing_values())
                context["notice"] = _("Approved with your changes: the listing now shows them.")
            else:
                reject = RejectForm(request.POST)
                if not reject.is_valid():
                    context.update(rows=_diff_rows(change), reject_form=reject)
                    return render(request, "service/request.html", context, status=400)
                suggestions.reject(change.pk, by, reject.cleaned_data["reason"])
                context["notice"] = _("Rejected. The reason is kept with the suggestion.")
        except (suggestions.SuggestionRefused, listing.ListingInvalid) as refusal:
            context.update(
                rows=_diff_rows(change),
                error=str(refusal)
                if isinstance(refusal, suggestions.SuggestionRefused)
                else _invalid_sentence(refusal),
            )
            return render(request, "service/request.html", context, status=409)
        change.refresh_from_db()
    context["rows"] = _diff_rows(change)
    return render(request, "service/request.html", context)


def _invalid_sentence(invalid: listing.ListingInvalid) -> str:
    details = " ".join(message for messages in invalid.errors.values() for message in messages)
    return _("Applied to the listing as it is now, the suggestion would not make a valid listing: %(details)s") % {
        "details": details
    }


# Invitations


@servant_required
@require_POST
def hand_over(request: HttpRequest, number: int) -> HttpResponse:
    role = get_object_or_404(Role.objects.select_related("group__service_body", "service_body", "user"), pk=number)
    if not permissions.may_hand_over(request.user, role):
        return refused(request, not_yours())
    issued = invitations.hand_over(request.user, role)
    link = request.build_absolute_uri(reverse("service:accept", args=[issued.token]))
    return render(request, "service/handover.html", {"role": role, "invited": issued.invitation, "link": link})


@never_cache
@posts_here
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.usable(token)
    except invitations.InvitationRefused as refusal:
        return refused(request, str(refusal), status=410)
    signed_in = request.user.is_authenticated
    form = AcceptForm(request.POST if request.method == "POST" and not signed_in else None)
    over = invitation.group or invitation.service_body
    context = {"invitation": invitation, "over": over, "form": form, "signed_in": signed_in}
    if request.method == "GET":
        return render(request, "service/accept.html", context)
    if not signed_in and not form.is_valid():
        return render(request, "service/accept.html", context, status=400)
    try:
        if signed_in:
            role = invitations.accept(token, user=request.user)
        else:
            data = form.cleaned_data
            role = invitations.accept(token, handle=data["handle"], password=data["password"], email=data["email"])
            login(request, role.user, backend="django.contrib.auth.backends.ModelBackend")
    except invitations.InvitationRefused as refusal:
        return refused(request, str(refusal), status=410)
    target = (
        reverse("service:group", args=[role.group.slug])
        if role.kind == RoleKind.SECRETARY and role.group is not None
        else reverse("service:home")
    )
    return HttpResponseRedirect(target)


# Suggest a change (anyone)


@never_cache
@posts_here
@require_http_methods(["GET", "POST"])
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = Meeting.objects.filter(slug=slug).first()
    if meeting is None:
        raise Http404("no meeting with this slug")
    if request.method == "GET":
        return render(
            request, "service/suggest.html", {"meeting": meeting, "form": SuggestionForm.for_meeting(meeting)}
        )
    form = SuggestionForm.for_meeting(meeting, request.POST)
    context: dict[str, Any] = {"meeting": meeting, "form": form}
    try:
        limit = suggestions.limited(meeting)
    except cache.CacheDown:
        response = render(request, "service/suggest.html", {**context, "error": unavailable_sentence()}, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_S)
        return response
    if limit is not None:
        response = render(request, "service/suggest.html", {**context, "error": limit.sentence()}, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response
    if not form.is_valid():
        return render(request, "service/suggest.html", context, status=400)
    try:
        suggestions.count(meeting)
        made = suggestions.suggest(
            meeting, form.listing_values(), form.cleaned_data["note"], form.cleaned_data["contact"]
        )
    except cache.CacheDown:
        response = render(request, "service/suggest.html", {**context, "error": unavailable_sentence()}, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_S)
        return response
    except listing.ListingInvalid as invalid:
        form.add_listing_errors(invalid.errors)
        return render(request, "service/suggest.html", context, status=400)
    except suggestions.SuggestionRefused as refusal:
        return render(request, "service/suggest.html", {**context, "error": str(refusal)}, status=400)
    notices.tell_reviewers(made, request.build_absolute_uri(reverse("service:request", args=[made.pk])))
    return render(request, "service/suggested.html", {"meeting": meeting})
