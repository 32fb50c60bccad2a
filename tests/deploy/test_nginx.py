"""deploy/nginx/stayhere.conf, run by Debian's nginx in front of two real ``stayhere serve`` workers.

The workers share one database (the embedded SQLite, in one data directory) and the suite's Redis (the rooms).
Through nginx: pages come back, requests reach both workers, a meeting's WebSockets land on both workers and
everyone in it hears everyone, a worker that stops is passed over, and nothing nginx wrote names a client
address.
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.sync.client import connect

from tests.deploy.nginx_kit import NGINX, Nginx, nginx_in_front
from tests.live_server import LiveServer, free_port, live_server
from tests.rooms.redis_server import shared_redis_url

pytestmark = [
    pytest.mark.nginx,
    pytest.mark.skipif(
        not NGINX.exists(), reason="Debian's nginx is not installed (/usr/sbin/nginx): apt-get install nginx"
    ),
]

REPO = Path(__file__).resolve().parents[2]
ROOM = "nginx-room-" + secrets.token_hex(4)  # its own meeting in the shared Redis
SEED = f"""
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Nginx Room", "{ROOM}"), waiting_room=False, chat_policy="open")
print("CHAIR-KEY", room.chair_key)
"""
# As deploy/systemd/stayhere.env has it: nginx keeps the per-address limits, so the workers' are off.
BEHIND_NGINX = {"STAYHERE_ROOM_JOINS_PER_SOURCE": "0", "STAYHERE_ROOM_SOCKETS_PER_SOURCE": "0"}
LOOPBACK = re.compile(rb"127\.0\.0\.\d+")


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read().decode()


def served(worker: LiveServer, route: str) -> int:
    """How many requests for this route the worker's access log shows (it logs the route, never an address)."""
    return sum(1 for line in worker.log_text().splitlines() if f"GET {route} " in line)


@dataclass
class Site:
    proxy: Nginx
    workers: list[LiveServer]
    stop_second: Callable[[], None]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = {
        "PYTHONPATH": str(REPO),
        "STAYHERE_REDIS_URL": shared_redis_url(),
        "STAYHERE_LOG_LEVEL": "INFO",
        **BEHIND_NGINX,
    }
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    with ExitStack() as stack, ExitStack() as second_stack:
        first = stack.enter_context(
            live_server(data, tmp_path / "worker-1.log", setup=[["shell", "-c", SEED]], extra_env=env)
        )
        second = second_stack.enter_context(live_server(data, tmp_path / "worker-2.log", extra_env=env))
        workers = [first, second]
        ports = [int(worker.url.rsplit(":", 1)[1]) for worker in workers]
        proxy = stack.enter_context(nginx_in_front(prefix, ports, free_port()))
        yield Site(proxy, workers, second_stack.close)


def chair_key(worker: LiveServer) -> str:
    return next(line.split()[1] for line in worker.log_text().splitlines() if line.startswith("CHAIR-KEY"))


def seats_by_worker() -> list[int]:
    """How many of the meeting's seats each worker holds, as the workers note it in Redis (the server's log has no
    line per connection)."""
    client = redis.Redis.from_url(shared_redis_url())
    try:
        holders = client.hgetall(f"stayhere:{{{ROOM}}}:where")
    finally:
        client.close()
    return sorted(Counter(holders.values()).values())


def send(ws: Any, kind: str, **fields: Any) -> None:
    ws.send(json.dumps({"type": kind, **fields}))


def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if event["type"] == kind:
            return event


def test_pages_and_a_room_through_nginx_reach_both_workers_and_nginx_logs_no_address(site: Site) -> None:
    proxy, workers = site.proxy, site.workers

    status, page = get(proxy.url + "/")
    assert status == 200 and "<form" in page
    status, page = get(f"{proxy.url}/meetings/{ROOM}/room")
    assert status == 200 and f"/ws/rooms/{ROOM}" in page
    # The pages' scripts go out compressed to a browser that accepts it (an old phone on a slow line).
    asked = urllib.request.Request(proxy.url + "/static/stayhere/room.js", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(asked, timeout=10) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(answer.read()).startswith(b"// The meeting room in the browser")

    # Round robin: twenty requests through nginx, and each worker answered some of them.
    before = [served(worker, "/health") for worker in workers]
    for _ in range(20):
        assert get(proxy.url + "/health")[0] == 200
    after = [served(worker, "/health") for worker in workers]
    answered = [late - early for early, late in zip(before, after, strict=True)]
    assert sum(answered) == 20 and min(answered) > 0, f"requests per worker: {answered}"

    # A meeting's WebSockets go through nginx (Host and Origin intact) and land on both workers (round robin);
    # every message reaches everyone, whichever worker holds their socket.
    address = f"ws://{proxy.url.removeprefix('http://')}/ws/rooms/{ROOM}"
    with ExitStack() as sockets:
        chair, *members = (sockets.enter_context(connect(address, origin=proxy.url)) for _ in range(4))  # type: ignore[arg-type]
        send(chair, "join", name="Chair Through Nginx", chair_key=chair_key(workers[0]))
        assert until(chair, "welcome")["snapshot"]["role"] == "chair"
        for number, member in enumerate(members):
            send(member, "join", name=f"Member {number}")
            until(member, "welcome")
        for number, member in enumerate(members):
            send(member, "chat", text=f"hello from member {number}")
            for listener in [chair, *members]:
                assert until(listener, "chat")["text"] == f"hello from member {number}"
        spread = seats_by_worker()
        assert sum(spread) == 4 and len(spread) == 2, f"room sockets per worker: {spread}"
        send(chair, "end")  # the meeting's keys leave Redis
        for member in members:
            assert until(member, "ended")["message"]

    # One worker stops: nginx passes over it, and its complaint about the refused connection (which would name
    # the client) is not written.
    site.stop_second()
    for _ in range(6):
        assert get(proxy.url + "/health")[0] == 200

    written = proxy.written_files()
    assert any(path.name == "error.log" and path.stat().st_size > 0 for path in written), written
    leaks = [
        f"{path.name}: {line!r}" for path in written for line in path.read_bytes().splitlines() if LOOPBACK.search(line)
    ]
    assert leaks == [], "nginx wrote a client address: " + "; ".join(leaks)


def test_nginx_turns_away_a_flood_of_room_handshakes_from_one_address_and_writes_no_line_of_it(site: Site) -> None:
    from websockets.exceptions import InvalidStatus

    proxy = site.proxy
    address = f"ws://{proxy.url.removeprefix('http://')}/ws/rooms/{ROOM}"
    refused: list[int] = []
    with ExitStack() as sockets:
        for _ in range(70):
            try:
                sockets.enter_context(connect(address, origin=proxy.url, open_timeout=10))  # type: ignore[arg-type]
            except InvalidStatus as answer:
                refused.append(answer.response.status_code)
        opened = 70 - len(refused)
        assert refused and set(refused) == {429}, f"refused with {sorted(set(refused))}"
        assert 40 <= opened < 70, f"{opened} handshakes went through"
        # Pages are not limited with the meetings' door.
        assert get(proxy.url + "/health")[0] == 200
    leaks = [
        f"{path.name}: {line!r}"
        for path in proxy.written_files()
        for line in path.read_bytes().splitlines()
        if LOOPBACK.search(line)
    ]
    assert leaks == [], "nginx wrote a client address: " + "; ".join(leaks)
