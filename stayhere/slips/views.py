"""Slip pages: verifying, the key list, and the in-person pages (the chair's rotating code, the attendee's scan).

Thin: the work is in verify, inperson and signing. No view logs a request body, and the access log names the
URL pattern, never the path (which holds the chair key or a minute code). The JSON endpoints change nothing on
the server, so they take no CSRF token (the pages set no cookie).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from stayhere.directory.models import Meeting
from stayhere.slips import inperson
from stayhere.slips.errors import SlipRefused
from stayhere.slips.models import SigningKey
from stayhere.slips.signing import qr_svg, verify_url
from stayhere.slips.verify import MAX_TOKEN, extract_token, key_summary, verify_token, verify_with_name

MAX_BODY = 8000


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body.decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """The officer's page. With JavaScript the name is checked in the page; without, only if the officer ticks
    the box, by the server from this one request (never logged, never kept)."""
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = upload.read(MAX_TOKEN + 1000).decode("utf-8", "replace") if upload else request.POST.get("token", "")
        token = extract_token(text)
        name, salt = request.POST.get("name", ""), request.POST.get("salt", "")
        by_server = request.POST.get("check_name") == "on" and bool(name)
        verdict = verify_with_name(token, name, salt) if by_server else verify_token(token)
        context = {"verdict": verdict, "token": token}
    return render(request, "slips/verify.html", context)


@csrf_exempt
@require_POST
def check(request: HttpRequest) -> JsonResponse:
    """{"token"} -> the verdict on the signature and key (the page checks the name itself)."""
    data = _json_body(request)
    if data is None or not isinstance(data.get("token"), str):
        return _bad_request(_('Send the slip as JSON: {"token": "SH1...."}.'))
    return JsonResponse(verify_token(data["token"]).as_json())


@csrf_exempt
@require_POST
def qr(request: HttpRequest) -> JsonResponse:
    """{"token"} -> the verify link of a slip and its QR code, for a page that got a slip without one."""
    data = _json_body(request)
    token = extract_token(str((data or {}).get("token", "")))
    if not verify_token(token).slip:
        return _bad_request(_("This is not a whole slip: ask for a new one."))
    url = verify_url(_base(request), token)
    return JsonResponse({"url": url, "qr_svg": qr_svg(url)})


def _key_list() -> list[dict[str, Any]]:
    keys = SigningKey.objects.select_related("group").order_by("group__slug", "created_at")
    return [key_summary(key) for key in keys]


@require_safe
def keys_page(request: HttpRequest) -> HttpResponse:
    return render(request, "slips/keys.html", {"keys": _key_list()})


@require_safe
def keys_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"algorithm": "Ed25519", "keys": _key_list()})


def _meeting(slug: str) -> Meeting:
    meeting = Meeting.objects.select_related("group").filter(slug=slug).first()
    if meeting is None:
        raise Http404("no meeting at this address")
    return meeting


def _chair_meeting(slug: str, key: str) -> Meeting:
    meeting = _meeting(slug)
    if not inperson.chair_key_ok(meeting, key):
        raise Http404("not a chair link")
    return meeting


@never_cache
@require_safe
def chair_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    meeting = _chair_meeting(slug, key)
    return render(request, "slips/chair.html", {"meeting": meeting, "key": key})


@never_cache
@require_safe
def chair_code(request: HttpRequest, slug: str, key: str) -> JsonResponse:
    """This minute's code as a QR code; the chair's page asks for it every minute."""
    meeting = _chair_meeting(slug, key)
    try:
        shown = inperson.current(meeting.slug, time.time())
    except SlipRefused as refused:
        return JsonResponse({"error": str(refused)}, status=409)
    url = _base(request) + shown.path
    return JsonResponse({"minute": shown.minute, "seconds_left": shown.seconds_left, "url": url, "qr_svg": qr_svg(url)})


@never_cache
@require_safe
def here_page(request: HttpRequest, slug: str, minute: int, code: str) -> HttpResponse:
    """Where scanning the chair's code leads; the page's script does the scan (see scan)."""
    meeting = _meeting(slug)
    return render(request, "slips/here.html", {"meeting": meeting, "minute": minute, "code": code})


@csrf_exempt
@never_cache
@require_POST
def scan(request: HttpRequest, slug: str) -> JsonResponse:
    """{"minute", "code", "arrival", "commitment"} -> an arrival ticket, a wait, or a slip (see inperson.scan)."""
    data = _json_body(request)
    if data is None or not isinstance(data.get("minute"), int):
        return _bad_request(_("The scan is damaged: scan the code on the chair's screen again."))
    fields = {name: data.get(name) or "" for name in ("code", "arrival", "commitment")}
    if not all(isinstance(value, str) for value in fields.values()):
        return _bad_request(_("The scan is damaged: scan the code on the chair's screen again."))
    try:
        answer = inperson.scan(
            slug, data["minute"], fields["code"], fields["arrival"], fields["commitment"], time.time(), _base(request)
        )
    except SlipRefused as refused:
        return JsonResponse({"error": str(refused)}, status=409)
    return JsonResponse(answer)
