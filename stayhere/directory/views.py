from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def finder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stayhere")


def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
