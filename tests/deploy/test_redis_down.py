"""Redis goes away (scale-out): the directory goes on from the database, what needs Redis says so in a sentence.

A real ``stayhere serve`` keeps its rooms and its cache in a Redis of the test's own; the Redis is stopped, and
started again. While it is away the finder, a meeting's page, the room page and the feeds answer 200 (the
finder's week chart is counted from the database); the admin's sign-in refuses, unchecked, with 503 and a
sentence (its counts of failed attempts are in Redis: it fails closed); a WebSocket join gets an ``error`` that
says the meeting cannot be joined now. When Redis is back, all of it works again. The server printed no trace.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.live_server import LiveServer, live_server
from tests.rooms.redis_server import PrivateRedis, private_redis

REPO = Path(__file__).resolve().parents[2]
SLUG = "redis-down-room"
OPERATOR, PASSWORD = "redis-down-operator", "a long operator passphrase " + secrets.token_hex(4)
SEED = f"""
from django.contrib.auth.models import User
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
make_room(running_now("Redis Down Evening Room", "{SLUG}"), waiting_room=False)
User.objects.create_superuser("{OPERATOR}", password="{PASSWORD}")
"""
PAGES = ["/", "/?q=evening", "/?day=2", f"/meetings/{SLUG}", f"/meetings/{SLUG}/room", f"/meetings/{SLUG}.ics"]
PAGES += ["/feeds/meeting-guide.json", "/feeds/meetings.csv", "/slips/keys", "/admin/login/"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LiveServer, PrivateRedis]]:
    with private_redis(tmp_path / "redis") as redis_server:
        env = {
            "PYTHONPATH": str(REPO),
            "STAYHERE_REDIS_URL": redis_server.url,
            "STAYHERE_JANUS": "0",
            "STAYHERE_LOG_LEVEL": "INFO",
        }
        with live_server(tmp_path / "data", tmp_path / "server.log", setup=[["shell", "-c", SEED]], extra_env=env) as s:
            yield s, redis_server


def answer(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def sign_in(server: LiveServer, password: str) -> tuple[int, str, Message, list[str]]:
    """(status, body, headers, the cookies' names) of a real sign-in: the form fetched, then posted."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    with opener.open(server.url + "/admin/login/", timeout=15) as form:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.read().decode())
    assert token is not None
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1], "username": OPERATOR, "password": password, "next": "/admin/"}
    ).encode()
    try:
        with opener.open(server.url + "/admin/login/", data=body, timeout=15) as response:
            status, text, headers = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as answered:
        status, text, headers = answered.code, answered.read().decode(), answered.headers
    return status, text, headers, [cookie.name for cookie in jar]


def open_socket(server: LiveServer) -> ClientConnection:
    host = server.url.removeprefix("http://")
    return connect(f"ws://{host}/ws/rooms/{SLUG}", origin=server.url)  # type: ignore[arg-type]


def first_answer(ws: ClientConnection) -> dict[str, Any]:
    """The first event that answers a join: a welcome or an error."""
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=15))
        if event["type"] in ("welcome", "error"):
            return event


def test_without_redis_the_directory_works_and_sign_in_and_rooms_say_they_cannot(
    served: tuple[LiveServer, PrivateRedis],
) -> None:
    server, redis_server = served
    assert answer(server.url + "/")[0] == 200  # the week chart is in the cache now

    redis_server.stop()

    for path in PAGES:
        status, body = answer(server.url + path)
        assert status == 200, f"{path} answered {status}: {body[:300]}"
    assert "week-chart" in answer(server.url + "/")[1] or "<svg" in answer(server.url + "/")[1]

    # Sign-in fails closed: right or wrong, the password is not tried, and the answer says why and when.
    refusals = [sign_in(server, PASSWORD), sign_in(server, "not the password")]
    for status, body, headers, cookies in refusals:
        assert status == 503 and headers.get("Retry-After") == "60"
        assert "Signing in is unavailable for a moment" in body and "Try again in a minute" in body
        assert "sessionid" not in cookies  # not signed in
    assert "Please enter the correct username" not in refusals[1][1]

    # A join is answered with a sentence, not a fault, and not as a meeting interrupted.
    with open_socket(server) as ws:
        ws.send(json.dumps({"type": "join", "name": "Lee"}))
        refused = first_answer(ws)
        assert refused["type"] == "error" and refused["code"] == "unavailable" and refused["ref"] == "join"
        assert "cannot be joined right now" in refused["message"] and "Try again in a minute" in refused["message"]

    redis_server.start()

    assert answer(server.url + "/")[0] == 200
    # The cache is tried again within RETRY_S (10 s) of its last failure: a bounded wait, not a measure of speed.
    deadline = time.monotonic() + 30
    while (signed := sign_in(server, PASSWORD))[0] == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    status, _body, headers, cookies = signed
    assert status == 302 and headers["Location"] == "/admin/" and "sessionid" in cookies
    with open_socket(server) as ws:
        ws.send(json.dumps({"type": "join", "name": "Lee"}))
        assert first_answer(ws)["type"] == "welcome"

    log = server.log_text()
    assert "Traceback" not in log and "its message is not logged" not in log, log[-3000:]
    assert " 500 " not in log, log[-3000:]
    assert "POST /admin/login/ 503" in log  # the refusals were seen: the search for a fault is not vacuous
    assert PASSWORD not in log and OPERATOR not in log.split("stayhere is running", 1)[1]
