"""The embedded server compresses the site's own scripts and stylesheets (stayhere.core.static_compression), as
the shipped nginx configuration does, and nothing else: pages with a token or a person's data stay as they are."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.test import Client

from stayhere.core import static_compression

STATIC = Path(static_compression.__file__).resolve().parents[1] / "static" / "stayhere"


@pytest.fixture
def client() -> Client:
    return Client()


def test_a_script_goes_gzip_compressed_to_a_browser_that_accepts_it(client: Client) -> None:
    response = client.get("/static/stayhere/room.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert not response.has_header("ETag")  # the plain file's ETag would name other bytes
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert int(response["Content-Length"]) == len(body)
    plain = (STATIC / "room.js").read_bytes()
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain) / 2
    assert response["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert "max-age" in response["Cache-Control"]


def test_a_stylesheet_goes_plain_to_a_browser_that_does_not_accept_gzip(client: Client) -> None:
    response = client.get("/static/stayhere/site.css")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]  # a cache must not give this copy to one that asked for gzip
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == (STATIC / "site.css").read_bytes()


def test_each_file_is_compressed_once_and_kept(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    compressed: list[int] = []
    real = gzip.compress

    def counting(data: bytes, compresslevel: int = 9, *, mtime: float | None = None) -> bytes:
        compressed.append(len(data))
        return real(data, compresslevel=compresslevel, mtime=mtime)

    monkeypatch.setattr(static_compression.gzip, "compress", counting)
    first = client.get("/static/stayhere/room_view.js", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get("/static/stayhere/room_view.js", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert b"".join(first.streaming_content) == b"".join(again.streaming_content)
    assert len(compressed) <= 1  # none if an earlier test of this process already compressed it


def test_a_revalidation_still_gets_not_modified(client: Client) -> None:
    first = client.get("/static/stayhere/room.js", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(
        "/static/stayhere/room.js", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 304
    assert not again.has_header("Content-Encoding")


def test_a_range_and_a_head_request_pass_as_they_are(client: Client) -> None:
    ranged = client.get("/static/stayhere/room.js", HTTP_ACCEPT_ENCODING="gzip", HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206
    assert not ranged.has_header("Content-Encoding")
    assert b"".join(ranged.streaming_content) == (STATIC / "room.js").read_bytes()[:100]
    head = client.head("/static/stayhere/room.js", HTTP_ACCEPT_ENCODING="gzip")
    assert head.status_code == 200
    assert not head.has_header("Content-Encoding")
    assert int(head["Content-Length"]) == (STATIC / "room.js").stat().st_size


@pytest.mark.django_db
def test_a_page_with_a_form_token_is_not_compressed_by_it(client: Client) -> None:
    response = client.get("/service/sign-in", HTTP_ACCEPT_ENCODING="gzip", follow=True)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")
