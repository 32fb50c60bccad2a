from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from stayhere.directory.feeds import cache, exporter
from tests.directory.factories import make_meeting

pytestmark = pytest.mark.django_db

FEED = "/feeds/meeting-guide.json"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def kept_files() -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "feeds").glob("meeting-guide-*.json"))


def test_the_second_request_is_served_from_the_kept_copy_with_the_same_bytes(client):
    make_meeting("Kept Copy Group")
    first = client.get(FEED)
    first_body = body(first)
    second = client.get(FEED)
    assert second.get("Content-Length") == str(len(first_body))  # a file answer knows its length
    assert body(second) == first_body and b"Kept Copy Group" in first_body
    assert first["ETag"] == second["ETag"]


def test_a_change_to_the_directory_is_in_the_next_feed_and_the_old_copy_goes(client):
    meeting = make_meeting("Before The Change")
    assert b"Before The Change" in body(client.get(FEED))
    before = kept_files()
    meeting.name = "After The Change"
    meeting.save()
    text = body(client.get(FEED))
    assert b"After The Change" in text and b"Before The Change" not in text
    after = kept_files()
    assert len(after) == len(before) and not set(before) & set(after)


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


def test_the_kept_copy_matches_a_fresh_rendering(client):
    make_meeting("Fresh")
    body(client.get(FEED))
    kept = body(client.get(FEED))
    fresh = "".join(exporter.meeting_guide_chunks(exporter.meeting_url_prefix("http://testserver/"))).encode()
    assert kept == fresh
