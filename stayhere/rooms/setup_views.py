"""The secretary's room settings (to be built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def settings(request: HttpRequest, key: str) -> HttpResponse:
    raise Http404
