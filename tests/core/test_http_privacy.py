from __future__ import annotations

import logging

import pytest

from stayhere.core.logging import ScrubFilter, scrub

pytestmark = pytest.mark.django_db


def test_the_access_log_has_no_address_and_no_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="stayhere.access"):
        client.get("/health?near=40.7128,-74.0060&q=canary-words", REMOTE_ADDR="203.0.113.77")
    lines = [record.getMessage() for record in caplog.records if record.name == "stayhere.access"]
    assert lines == [lines[0]] and lines[0].startswith("GET /health 200 ")
    joined = "\n".join(lines)
    for secret in ("203.0.113.77", "40.7128", "canary-words", "near="):
        assert secret not in joined


def test_the_access_log_names_the_route_not_the_path_a_person_typed(client, caplog):
    with caplog.at_level(logging.INFO, logger="stayhere.access"):
        client.get("/meetings/what-i-typed-canary")
        client.get("/no/such/canary-page")
    lines = [record.getMessage() for record in caplog.records if record.name == "stayhere.access"]
    assert [line.rsplit(" ", 1)[0] for line in lines] == ["GET /meetings/<slug:slug> 404", "GET [no route] 404"]


def test_every_answer_carries_a_strict_content_security_policy(client):
    response = client.get("/health")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "microphone=()" in response.headers["Permissions-Policy"]


def test_the_scrubber_blanks_addresses_whatever_wrote_them():
    assert scrub("from 198.51.100.4 and 2001:db8::1 and ::1") == "from [address] and [address] and [address]"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "client %s failed", ("192.0.2.9",), None)
    ScrubFilter().filter(record)
    assert record.getMessage() == "client [address] failed"


def test_the_health_check_answers_json(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_the_scrubber_leaves_clock_times_alone():
    assert scrub("the meeting at 19:00:00 ended") == "the meeting at 19:00:00 ended"


def test_the_home_route_is_logged_as_a_slash(client, caplog):
    with caplog.at_level(logging.INFO, logger="stayhere.access"):
        client.get("/?q=canary-words")
    lines = [record.getMessage() for record in caplog.records if record.name == "stayhere.access"]
    assert lines[0].startswith("GET / ")
