"""Signing in as a servant: handle and password (under the sign-in limits), the authenticator app's code after it
when turned on, passkeys; and the sign-in security page where a servant turns those on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stayhere.core import cache, signin
from stayhere.core.signin import UNAVAILABLE_RETRY_S, unavailable_sentence
from stayhere.service import passkeys, twofactor
from stayhere.service.forms import (
    CodeForm,
    ServantSignInForm,
    SignInCodeForm,
)
from stayhere.service.models import Passkey
from stayhere.service.web import posts_here, servant_required

# Signing in


@never_cache
@posts_here
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = ServantSignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        target = request.GET.get("next", "")
        # Only our own pages: the servants' and the admin's (an account with a code comes to the admin this way).
        target = target if target.startswith(("/service/", "/admin/")) else reverse("service:home")
        if twofactor.confirmed_device(user) is not None:  # the password was right: now the code
            request.session[PENDING] = {"user": user.pk, "next": target}
            return HttpResponseRedirect(reverse("service:sign-in-code"))
        login(request, user)
        return HttpResponseRedirect(target)
    context = {"form": form, "signed_out_everywhere": request.GET.get("signed-out") == "everywhere"}
    response = render(request, "service/sign_in.html", context, status=400 if form.errors else 200)
    if form.unavailable:
        response.status_code = 503
        response["Retry-After"] = str(UNAVAILABLE_RETRY_S)
    elif form.refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(form.refused.retry_after)
    return response


PENDING = "service_pending_sign_in"


@never_cache
@posts_here
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step, for a servant who turned it on: the password was right, the code is asked."""
    pending: dict[str, Any] = request.session.get(PENDING) or {}
    user = get_user_model().objects.filter(pk=int(pending["user"]), is_active=True).first() if pending else None
    if user is None:
        return HttpResponseRedirect(reverse("service:sign-in"))
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "service/sign_in_code.html", {"form": form})
    name = user.get_username()
    try:
        refusal = signin.refusal(name)
        if refusal is not None:
            return _code_page(request, form, refusal.sentence(), 429, retry_after=refusal.retry_after)
        if not form.is_valid():
            signin.record_failure(name)
            return _code_page(request, form, "", 400)
        code = form.cleaned_data["code"]
        try:
            if twofactor.is_recovery_code(code):
                twofactor.use_recovery_code(user, code)
            else:
                twofactor.verify(user, code)
        except twofactor.CodeRefused as wrong:
            signin.record_failure(name)
            return _code_page(request, form, str(wrong), 400)
    except cache.CacheDown:
        return _code_page(request, form, unavailable_sentence(), 503, retry_after=UNAVAILABLE_RETRY_S)
    del request.session[PENDING]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(str(pending["next"]))


def _code_page(
    request: HttpRequest, form: SignInCodeForm, error: str, status: int, retry_after: int = 0
) -> HttpResponse:
    response = render(request, "service/sign_in_code.html", {"form": form, "error": error}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@servant_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the authenticator-app step on (scan, then type a code back) or off (type a current code)."""
    on = twofactor.confirmed_device(request.user) is not None
    if request.method == "GET":
        return render(request, "service/two_factor.html", _two_factor_context(request, on, CodeForm()))
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            return render(request, "service/two_factor.html", _two_factor_context(request, on, form), status=400)
        if on and request.POST.get("action") == "recovery":
            twofactor.verify(request.user, form.cleaned_data["code"])
            context = _two_factor_context(request, True, CodeForm())
            context.update(
                notice=_("New recovery codes are drawn: the old ones no longer work."),
                recovery_codes=twofactor.new_recovery_codes(request.user),
            )
            return render(request, "service/two_factor.html", context)
        if on:
            twofactor.verify(request.user, form.cleaned_data["code"])
            twofactor.turn_off(request.user)
            notice = _("Two-step sign-in is off.")
        else:
            twofactor.confirm(twofactor.enrolment(request.user), form.cleaned_data["code"])
            notice = _("Two-step sign-in is on: from now on you are asked for a code after your password.")
            context = _two_factor_context(request, True, CodeForm())
            context.update(notice=notice, recovery_codes=twofactor.new_recovery_codes(request.user))
            return render(request, "service/two_factor.html", context)
    except twofactor.CodeRefused as wrong:
        context = _two_factor_context(request, on, form)
        context["error"] = str(wrong)
        return render(request, "service/two_factor.html", context, status=400)
    context = _two_factor_context(request, not on, CodeForm())
    context["notice"] = notice
    return render(request, "service/two_factor.html", context)


def _two_factor_context(request: HttpRequest, on: bool, form: CodeForm) -> dict[str, Any]:
    done = {
        "passkey": _("The passkey is added: next time, sign in with it."),
        "passkey-removed": _("The passkey is removed."),
    }.get(request.GET.get("done", ""), "")
    context: dict[str, Any] = {
        "on": on,
        "form": form,
        "passkeys": Passkey.objects.filter(user_id=int(request.user.pk or 0)),
        "notice": done,
    }
    if not on:
        device = twofactor.enrolment(request.user)
        context.update(secret=twofactor.secret_text(device), qr=twofactor.qr_data_uri(device))
    return context


# Passkeys


def _json_options(options: str) -> HttpResponse:
    return HttpResponse(options, content_type="application/json")


@servant_required
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    return _json_options(passkeys.registration_options(request, request.user))


@servant_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    try:
        body = passkeys.read_body(request.body)
        passkeys.register(request, request.user, body.get("credential"), str(body.get("name") or ""))
    except passkeys.PasskeyRefused as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    return JsonResponse({"ok": True})


@servant_required
@require_POST
def passkey_remove(request: HttpRequest, number: int) -> HttpResponse:
    Passkey.objects.filter(pk=number, user_id=int(request.user.pk or 0)).delete()
    return HttpResponseRedirect(reverse("service:two-factor") + "?done=passkey-removed")


@never_cache
@posts_here
@require_POST
def passkey_sign_in_options(request: HttpRequest) -> HttpResponse:
    return _json_options(passkeys.authentication_options(request))


@never_cache
@posts_here
@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """Signs in with a passkey alone; a failed check counts against the servant's sign-in limits."""
    try:
        body = passkeys.read_body(request.body)
        passkey = passkeys.known_passkey(body.get("credential"))
        if passkey is None:
            raise passkeys.PasskeyRefused(
                _("This passkey is not known here: sign in with your handle and password, then add it.")
            )
        name = passkey.user.get_username()
        refusal = signin.refusal(name)
        if refusal is not None:
            return JsonResponse(
                {"error": refusal.sentence()}, status=429, headers={"Retry-After": str(refusal.retry_after)}
            )
        try:
            user = passkeys.authenticate(request, passkey, body.get("credential"))
        except passkeys.PasskeyRefused:
            signin.record_failure(name)
            raise
    except passkeys.PasskeyRefused as refused:
        return JsonResponse({"error": str(refused)}, status=400)
    except cache.CacheDown:
        return JsonResponse(
            {"error": unavailable_sentence()}, status=503, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)}
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = str(body.get("next") or "")
    return JsonResponse({"next": target if target.startswith("/service/") else reverse("service:home")})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("service:sign-in"))
