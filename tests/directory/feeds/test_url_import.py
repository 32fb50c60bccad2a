"""Importing from an http URL, served by a real local http.server in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stayhere.directory.feeds.importer import ImportFailed, import_feed
from stayhere.directory.models import Meeting
from tests.conftest import TEST_DATA

pytestmark = pytest.mark.django_db

FEED = (TEST_DATA / "feeds" / "small-meeting-guide.json").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow.json":
            time.sleep(3)
        if self.path in ("/feed.json", "/slow.json", "/big.json"):
            body = FEED if self.path != "/big.json" else b"[" + b" " * 5000 + b"]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        status = 500 if self.path == "/error.json" else 404
        self.send_response(status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_it_imports_a_feed_from_a_url(server):
    report = import_feed(f"{server}/feed.json")
    assert report.created == 3
    assert report.source_key == f"{server}/feed.json"
    assert Meeting.objects.filter(source=f"{server}/feed.json").count() == 3


def test_it_says_plainly_when_the_server_answers_404(server):
    with pytest.raises(ImportFailed, match="HTTP status 404"):
        import_feed(f"{server}/missing.json")


def test_it_says_plainly_when_the_server_answers_500(server):
    with pytest.raises(ImportFailed, match="HTTP status 500"):
        import_feed(f"{server}/error.json")


def test_it_gives_up_after_the_timeout_setting(server, settings):
    settings.FEED_FETCH_TIMEOUT = 1
    with pytest.raises(ImportFailed, match="did not answer within 1 seconds"):
        import_feed(f"{server}/slow.json")
    assert Meeting.objects.count() == 0


def test_it_refuses_an_answer_larger_than_the_limit(server, settings):
    settings.FEED_MAX_BYTES = 1000
    with pytest.raises(ImportFailed, match="more than 1000 bytes"):
        import_feed(f"{server}/big.json")


def test_it_says_when_the_connection_is_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ImportFailed, match="refused the connection"):
        import_feed(f"http://127.0.0.1:{port}/feed.json")
