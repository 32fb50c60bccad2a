"""Two real `stayhere serve` processes sharing PostgreSQL and Redis serve one meeting, and survive losing one.

Participants connect over real WebSockets, some to each server. One server is killed (SIGKILL, no goodbye)
in the middle of a share; its participants reconnect to the other with their resume tokens and carry on.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from tests.deploy.throwaway_postgres import throwaway_database as shared_throwaway_database
from tests.live_server import LiveServer, free_port, live_server
from tests.rooms.redis_server import private_redis, shared_redis_url

REPO = Path(__file__).resolve().parents[2]
# Each run's own meeting: the suite's Redis may still hold an earlier run's room until it expires.
SLUG = "scale-room-" + uuid.uuid4().hex[:8]
SEED = f"""
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Scale-out Room", "{SLUG}"), waiting_room=False, chat_policy="open")
print("CHAIR-KEY", room.chair_key)
"""


def throwaway_database() -> contextlib.AbstractContextManager[str]:
    """A fresh database on the suite's PostgreSQL for the two servers to share; dropped afterwards."""
    return shared_throwaway_database("stayhere_scale_")


@contextlib.contextmanager
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, str]]:
    redis_url = shared_redis_url()
    with throwaway_database() as database, contextlib.ExitStack() as stack:
        stack.callback(forget_room, redis_url)
        env = {
            "STAYHERE_DATABASE_URL": database,
            "STAYHERE_REDIS_URL": redis_url,
            "STAYHERE_SECRET_KEY": secrets.token_urlsafe(40),  # every worker of one site shares its key
            "PYTHONPATH": str(REPO),
        }
        first = stack.enter_context(
            live_server(tmp_path / "a", tmp_path / "a.log", setup=[["shell", "-c", SEED]], extra_env=env)
        )
        second = stack.enter_context(live_server(tmp_path / "b", tmp_path / "b.log", extra_env=env))
        chair_key = next(line.split()[1] for line in first.log_text().splitlines() if line.startswith("CHAIR-KEY"))
        yield first, second, chair_key


def forget_room(url: str) -> None:
    """Deletes what a killed server left of the test's meeting (it would expire within minutes anyway)."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"stayhere:{{{SLUG}}}:*"):
            client.delete(key)
    finally:
        client.close()


class Person:
    """A participant's browser, reduced to a socket, a cookie and what it was told."""

    def __init__(self, name: str, sockets: contextlib.ExitStack) -> None:
        self.name = name
        self.sockets = sockets
        self.cookie = "cookie-" + uuid.uuid4().hex
        self.ws: ClientConnection | None = None
        self.seat = self.token = ""
        self.seen: list[dict[str, Any]] = []
        self.claimed: set[int] = set()

    def open(self, server: LiveServer) -> None:
        host = urlsplit(server.url).netloc
        self.ws = self.sockets.enter_context(
            connect(
                f"ws://{host}/ws/rooms/{SLUG}",
                origin=f"http://{host}",  # type: ignore[arg-type]
                additional_headers={"Cookie": f"stayhere_seat={self.cookie}"},
            )
        )

    def join(self, server: LiveServer, **fields: Any) -> None:
        self.open(server)
        self.send(type="join", name=self.name, **fields)
        welcome = self.until("welcome")
        self.seat, self.token = welcome["seat"], welcome["token"]

    def resume(self, server: LiveServer) -> None:
        self.open(server)
        last = max((event["seq"] for event in self.seen), default=0)
        self.send(type="resume", seat=self.seat, token=self.token, last_seq=last)

    def send(self, **message: Any) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(message))

    def until(self, kind: str, **match: Any) -> dict[str, Any]:
        """The first event of this kind (and fields) not yet waited for, from what came or what comes next."""
        assert self.ws is not None

        def fits(event: dict[str, Any]) -> bool:
            return event["type"] == kind and all(event.get(key) == value for key, value in match.items())

        for index, event in enumerate(self.seen):
            if index not in self.claimed and fits(event):
                self.claimed.add(index)
                return event
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                event = json.loads(self.ws.recv(timeout=15))
            except TimeoutError:
                raise AssertionError(f"{self.name} waited for {kind} {match}, after {self.seen}") from None
            self.seen.append(event)
            if fits(event):
                self.claimed.add(len(self.seen) - 1)
                return event
        raise AssertionError(f"{self.name} never got {kind} {match}")

    def chats(self) -> list[str]:
        return [event["text"] for event in self.seen if event["type"] == "chat"]


@pytest.mark.postgres
def test_a_meeting_split_across_two_server_processes_runs_normally(tmp_path: Path) -> None:
    with two_servers(tmp_path) as (first, second, chair_key), contextlib.ExitStack() as sockets:
        chair, alex, sam = (Person(name, sockets) for name in ("Chair", "Alex", "Sam"))
        chair.join(first, chair_key=chair_key)
        alex.join(second)
        sam.join(first)
        for person in (chair, alex, sam):
            person.send(type="chat", text=f"hello from {person.name}")
        for person in (chair, alex, sam):
            for other in ("Chair", "Alex", "Sam"):
                person.until("chat", text=f"hello from {other}")
        alex.send(type="hand", up=True)
        chair.until("queue")
        chair.send(type="call")
        alex.until("offer", seat=alex.seat)
        alex.send(type="accept")
        for person in (chair, alex, sam):
            assert person.until("share")["seat"] == alex.seat
        chair.send(type="mute", seat=sam.seat)
        assert chair.until("host_log")["entry"]
        chair.send(type="end")
        for person in (chair, alex, sam):
            person.until("ended")
        for person in (chair, alex, sam):
            numbers = [event["seq"] for event in person.seen if event["type"] != "error" and event["seq"]]
            assert numbers == sorted(numbers), f"{person.name} got the meeting out of order"
            assert sorted(person.chats()) == sorted(f"hello from {who}" for who in ("Chair", "Alex", "Sam"))
        assert not any(event["type"] == "host_log" for event in alex.seen + sam.seen), "host news reached members"


@pytest.mark.postgres
def test_killing_a_server_mid_share_its_people_carry_on_through_the_other(tmp_path: Path) -> None:
    with two_servers(tmp_path) as (doomed, survivor, chair_key), contextlib.ExitStack() as sockets:
        chair, sharer, waiting = (Person(name, sockets) for name in ("Chair", "Robin", "Kim"))
        chair.join(survivor, chair_key=chair_key)
        sharer.join(doomed)
        waiting.join(doomed)
        sharer.send(type="hand", up=True)
        waiting.send(type="hand", up=True)
        chair.until("queue")
        chair.send(type="call")
        sharer.until("offer", seat=sharer.seat)
        sharer.send(type="accept")
        assert chair.until("share")["seat"] == sharer.seat
        waiting.until("share")
        chair.send(type="chat", text="before the crash")
        sharer.until("chat", text="before the crash")
        waiting.until("chat", text="before the crash")

        os.kill(doomed.pid, signal.SIGKILL)
        chair.send(type="chat", text="while they were away")
        chair.until("chat", text="while they were away")
        for person in (sharer, waiting):
            person.resume(survivor)
            person.until("chat", text="while they were away")  # what they missed, from the replay
        chair.send(type="chat", text="after the crash")
        for person in (chair, sharer, waiting):
            person.until("chat", text="after the crash")

        # Their seats, the share and the queue are intact: the sharer finishes, and the one waiting is next.
        sharer.send(type="done")
        chair.until("share_ended", seat=sharer.seat)
        chair.send(type="call")
        waiting.until("offer", seat=waiting.seat)
        for person in (chair, sharer, waiting):
            assert person.chats().count("before the crash") == 1
            assert person.chats().count("while they were away") == 1, f"{person.name}: lost or duplicated"
            assert person.chats().count("after the crash") == 1
            numbers = [event["seq"] for event in person.seen if event["type"] != "error" and event["seq"]]
            assert numbers == sorted(numbers)
        assert "Traceback" not in survivor.log_text()


def serve_and_wait(tmp_path: Path, env_changes: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
    env |= {"STAYHERE_DATA_DIR": str(tmp_path / "data"), "STAYHERE_JANUS": "0", **env_changes}
    command = [sys.executable, "-m", "stayhere.cli", "serve", "--port", str(free_port()), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_serve_refuses_a_redis_that_would_write_meetings_to_disk(tmp_path: Path) -> None:
    with private_redis(tmp_path / "redis", "--save", "900 1", "--appendonly", "no") as writes:
        refused = serve_and_wait(tmp_path, {"STAYHERE_REDIS_URL": writes.url})
    assert refused.returncode == 2
    assert 'save ""' in refused.stderr and "STAYHERE_REDIS_ALLOW_PERSISTENCE" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_several_workers_without_redis_are_refused_with_what_to_set(tmp_path: Path) -> None:
    refused = serve_and_wait(tmp_path, {}, "--workers", "2")
    assert refused.returncode == 2
    assert "STAYHERE_REDIS_URL" in refused.stderr
