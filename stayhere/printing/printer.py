"""One printed schedule, from choices to PDF bytes: cached by choices, and rendered a few at a time.

A PDF costs a core for seconds (about 3 s for 2,000 meetings, docs/BENCHMARKS.md), so a flood of requests
must not take the server down:

- a PDF is kept in the data directory (``DATA_DIR/print/``) under a key made of the choices, the language,
  the site's address, the day it was printed and the directory's version (``freshness.version``): the same
  schedule is laid out once a day, or again once a listing changes. The newest ``KEPT`` files are kept.
- at most ``settings.PRINT_RENDERS`` PDFs are laid out at once in a process; a request beyond that is told
  to come back (``Busy``: the view answers 503 with Retry-After) instead of queueing behind the others.

The files hold what the feeds publish anyway: public listings, nothing of who asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stayhere.directory import freshness
from stayhere.directory.feeds.exporter import meeting_url_prefix
from stayhere.directory.feeds.records import published_meetings
from stayhere.directory.models import Meeting
from stayhere.directory.presenting import zone_label
from stayhere.printing import document, listing
from stayhere.printing.choices import ChoiceError, Choices, select

KEPT = 64
RETRY_AFTER_SECONDS = 10
NOTES_RULES = {True: 22, False: 28}  # lines on a notes page: half-size page, full page

logger = logging.getLogger(__name__)


class Busy(Exception):
    """Every render slot is taken: ask again in ``RETRY_AFTER_SECONDS``."""


class Empty(Exception):
    """The choices name a service body or region with no meeting listed now; the message is a sentence."""


class TooMany(ChoiceError):
    pass


@dataclass(frozen=True)
class Printed:
    content: BinaryIO  # the PDF: its kept file, opened, or the bytes just laid out
    etag: str
    filename: str  # what a browser saves it as


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _render_slots() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    with _slots_lock:
        if _slots is None or _slots_size != settings.PRINT_RENDERS:
            _slots, _slots_size = threading.BoundedSemaphore(settings.PRINT_RENDERS), settings.PRINT_RENDERS
        return _slots


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "print"


def schedule_pdf(choices: Choices, site_url: str) -> Printed:
    """The PDF for ``choices`` in the active language, from the data directory or laid out now.

    ChoiceError for a body or region nobody lists (or a selection too large to print), Empty for one with no
    meeting, Busy when every render slot is taken."""
    language = get_language() or settings.LANGUAGE_CODE
    today = timezone.localdate()
    key = "\n".join((choices.key(), language, site_url, today.isoformat(), freshness.version()))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    path = _directory() / f"schedule-{digest}.pdf"
    etag, filename = f'"{digest}"', _filename(choices, today)
    try:
        return Printed(path.open("rb"), etag, filename)
    except OSError:
        pass  # not laid out yet today (or not readable: laid out again)
    slots = _render_slots()
    if not slots.acquire(blocking=False):
        raise Busy()
    try:
        pdf = lay_out(choices, site_url, today)
    finally:
        slots.release()
    try:
        _keep(path, pdf)
    except OSError as exc:  # a full or read-only data directory costs the copy, never the answer
        logger.warning(
            "A printed schedule could not be kept in %s (%s); it is laid out again next time.",
            path.parent,
            exc.strerror or type(exc).__name__,
        )
    return Printed(io.BytesIO(pdf), etag, filename)


def lay_out(choices: Choices, site_url: str, today: dt.date) -> bytes:
    """The PDF bytes for ``choices``, in the active language (no cache, no limit: the benchmark's entry)."""
    selection = select(choices, settings.SITE_NAME)
    if not selection.meetings:
        raise Empty(_("No meeting is listed for %(title)s at the moment.") % {"title": selection.title})
    if len(selection.meetings) > settings.PRINT_MAX_MEETINGS:
        raise TooMany(
            [
                _(
                    "That selection holds %(count)s meetings, more than one printed list can hold (%(most)s): "
                    "choose a service body or a region."
                )
                % {"count": len(selection.meetings), "most": settings.PRINT_MAX_MEETINGS}
            ]
        )
    prefix = meeting_url_prefix(site_url)
    records = published_meetings(prefix, Meeting.objects.filter(pk__in=selection.meetings))
    schedule = listing.build(records, choices.grouping)
    half = choices.layout in ("booklet", "folded")
    language = get_language() or settings.LANGUAGE_CODE
    context = {
        "language": language,
        "size": document.page_size(choices.paper, choices.layout),
        "half": half,
        "by_town": choices.grouping == "town",
        "title": selection.title,
        "body": selection.body,
        "schedule": schedule,
        "zone": zone_label(schedule.zones[0]) if len(schedule.zones) == 1 else "",
        "printed": formats.date_format(today, "DATE_FORMAT"),
        "printed_iso": today.isoformat(),
        "finder_url": site_url,
        "print_url": _print_url(site_url, choices),
    }
    html = render_to_string("printing/schedule.html", context)

    def notes(count: int) -> str:
        return render_to_string(
            "printing/notes.html", {**context, "pages": range(count), "rules": range(NOTES_RULES[half])}
        )

    return document.render(html, notes, choices.paper, choices.layout)


def _print_url(site_url: str, choices: Choices) -> str:
    query = urlencode(choices.params())
    return site_url.rstrip("/") + reverse("printing:schedule-pdf") + (f"?{query}" if query else "")


def _filename(choices: Choices, today: dt.date) -> str:
    name = choices.body or "".join(ch if ch.isalnum() else "-" for ch in choices.region.lower()).strip("-")
    return f"meetings-{name or 'all'}-{today.isoformat()}.pdf"


def _keep(path: Path, pdf: bytes) -> None:
    """Writes the PDF whole or not at all (a reader never sees half a file), and keeps the newest ``KEPT``."""
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    kept = sorted(directory.glob("schedule-*.pdf"), key=lambda file: file.stat().st_mtime, reverse=True)
    for old in kept[KEPT:]:
        old.unlink(missing_ok=True)
