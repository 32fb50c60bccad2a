"""Who was in a meeting and what they said must reach no file and no log.

A real server runs on the embedded default with logging at DEBUG. A chair and members join a room over real
WebSockets from their own loopback address, with canary strings as display names, chat, a report, a rename and
a wrong passcode; one is removed; the meeting ends. Before joining, names are asked about at the join form's
name advice, well and badly. Afterwards every file under the data directory, everything the server printed and
the temp directory are searched for each canary and for the client's address.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

from tests.confidentiality.test_finder_canaries import CLIENT_ADDRESS, hits_in
from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]

NAMES = ["ChairCanaryPlatypus", "MemberCanaryNumbat", "IntruderCanaryDugong"]
RENAMED = "RenamedCanaryBilby"
CHAT = "ChatCanaryKookaburra said something private"
REPORT = "ReportCanaryWallaby is disrupting"
TYPED = "TypedShareCanaryPangolin is what I could not say aloud"  # a share by typing
WRONG_PASSCODE = "86420975"
ADVISED = "AdvisedCanaryQuoll"  # a name asked about at the join form, never joined with
QUERY = "QueryCanaryOkapi"  # in one WebSocket address's query string
HOST = "HostCanaryTapir.example"  # a Host header the site does not answer to
CANARIES = [
    QUERY,
    HOST,
    *NAMES,
    RENAMED,
    "ChatCanaryKookaburra",
    "ReportCanaryWallaby",
    "TypedShareCanaryPangolin",
    WRONG_PASSCODE,
    ADVISED,
    CLIENT_ADDRESS,
]


def open_socket(server: LiveServer, cookie: str, query: str = "") -> ClientConnection:
    parts = urlsplit(server.url)
    raw = socket.create_connection((parts.hostname, parts.port), source_address=(CLIENT_ADDRESS, 0))
    return connect(
        f"ws://{parts.hostname}:{parts.port}/ws/rooms/{SLUG}{query}",
        sock=raw,
        origin=f"http://{parts.hostname}:{parts.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"stayhere_seat={cookie}"},
    )


def ask_advice(server: LiveServer, method: str, path: str, body: str | None) -> tuple[int, str, str]:
    """One request to the name advice from the client's address: its status, Set-Cookie and body."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(CLIENT_ADDRESS, 0))
    try:
        headers = {"Content-Type": "application/json", "Origin": server.url}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


def ask_with_host(server: LiveServer, host: str) -> int:
    """A request naming a host this site does not answer to, from the client's address: its status."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(CLIENT_ADDRESS, 0))
    try:
        connection.request("GET", f"/meetings?near={QUERY}", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def advise(server: LiveServer) -> None:
    """The join form asks about names: a full name, one too long, a broken body, a name in a query string."""
    asked = [
        ask_advice(server, "POST", "/rooms/name-advice", json.dumps({"name": f"{ADVISED} Smith"})),
        ask_advice(server, "POST", "/rooms/name-advice", json.dumps({"name": ADVISED * 3})),
        ask_advice(server, "POST", "/rooms/name-advice", '{"name": "' + ADVISED),
        ask_advice(server, "GET", f"/rooms/name-advice?name={ADVISED}", None),
        ask_advice(server, "POST", "/rooms/name-advice", json.dumps({"name": NAMES[1]})),
    ]
    assert [status for status, _, _ in asked] == [200, 400, 400, 405, 200]
    assert "full name" in json.loads(asked[0][2])["advice"]
    assert all(cookie == "" for _, cookie, _ in asked), "the name advice sets no cookie"
    assert all(ADVISED not in body for _, _, body in asked), "no answer repeats the name"


def until(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if event["type"] == kind:
            return event


SLUG = "canary-room"
SEED = f"""
from tests.rooms.factories import make_room
from tests.directory.factories import make_meeting
from stayhere.directory.models import Attendance
meeting = make_meeting("Canary Room", slug="{SLUG}", attendance=Attendance.ONLINE, has_room=True)
room = make_room(meeting, waiting_room=True, chat_policy="hosts", passcode="1357")
print("CHAIR-KEY", room.chair_key)
"""


def test_a_whole_meeting_leaves_no_name_message_report_or_address_behind(tmp_path: Path) -> None:
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    seed = ["shell", "-c", SEED]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as server:
        chair_key = next(line.split()[1] for line in server.log_text().splitlines() if line.startswith("CHAIR-KEY"))
        advise(server)
        assert ask_with_host(server, HOST) == 400
        hold_a_meeting(server, chair_key)

    # The server has stopped: its database, write-ahead log and output are complete.
    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES)]
    for path in Path(tempfile.gettempdir()).glob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES[:-1])]
    assert found == [], "canaries were kept: " + "; ".join(found)
    # The server did serve the room's page route and log at DEBUG: the search above is not vacuous.
    assert "stayhere is running" in output.read_text()
    assert "/rooms/name-advice 200" in output.read_text(), "the name advice was asked, and its access logged"
    # No line per connection: nothing says when a connection came to which meeting (docs/SECURITY.md).
    printed = output.read_text()
    assert "WebSocket /ws/rooms" not in printed and SLUG not in printed, "a connection to the meeting was logged"
    assert "connection open" not in printed and "connection closed" not in printed
    assert "does not answer to" in printed, "the bad host was noted, without its text"


def hold_a_meeting(server: LiveServer, chair_key: str) -> None:
    with contextlib.ExitStack() as sockets:
        chair, intruder = (sockets.enter_context(open_socket(server, f"cookie-{who}")) for who in ("chair", "intruder"))
        member = sockets.enter_context(open_socket(server, "cookie-member", f"?from={QUERY}"))
        meet(chair, member, intruder, chair_key)


def meet(chair: ClientConnection, member: ClientConnection, intruder: ClientConnection, chair_key: str) -> None:
    chair.send(json.dumps({"type": "join", "name": NAMES[0], "chair_key": chair_key}))
    until(chair, "welcome")
    member.send(json.dumps({"type": "join", "name": NAMES[1], "passcode": WRONG_PASSCODE}))
    assert until(member, "error")["code"] == "passcode"
    member.send(json.dumps({"type": "join", "name": NAMES[1], "passcode": "1357"}))
    until(member, "welcome")
    intruder.send(json.dumps({"type": "join", "name": NAMES[2], "passcode": "1357"}))
    until(intruder, "welcome")

    chair.send(json.dumps({"type": "admit_all"}))
    intruder_seat = None
    while intruder_seat is None:
        event = until(chair, "people_changed")
        for person in event["joined"]:
            if person["name"] == NAMES[2]:
                intruder_seat = person["seat"]
    until(member, "admitted")

    member.send(json.dumps({"type": "rename", "name": RENAMED}))
    member.send(json.dumps({"type": "chat", "text": CHAT}))
    assert until(chair, "chat")["text"] == CHAT
    # A share by typing: called on, the member types; the room sees it for the share's time only.
    member.send(json.dumps({"type": "hand", "up": True}))
    until(chair, "queue")
    chair.send(json.dumps({"type": "call"}))
    until(member, "offer")
    member.send(json.dumps({"type": "accept"}))
    until(member, "share")
    member.send(json.dumps({"type": "share_text", "text": TYPED}))
    assert until(chair, "share_text")["text"] == TYPED
    member.send(json.dumps({"type": "done"}))
    until(chair, "share_ended")
    member.send(json.dumps({"type": "report", "text": REPORT, "about": intruder_seat}))
    assert until(chair, "report")["text"] == REPORT
    chair.send(json.dumps({"type": "remove", "seat": intruder_seat}))
    assert until(intruder, "removed")["message"]
    chair.send(json.dumps({"type": "end"}))
    assert until(member, "ended")["message"]
