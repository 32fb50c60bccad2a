"""A telephone call must leave the caller's number nowhere: not in stayhere's files or logs, nor the engines'.

A real ``stayhere serve`` runs with the phone edge on (STAYHERE_PHONE=1: its own Janus, Kamailio and rtpengine),
logging at DEBUG. baresip rings from a canary number, keys the meeting's code as RFC 4733 DTMF, is seated (the
chair sees "Phone caller"), raises its hand with *9 and hangs up. Afterwards every file under the data
directory (the engines' generated configuration with it), everything the server and the engines printed, and
the temp directory are searched for the number.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.confidentiality.test_finder_canaries import hits_in
from tests.confidentiality.test_room_canaries import REPO, open_socket
from tests.live_server import live_server
from tests.needs import need
from tests.phone.baresip import Baresip, free_tcp_port, sip_port
from tests.phone.conftest import need_edge
from tests.rooms.roomkit import run_async

pytestmark = [pytest.mark.janus, pytest.mark.phone]

NUMBER = "15550123987"  # the caller's number: the canary
SLUG = "canary-room"  # open_socket's meeting
SEED = f"""
from tests.rooms.factories import make_room
from tests.directory.factories import make_meeting
from stayhere.directory.models import Attendance
from stayhere.phone.codes import code_for
meeting = make_meeting("Canary Room", slug="{SLUG}", attendance=Attendance.ONLINE, has_room=True)
room = make_room(meeting, waiting_room=False)
print("CHAIR-KEY", room.chair_key)
print("PHONE-CODE", code_for(meeting))
"""


def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if event["type"] == kind:
            return event


def arrival(ws: Any, name_starts: str) -> dict[str, Any]:
    """The participant whose name starts so, from the next ``people_changed`` that brings them (a caller is seated
    under a tag, never the number)."""
    while True:
        event = until(ws, "people_changed")
        for person in event["joined"]:
            if str(person["name"]).startswith(name_starts):
                return dict(person)


def departure(ws: Any, seat: str) -> None:
    while seat not in until(ws, "people_changed")["left"]:
        pass


def test_a_telephone_call_leaves_no_caller_number_in_any_file_or_log(tmp_path: Path) -> None:
    need("janus")
    need_edge()
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    sip = sip_port()
    base = 31000 + 100 * secrets.randbelow(50)
    janus_base = 42000 + 200 * secrets.randbelow(80)
    env = {
        "PYTHONPATH": str(REPO),
        "STAYHERE_PHONE": "1",
        "STAYHERE_PHONE_SIP_LISTEN": f"127.0.0.1:{sip}",
        "STAYHERE_PHONE_RTP_PORTS": f"{base}-{base + 99}",
        "STAYHERE_JANUS_HTTP_PORT": str(free_tcp_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_tcp_port()),
        "STAYHERE_JANUS_RTP_PORTS": f"{janus_base}-{janus_base + 99}",
        "STAYHERE_JANUS_PHONE_RTP_PORTS": f"{janus_base + 100}-{janus_base + 199}",
    }
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env=env) as server:
        lines = server.log_text().splitlines()
        chair_key = next(line.split()[1] for line in lines if line.startswith("CHAIR-KEY"))
        code = next(line.split()[1] for line in lines if line.startswith("PHONE-CODE"))
        with open_socket(server, "cookie-chair") as chair:
            chair.send(json.dumps({"type": "join", "name": "Chair", "chair_key": chair_key}))
            until(chair, "welcome")
            run_async(ring(tmp_path / "baresip", sip, code, chair))  # its own loop: see run_async
    printed = output.read_text(errors="replace")
    assert "The phone line is up" in printed, "the edge ran: the search below is not vacuous"

    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, [NUMBER])]
    for path in Path(tempfile.gettempdir()).glob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            found += [f"{needle} in {path}" for needle in hits_in(path, [NUMBER])]
    assert found == [], "the caller's number was kept: " + "; ".join(found)
    assert (data_dir / "phone" / "kamailio.cfg").exists(), "the engines' configuration is in the data directory"
    assert not any((data_dir / "phone").glob("*.pcap")) and not any(data_dir.rglob("*.wav.rec"))


async def ring(folder: Path, sip: int, code: str, chair: Any) -> None:
    phone = Baresip(folder, NUMBER)
    try:
        await phone.connect()
        await phone.dial(f"sip:stayhere@127.0.0.1:{sip}")
        await phone.wait_for("CALL_ESTABLISHED")
        await asyncio.sleep(1.0)
        await phone.keys(code + "#")
        caller = await asyncio.to_thread(arrival, chair, "Phone caller")
        await asyncio.sleep(1.0)
        await phone.keys("*9")
        queue = await asyncio.to_thread(until, chair, "queue")
        assert queue["queue"] == [caller["seat"]]
        await phone.hang_up()
        await asyncio.to_thread(departure, chair, caller["seat"])
    finally:
        phone.stop()
