"""The admin's pages send their referrer to this origin only.

Every other page sends ``Referrer-Policy: no-referrer``. From such a page Chromium posts a form with
``Origin: null``, which Django's CSRF check rightly refuses, so an operator could not even sign in to the admin.
With ``same-origin`` the browser names this origin on a post, and a link to another site still carries no referrer
(the admin links nowhere else anyway). Trusting a "null" origin instead would let any sandboxed page post here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

View = Callable[..., HttpResponse]
POLICY = "same-origin"


def same_origin(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = POLICY
        return response

    return wrapped


def _wrap_all(patterns: list[Any]) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _wrap_all(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = same_origin(entry.callback)


def admin_urls(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """``admin.site.urls`` with every view answering with the same-origin referrer policy."""
    patterns, app_name, namespace = urls
    _wrap_all(patterns)
    return patterns, app_name, namespace
