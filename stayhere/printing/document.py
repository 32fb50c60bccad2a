"""The schedule's HTML laid out as a PDF by WeasyPrint, with Debian's fonts and nothing fetched.

The page is written whole by the ``printing/schedule.html`` template: its style sheet is inside it and it has
no image, so WeasyPrint is given a fetcher that refuses every address (``NoFetching``): a printed list never
asks another server for anything, whatever a listing's text holds. A booklet's page count is made a
multiple of four with notes pages; a folded booklet's pages are then imposed two to a sheet side, in the
order that reads right once the sheets are printed on both sides, stacked and folded in the middle.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

# Page sizes as CSS writes them, and a folded sheet's size in points (landscape: two pages side by side).
PAGE_SIZES = {"a4": "210mm 297mm", "letter": "8.5in 11in"}
HALF_PAGE_SIZES = {"a4": "148mm 210mm", "letter": "5.5in 8.5in"}
SHEET_POINTS = {"a4": (841.89, 595.28), "letter": (792.0, 612.0)}

# WeasyPrint reports each step of every PDF at INFO: a line per page of a long schedule, of no use in the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class Unavailable(RuntimeError):
    """WeasyPrint cannot start here: Debian's Pango (or WeasyPrint itself) is not installed."""


class NoFetching:
    """A URL fetcher that refuses every address; ``asked`` keeps what was asked, for the tests.

    WeasyPrint calls it with each address and, when the call raises, reads ``_fail_on_errors``: False makes a
    refusal a warning (the image or style sheet is left out), never a stop."""

    _fail_on_errors = False

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, url: str, *args: object, **kwargs: object) -> None:
        self.asked.append(url)
        raise ValueError("a printed schedule fetches nothing")

    fetch = __call__


def _weasyprint_html() -> Any:
    """WeasyPrint's HTML class, imported on the first schedule: without Pango the site still runs, and only
    printing answers that it cannot (the import loads Pango, and fails with OSError without it)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise Unavailable(str(exc)) from exc
    return HTML


def page_size(paper: str, layout: str) -> str:
    return HALF_PAGE_SIZES[paper] if layout in ("booklet", "folded") else PAGE_SIZES[paper]


def render(html: str, notes: Callable[[int], str], paper: str, layout: str, fetcher: NoFetching | None = None) -> bytes:
    """The PDF of ``html``; for a booklet, padded with ``notes(count)``, itself ``count`` pages of HTML."""
    fetcher = fetcher or NoFetching()
    HTML = _weasyprint_html()
    document = HTML(string=html, url_fetcher=fetcher).render()
    pages = list(document.pages)
    if layout in ("booklet", "folded"):
        missing = -len(pages) % 4
        if missing:
            pages += HTML(string=notes(missing), url_fetcher=fetcher).render().pages[:missing]
    pdf: bytes = document.copy(pages).write_pdf()
    if layout == "folded":
        pdf = impose(pdf, paper)
    return pdf


def folding_order(count: int) -> list[tuple[int, int]]:
    """For a booklet of ``count`` pages (a multiple of 4): the (left, right) pages of each sheet side, front
    then back of the first sheet, and so on; 0 is the first page."""
    sides = []
    for sheet in range(count // 4):
        sides.append((count - 1 - 2 * sheet, 2 * sheet))  # front: the last page beside the first
        sides.append((2 * sheet + 1, count - 2 - 2 * sheet))  # back: the second beside the second-to-last
    return sides


def impose(pdf: bytes, paper: str) -> bytes:
    """Two half-size pages on each side of a landscape sheet, in folding order (print both sides, flip on
    the short edge)."""
    reader = PdfReader(io.BytesIO(pdf))
    width, height = SHEET_POINTS[paper]
    writer = PdfWriter()
    for left, right in folding_order(len(reader.pages)):
        side = PageObject.create_blank_page(width=width, height=height)
        for index, offset in ((left, 0.0), (right, width / 2)):
            page = reader.pages[index]
            # Centred in its half, should the page be a point or two off the half sheet.
            x = offset + (width / 2 - float(page.mediabox.width)) / 2
            y = (height - float(page.mediabox.height)) / 2
            side.merge_transformed_page(page, Transformation().translate(x, y))
        writer.add_page(side)
    # Merged pages come out uncompressed and with each font copied per side: ten times the booklet's bytes.
    for page in writer.pages:
        page.compress_content_streams()
    writer.compress_identical_objects()
    writer.add_metadata({key: str(value) for key, value in (reader.metadata or {}).items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
