from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def meeting_guide_feed(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def csv_feed(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def meeting_ics(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
