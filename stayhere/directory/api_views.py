from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def meetings(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def places(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def openapi(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
