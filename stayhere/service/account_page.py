"""The servant's own account page: handle and email, a new password, notices, roles with their end dates, sign-in
security at a glance (passkeys and two-step sign-in are managed on their own page), and signing out everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stayhere.core.signin import UNAVAILABLE_RETRY_S
from stayhere.service import own_account, permissions, twofactor
from stayhere.service.forms import NoticeForm, OwnAccountForm, OwnPasswordForm
from stayhere.service.models import Passkey, RecoveryCode
from stayhere.service.web import servant_required

DONE = {
    "account": lambda: _("Saved: your handle and email are as shown."),
    "notices": lambda: _("Saved: you get the notices ticked below."),
    "password": lambda: _("Your password is changed. Every other browser signed in as you has been signed out."),
}


def _context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    user: Any = request.user
    choice = own_account.notice_choice(user)
    context: dict[str, Any] = {
        "account_form": OwnAccountForm(initial={"handle": user.get_username(), "email": user.email}, user=user),
        "password_form": OwnPasswordForm(user),
        "notice_form": NoticeForm(initial={"suggestions": choice.suggestions, "reports": choice.reports}),
        "roles": permissions.current_roles(user),
        "passkeys": Passkey.objects.filter(user_id=int(user.pk or 0)).count(),
        "two_step": twofactor.confirmed_device(user) is not None,
        "recovery_left": RecoveryCode.objects.filter(user_id=int(user.pk or 0), used_at__isnull=True).count(),
        "notice": DONE.get(request.GET.get("done", ""), lambda: "")(),
    }
    context.update(forms)
    return context


@servant_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "service/account.html", _context(request))
    action = request.POST.get("action")
    if action == "account":
        form = OwnAccountForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "service/account.html", _context(request, account_form=form), status=400)
        own_account.rename(request.user, form.cleaned_data["handle"], form.cleaned_data["email"])
        return HttpResponseRedirect(reverse("service:account") + "?done=account")
    if action == "password":
        return _password(request)
    if action == "notices":
        notices = NoticeForm(request.POST)
        notices.is_valid()  # two tick boxes: anything posted reads as ticked or not
        own_account.set_notices(
            request.user, notices.cleaned_data.get("suggestions", False), notices.cleaned_data.get("reports", False)
        )
        return HttpResponseRedirect(reverse("service:account") + "?done=notices")
    context = _context(request, error=_("Choose one of the buttons on this page: nothing was changed."))
    return render(request, "service/account.html", context, status=400)


def _password(request: HttpRequest) -> HttpResponse:
    form = OwnPasswordForm(request.user, request.POST)
    if not form.is_valid():
        response = render(request, "service/account.html", _context(request, password_form=form), status=400)
        if form.unavailable:
            response.status_code = 503
            response["Retry-After"] = str(UNAVAILABLE_RETRY_S)
        elif form.refused is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.refused.retry_after)
        return response
    own_account.change_password(request, request.user, form.cleaned_data["new_password1"])
    return HttpResponseRedirect(reverse("service:account") + "?done=password")


@servant_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = request.user
    own_account.sign_out_everywhere(user)
    logout(request)
    return HttpResponseRedirect(reverse("service:sign-in") + "?signed-out=everywhere")
