"""Importing from an http URL, served by a real local http.server in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from stayhere.directory.feeds.fetch import FeedFetchError, read_source
from stayhere.directory.feeds.importer import ImportFailed, import_feed
from stayhere.directory.models import Meeting
from tests.conftest import TEST_DATA
from tests.directory.feeds.localhttp import QuietHandler, free_port, not_http, serving

pytestmark = pytest.mark.django_db

FEED = (TEST_DATA / "feeds" / "small-meeting-guide.json").read_bytes()
CSV = (TEST_DATA / "feeds" / "small-tsml.csv").read_bytes()


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        if self.path == "/slow.json":
            time.sleep(3)
        if self.path in ("/feed.json", "/slow.json", "/big.json"):
            self.send_body(FEED if self.path != "/big.json" else b"[" + b" " * 5000 + b"]")
            return
        status = 500 if self.path == "/error.json" else 404
        self.send_response(status)
        self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


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
    port = free_port()
    with pytest.raises(ImportFailed, match="refused the connection"):
        import_feed(f"http://127.0.0.1:{port}/feed.json")


# Faults of the network and the server: each ends in a sentence, within the timeout, having changed nothing.


class _FaultyHandler(QuietHandler):
    """Feeds that go wrong after the headers: a body cut short, a slow drip, a chunked body that stops."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/cut.json":
            self._headers(len(FEED))
            self.wfile.write(FEED[: len(FEED) // 2])
        elif self.path == "/cut.csv":
            # Stops at the end of a row: the part sent is a CSV file that looks whole.
            self._headers(len(CSV))
            self.wfile.write(CSV[: CSV.index(b"\n", CSV.index(b"\n") + 1) + 1])
        elif self.path == "/drip.json":
            self._headers(len(FEED))
            # One byte every half second for a minute: each byte arrives well within any timeout.
            for byte in FEED[:120]:
                time.sleep(0.5)
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
        elif self.path == "/chunked.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            part = FEED[:100]
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.close_connection = True

    def _headers(self, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()


@pytest.fixture
def faulty_server() -> Iterator[str]:
    with serving(_FaultyHandler) as url:
        yield url


def _read_within(source: str, seconds: float) -> BaseException | None:
    """What read_source raised (None if it returned), failing the test if it had not ended after ``seconds``."""
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_source(source)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    assert outcome, f"reading {source} had not ended after {seconds} s"
    return outcome[0]


def test_a_body_shorter_than_its_content_length_is_refused_and_changes_nothing(faulty_server):
    import_feed(str(TEST_DATA / "feeds" / "small-meeting-guide.json"), key="cut")
    before = sorted(Meeting.objects.values_list("slug", "updated"))
    with pytest.raises(ImportFailed, match=r"stopped after \d+ of its \d+ bytes: the feed was cut short"):
        import_feed(f"{faulty_server}/cut.json", key="cut")
    assert sorted(Meeting.objects.values_list("slug", "updated")) == before


def test_a_csv_body_cut_at_the_end_of_a_row_is_refused_and_removes_nothing(faulty_server):
    import_feed(str(TEST_DATA / "feeds" / "small-tsml.csv"), key="cut")
    assert Meeting.objects.filter(source="cut").count() == 2
    with pytest.raises(ImportFailed, match="the feed was cut short, so nothing was changed"):
        import_feed(f"{faulty_server}/cut.csv", key="cut")
    assert Meeting.objects.filter(source="cut").count() == 2


def test_a_chunked_body_that_stops_is_refused_with_a_sentence(faulty_server):
    failure = _read_within(f"{faulty_server}/chunked.json", 20)
    assert isinstance(failure, FeedFetchError) and "cut short" in str(failure)


def test_the_timeout_bounds_the_whole_download_not_each_byte(faulty_server, settings):
    settings.FEED_FETCH_TIMEOUT = 2
    failure = _read_within(f"{faulty_server}/drip.json", 20)
    assert isinstance(failure, FeedFetchError)
    assert "still sending after 2 seconds" in str(failure)


def test_an_address_that_does_not_speak_http_is_named_in_a_sentence():
    with not_http() as url:
        failure = _read_within(url, 20)
    assert isinstance(failure, FeedFetchError) and "does not speak HTTP" in str(failure)


def test_a_file_without_end_such_as_dev_zero_is_read_only_up_to_the_limit(settings):
    settings.FEED_MAX_BYTES = 1000
    failure = _read_within("/dev/zero", 20)
    assert isinstance(failure, FeedFetchError) and "larger than 1000 bytes" in str(failure)
