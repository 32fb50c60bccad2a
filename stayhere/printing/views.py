"""The printed schedule's two pages: the form that offers the choices, and the PDF it asks for.

A mistake in the choices answers the form again with the mistake in a sentence (400; 404 for a service body
or region with no meeting listed now); a server busy laying out other schedules answers 503 with Retry-After.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from stayhere.directory.models import ServiceBody
from stayhere.printing import choices as print_choices
from stayhere.printing import document, printer
from stayhere.printing.choices import ChoiceError, Choices

MAX_AGE = 300
logger = logging.getLogger(__name__)


def _form(request: HttpRequest, chosen: Choices, errors: list[str], status: int = 200) -> HttpResponse:
    bodies = list(ServiceBody.objects.order_by("name").values_list("slug", "name"))
    context = {
        "chosen": chosen,
        "errors": errors,
        "bodies": bodies,
        "regions": print_choices.region_names(),
        "groupings": [("day", _("By day of the week")), ("town", _("By town"))],
        "papers": [("a4", _("A4")), ("letter", _("Letter (US)"))],
        "layouts": [
            ("pages", _("Full pages")),
            ("booklet", _("Booklet: half-size pages, a multiple of four, for your printer's booklet setting")),
            (
                "folded",
                _("Folded booklet: two pages to a side, in folding order (print both sides, flip on the short edge)"),
            ),
        ],
        "max_meetings": settings.PRINT_MAX_MEETINGS,
    }
    return render(request, "printing/form.html", context, status=status)


@require_safe
def print_form(request: HttpRequest) -> HttpResponse:
    try:
        chosen = print_choices.read(request.GET)
    except ChoiceError:
        chosen = print_choices.valid_part(request.GET)
    return _form(request, chosen, [])


@require_safe
def schedule_pdf(request: HttpRequest) -> HttpResponseBase:
    try:
        chosen = print_choices.read(request.GET)
    except ChoiceError as exc:
        return _form(request, print_choices.valid_part(request.GET), exc.sentences, status=400)
    try:
        printed = printer.schedule_pdf(chosen, request.build_absolute_uri("/"))
    except ChoiceError as exc:
        return _form(request, chosen, exc.sentences, status=400)
    except printer.Empty as exc:
        return _form(request, chosen, [str(exc)], status=404)
    except printer.Busy:
        busy = _form(
            request, chosen, [_("Other schedules are being printed right now: try again in a few seconds.")], 503
        )
        busy["Retry-After"] = str(printer.RETRY_AFTER_SECONDS)
        return busy
    except document.Unavailable:
        logger.error(
            "Printed schedules need WeasyPrint and Debian's Pango: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-dejavu-core, and pip install weasyprint (docs/print.md)."
        )
        return _form(request, chosen, [_("Printing is not set up on this server yet. Ask its administrator.")], 503)
    except DatabaseError:
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "60"
        return response
    if printed.etag in request.headers.get("If-None-Match", ""):
        printed.content.close()
        answer: HttpResponseBase = HttpResponse(status=304)
    else:
        answer = FileResponse(printed.content, content_type="application/pdf", filename=printed.filename)
        answer["Content-Disposition"] = f'inline; filename="{printed.filename}"'
    answer["ETag"] = printed.etag
    answer["Cache-Control"] = f"public, max-age={MAX_AGE}"
    answer["Vary"] = "Accept-Language, Cookie"
    return answer
