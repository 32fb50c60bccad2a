from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from stayhere.directory import freshness
from stayhere.directory.feeds import cache, exporter
from tests.directory.factories import make_meeting
from tests.directory.feeds.disks import fill, small_file_system

pytestmark = pytest.mark.django_db

FEED = "/feeds/meeting-guide.json"
CSV = "/feeds/meetings.csv"  # always kept whole (the Meeting Guide feed keeps pieces instead on SQLite: pieces.py)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def kept_files(pattern: str = "meetings-*.csv") -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "feeds").glob(pattern))


def test_the_second_request_is_served_from_the_kept_copy_with_the_same_bytes(client):
    make_meeting("Kept Copy Group")
    first = client.get(CSV)
    first_body = body(first)
    second = client.get(CSV)
    assert second.get("Content-Length") == str(len(first_body))  # a file answer knows its length
    assert body(second) == first_body and b"Kept Copy Group" in first_body
    assert first["ETag"] == second["ETag"]


def test_a_change_to_the_directory_is_in_the_next_feed_and_the_old_copy_goes(client):
    meeting = make_meeting("Before The Change")
    assert b"Before The Change" in body(client.get(CSV))
    before = kept_files()
    meeting.name = "After The Change"
    meeting.save()
    text = body(client.get(CSV))
    assert b"After The Change" in text and b"Before The Change" not in text
    after = kept_files()
    assert len(after) == len(before) == 1 and not set(before) & set(after)


def test_the_meeting_guide_feed_is_kept_whole_where_it_is_not_kept_in_pieces(client):
    make_meeting("Whole Or Pieces")
    first = body(client.get(FEED))
    second = client.get(FEED)
    assert body(second) == first and b"Whole Or Pieces" in first
    whole = kept_files("meeting-guide-*.json")
    if connection.vendor == "sqlite":  # sent from its pieces every time: a whole copy would be a second write
        assert whole == [] and second.get("Content-Length") is None
        assert list(cache.directory().glob("pieces-*/*"))
    else:
        assert len(whole) == 1 and second.get("Content-Length") == str(len(first))


def test_a_whole_copy_left_from_before_the_pieces_is_removed_not_served(client):
    if connection.vendor != "sqlite":
        pytest.skip("pieces are kept on SQLite only")
    make_meeting("Listed Now")
    response = client.get(FEED)
    body(response)
    site = response["ETag"].strip('"').split("-")[-1]
    stale = cache.directory() / f"meeting-guide-{freshness.version()}-{site}.json"
    stale.write_bytes(b"[]\n")  # as an earlier release kept it, for the directory's current version
    assert b"Listed Now" in body(client.get(FEED)) and not stale.exists()


def test_a_poller_with_the_current_etag_gets_not_modified(client):
    make_meeting()
    etag = client.get(FEED)["ETag"]
    assert client.get(FEED, HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_meeting("Another")
    assert client.get(FEED, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_each_site_address_has_its_own_copy(client, settings):
    make_meeting()
    settings.ALLOWED_HOSTS = ["testserver", "meetings.example.org"]
    local = body(client.get(FEED))
    other = body(client.get(FEED, HTTP_HOST="meetings.example.org"))
    assert b"http://testserver/meetings/" in local and b"http://meetings.example.org/meetings/" in other


def test_an_interrupted_feed_leaves_no_partial_file(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    make_meeting()
    chunks = cache._keep_copy(iter(["[", "1", ",2", "]"]), tmp_path / "feeds" / "f-1-x.json", "f-*-x.json")
    assert next(chunks) == b"["
    chunks.close()  # the client went away
    assert list((tmp_path / "feeds").iterdir()) == []


def test_a_complete_feed_replaces_older_versions_of_the_same_site(tmp_path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "f-1-x.json").write_text("old")
    (folder / "f-1-y.json").write_text("other site")
    assert b"".join(cache._keep_copy(iter(["new"]), folder / "f-2-x.json", "f-*-x.json")) == b"new"
    assert sorted(p.name for p in folder.iterdir()) == ["f-1-y.json", "f-2-x.json"]


@pytest.mark.parametrize("path", [FEED, CSV])
def test_the_kept_copy_matches_a_fresh_rendering(client, path):
    make_meeting("Fresh")
    body(client.get(path))
    kept = body(client.get(path))
    assert kept == _fresh(path) and b"Fresh" in kept


# A data directory that is full or read-only (issue 15, item 5): the feed is served whole, without its copy. The
# file systems are real ones, small tmpfs mounts (as root, which the suite's machines are; skipped elsewhere).


@pytest.fixture
def full_data_dir(tmp_path, settings, monkeypatch) -> Iterator[Path]:
    monkeypatch.setattr(cache, "_failing", False, raising=False)
    with small_file_system(tmp_path / "data", "size=64k,mode=700") as data:
        (data / "feeds").mkdir()
        fill(data)
        settings.DATA_DIR = data
        yield data


@pytest.fixture
def read_only_data_dir(tmp_path, settings, monkeypatch) -> Iterator[Path]:
    monkeypatch.setattr(cache, "_failing", False, raising=False)
    with small_file_system(tmp_path / "data", "size=64k,mode=700,ro") as data:
        settings.DATA_DIR = data
        yield data


def _fresh(path: str) -> bytes:
    prefix = exporter.meeting_url_prefix("http://testserver/")
    if path == FEED:
        return b"".join(exporter.meeting_guide_chunks(prefix))
    return "".join(exporter.csv_chunks(prefix)).encode()


def _said(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "stayhere.directory.feeds.cache"]


def _many_meetings() -> None:
    for number in range(40):  # a feed larger than the buffered writes: the disk refuses them mid-feed
        make_meeting(f"Group Number {number} With A Long Name For Its Meeting")


@pytest.mark.parametrize("path", [FEED, CSV])
def test_a_full_data_directory_still_serves_each_feed_whole_and_says_so_once(client, full_data_dir, caplog, path):
    _many_meetings()
    with caplog.at_level(logging.INFO, logger="stayhere.directory.feeds.cache"):
        answers = [client.get(path) for _ in range(3)]
        bodies = [body(answer) for answer in answers]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert bodies == [_fresh(path)] * 3 and len(bodies[0]) > 8192
    warnings = [record.getMessage() for record in _said(caplog) if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cannot be written (No space left on device)" in warnings[0]
    assert str(full_data_dir) not in warnings[0]
    # No partial file left behind (of the feed, or of a block's kept piece: feeds/pieces.py).
    assert [p.name for p in (full_data_dir / "feeds").rglob(".partial-*")] == []
    assert not any(p.name.endswith(".json") for p in (full_data_dir / "feeds").iterdir())


def test_a_read_only_data_directory_still_serves_the_feed_whole_and_says_so_once(client, read_only_data_dir, caplog):
    _many_meetings()
    with caplog.at_level(logging.INFO, logger="stayhere.directory.feeds.cache"):
        bodies = [body(client.get(FEED)) for _ in range(3)]
    assert bodies == [_fresh(FEED)] * 3
    json.loads(bodies[0])
    warnings = [record.getMessage() for record in _said(caplog) if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cannot be written (Read-only file system)" in warnings[0]
    assert str(read_only_data_dir) not in warnings[0]


@pytest.mark.parametrize("path", [FEED, CSV])
def test_once_the_copy_can_be_written_again_the_log_says_so_and_copies_are_kept(client, full_data_dir, caplog, path):
    make_meeting()
    with caplog.at_level(logging.INFO, logger="stayhere.directory.feeds.cache"):
        body(client.get(path))
        (full_data_dir / "filler").unlink()
        body(client.get(path))
    said = _said(caplog)
    assert [record.levelno for record in said] == [logging.WARNING, logging.INFO]
    assert "can be written again" in said[1].getMessage()
    if path == FEED and connection.vendor == "sqlite":
        assert list(cache.directory().glob("pieces-*/*")) and kept_files("meeting-guide-*") == []
    else:
        assert len(kept_files("meeting-guide-*.json" if path == FEED else "meetings-*.csv")) == 1
