"""Reading a printed schedule back: its pages' text and sizes, through pypdf."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.http.response import HttpResponseBase
from pypdf import PdfReader


@dataclass(frozen=True)
class ReadPdf:
    pages: list[str]  # each page's text
    sizes: list[tuple[float, float]]  # each page's width and height, in points
    size: int = 0  # the file's bytes

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def read_pdf(data: bytes) -> ReadPdf:
    reader = PdfReader(io.BytesIO(data))
    return ReadPdf(
        pages=[page.extract_text() for page in reader.pages],
        sizes=[(round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) for page in reader.pages],
        size=len(data),
    )


def pdf_of(response: HttpResponseBase) -> ReadPdf:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF-")
    return read_pdf(body)
