"""The room page (to be built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def room(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def room_as_chair(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    raise Http404
