"""What the servants' pages share: who may see them, the referrer policy of pages with forms, the refusal page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

View = Callable[..., HttpResponse]


def refused(request: HttpRequest, sentence: str, status: int = 403) -> HttpResponse:
    return render(request, "service/refused.html", {"sentence": sentence}, status=status)


def posts_here(view: View) -> View:
    """Pages with forms: the referrer goes to this origin only, so the browser names its origin on a post (with
    no-referrer, Chromium sends "Origin: null", which the CSRF check refuses). See service/base.html."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def servant_required(view: View) -> View:
    """Signed-in servants only; others are sent to the sign-in page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("service:sign-in") + "?next=" + request.path)
        return view(request, *args, **kwargs)

    return never_cache(posts_here(wrapped))


def not_yours() -> str:
    return _("Your roles do not cover this. Ask the admin of the service body above it if you think they should.")
