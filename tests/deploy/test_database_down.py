"""PostgreSQL goes away during a meeting: the meeting goes on, pages that need the database say so plainly.

A real ``stayhere serve`` runs on a PostgreSQL cluster of the test's own, with its rooms in the process (the
embedded default) or in the suite's Redis (scale-out). Two people meet in a room over real
WebSockets; then the cluster is stopped. The meeting goes on (chat, a hand, a share, a third person joining);
the finder, a meeting's page, the room pages, the feeds and the slips' keys answer 503 with a sentence for
people; /health says the database is down; and the server printed no trace.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.deploy.throwaway_postgres import Cluster, postgres_bin, throwaway_postgres
from tests.live_server import LiveServer, live_server
from tests.rooms.redis_server import shared_redis_url

REPO = Path(__file__).resolve().parents[2]
BIN = postgres_bin()
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        BIN is None, reason="PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin/initdb)"
    ),
]

SLUG = "database-down-room-" + secrets.token_hex(4)  # its own meeting in the shared Redis
SEED = f"""
from tests.browser.room_seed import FORMAT, running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Database Down Room", "{SLUG}"), waiting_room=False, chat_policy="open", format=FORMAT)
print("CHAIR-KEY", room.chair_key)
make_room(running_now("Not Yet Opened Room", "{SLUG}-unopened"), waiting_room=False)
"""
SHARING = 2  # the format's "Open sharing" segment
ADDRESS = re.compile(r"\b127\.0\.0\.\d+\b|\[?::1\]?")


@pytest.fixture(params=["rooms in the process", "rooms in Redis"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, Cluster]]:
    assert BIN is not None
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    with throwaway_postgres(BIN) as cluster:
        env = {
            "PYTHONPATH": str(REPO),
            "STAYHERE_DATABASE_URL": cluster.url,
            "STAYHERE_JANUS": "0",
            "STAYHERE_LOG_LEVEL": "INFO",
        }
        if request.param == "rooms in Redis":
            env["STAYHERE_REDIS_URL"] = shared_redis_url()
        with live_server(data, tmp_path / "server.log", setup=[["shell", "-c", SEED]], extra_env=env) as server:
            yield server, cluster


def open_socket(server: LiveServer) -> ClientConnection:
    host = server.url.removeprefix("http://")
    return connect(f"ws://{host}/ws/rooms/{SLUG}", origin=server.url)  # type: ignore[arg-type]


def until(ws: ClientConnection, kind: str, seat: str | None = None) -> dict[str, Any]:
    """The next event of this type (about this seat, when given: ``seat``, or one who joined in a
    ``people_changed``; kind ``joined`` is a ``people_changed`` whose ``joined`` is not empty)."""
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if kind == "joined" and event["type"] == "people_changed" and event["joined"]:
            if seat is None or seat in [person["seat"] for person in event["joined"]]:
                return event
        elif event["type"] == kind and seat in (None, event.get("seat")):
            return event


def answer(url: str) -> tuple[int, str, str]:
    """(status, body, Content-Type) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), refused.headers.get("Content-Type", "")


def send(ws: ClientConnection, kind: str, **fields: Any) -> None:
    ws.send(json.dumps({"type": kind, **fields}))


def test_a_meeting_goes_on_and_pages_say_the_database_is_down(served: tuple[LiveServer, Cluster]) -> None:
    server, cluster = served
    chair_key = next(line.split()[1] for line in server.log_text().splitlines() if line.startswith("CHAIR-KEY"))
    assert answer(f"{server.url}/meetings/{SLUG}")[0] == 200  # the pages work while the database is up

    with open_socket(server) as chair, open_socket(server) as member:
        send(chair, "join", name="Chair Pat", chair_key=chair_key)
        assert until(chair, "welcome")["snapshot"]["role"] == "chair"
        send(member, "join", name="Member Lee")
        member_seat = until(member, "welcome")["seat"]
        until(chair, "joined", member_seat)

        cluster.stop()

        # The pages that read the database say it is unavailable, in words, without a trace or an address.
        pages = [
            "/",
            "/?q=evening",
            f"/meetings/{SLUG}",
            f"/meetings/{SLUG}/room",
            f"/meetings/{SLUG}/room/chair/{chair_key}",
        ]
        pages += [f"/meetings/{SLUG}.ics", "/feeds/meeting-guide.json", "/feeds/meetings.csv", "/slips/keys"]
        for path in pages:
            status, body, content_type = answer(server.url + path)
            assert status == 503, f"{path} answered {status}"
            assert content_type.startswith("text/html") and "unavailable" in body.lower(), f"{path}: {body[:300]}"
            assert "Traceback" not in body and "OperationalError" not in body and not ADDRESS.search(body), path
        status, body, _ = answer(server.url + "/health")
        assert status == 503 and json.loads(body)["database"] == "down"

        # The meeting goes on: chat, a hand, the floor offered and taken, and someone new comes in.
        send(member, "chat", text="still here")
        assert until(chair, "chat")["text"] == "still here"
        send(chair, "segment", index=SHARING)
        until(member, "segment")
        send(member, "hand", up=True)
        assert until(chair, "queue")["queue"] == [member_seat]
        send(chair, "call", seat=member_seat)
        until(member, "offer")
        send(member, "accept")
        assert until(chair, "share")["seat"] == member_seat
        with open_socket(server) as newcomer:
            send(newcomer, "join", name="Newcomer Sam")
            newcomer_seat = until(newcomer, "welcome")["seat"]
            until(chair, "joined", newcomer_seat)
        # A meeting nobody has opened yet needs its settings from the database: the person is told, not seated.
        host = server.url.removeprefix("http://")
        with connect(f"ws://{host}/ws/rooms/{SLUG}-unopened", origin=server.url) as first:  # type: ignore[arg-type]
            send(first, "join", name="Too Early")
            refused = until(first, "error")
            assert refused["ref"] == "join" and refused["code"] == "closed"
            assert "cannot reach its database" in refused["message"]
        send(member, "done")
        assert until(chair, "share_ended")["seat"] == member_seat
        send(chair, "end")
        assert until(member, "ended")["message"]

    log = server.log_text()
    # A fault's trace is logged as its kind and frames (stayhere.core.logging): neither form may be there.
    assert "Traceback" not in log and "its message is not logged" not in log, log[-3000:]
    served_log = log.split("stayhere is running", 1)[1]  # what the server printed (the seed printed the key)
    assert chair_key not in served_log  # the chair link's path answered 503, and its key is a secret
    assert "GET / 503" in log  # the access log saw the refusals: the search for a traceback is not vacuous
