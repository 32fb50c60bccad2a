"""An attendance slip leaves nothing at the server: not the name, not the salt, not the slip.

A real server runs on the embedded default with logging at DEBUG. From their own loopback address, an attendee
scans an in-person meeting's code and gets a slip for a canary name's commitment; an officer verifies it, once
by the JSON check and once through the form without JavaScript, with the server checking the canary name and
salt (the one path where a name reaches the server, by the officer's choice). Afterwards every file under the
data directory and everything the server printed are searched for the name, the salt, the commitment, the
slip's signature and the client's address.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from stayhere.slips.signing import commitment_of
from tests.confidentiality.test_finder_canaries import CLIENT_ADDRESS, hits_in
from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
SLUG = "canary-hall"
NAME = "SlipCanaryPangolin Marsh"
SALT = bytes.fromhex("5a17ca4a12345678deadbeef")
COMMITMENT = commitment_of(NAME, SALT)
SEED = f"""
import datetime as dt
from stayhere.directory.models import Attendance, Group
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from stayhere.slips import keystore
from tests.directory.factories import make_meeting
group = Group.objects.create(name="Canary Hall Group", slug="canary-hall-group")
start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
make_meeting("Canary Hall", slug="{SLUG}", days=list(range(7)), start=start.strftime("%H:%M"),
             end=(start + dt.timedelta(minutes=60)).strftime("%H:%M"), tz="UTC", attendance=Attendance.IN_PERSON,
             group=group)
keystore.enable(group, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), minimum_minutes=0)
print("CHAIR-KEY", keys.rotate_chair_key(RoomSettings.objects.create(group=group)))
"""


def ask(server: LiveServer, method: str, path: str, body: bytes = b"", kind: str = "") -> tuple[int, str]:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10, source_address=(CLIENT_ADDRESS, 0))
    headers = {"Content-Type": kind} if kind else {}
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, text


def post_json(server: LiveServer, path: str, data: dict[str, Any]) -> dict[str, Any]:
    status, text = ask(server, "POST", path, json.dumps(data).encode(), "application/json")
    answer: dict[str, Any] = json.loads(text)
    assert status == 200, answer
    return answer


def get_a_slip_and_verify_it(server: LiveServer, chair_key: str) -> str:
    status, text = ask(server, "GET", f"/slips/chair/{SLUG}/{chair_key}/code")
    assert status == 200, text
    here = urlsplit(json.loads(text)["url"]).path  # /slips/here/<slug>/<minute>/<code>
    minute, code = here.split("/")[-2:]
    answer = post_json(server, f"/slips/scan/{SLUG}", {"minute": int(minute), "code": code, "commitment": COMMITMENT})
    token: str = answer["slip"]["token"]
    assert answer["slip"]["slip"]["commitment"] == COMMITMENT
    assert post_json(server, "/verify/check", {"token": token})["code"] == "valid"
    form = urlencode({"token": token, "name": NAME, "salt": SALT.hex(), "check_name": "on"}).encode()
    status, page = ask(server, "POST", "/verify", form, "application/x-www-form-urlencoded")
    assert status == 200 and "The name matches" in page
    return token


def test_a_slip_leaves_no_name_salt_commitment_slip_or_address_behind(tmp_path: Path) -> None:
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as server:
        chair_key = next(line.split()[1] for line in server.log_text().splitlines() if line.startswith("CHAIR-KEY"))
        token = get_a_slip_and_verify_it(server, chair_key)

    # The server has stopped: its database, write-ahead log and output are complete.
    canaries = ["SlipCanaryPangolin", "slipcanarypangolin", SALT.hex(), COMMITMENT, token.rsplit(".", 1)[1],
                token.split(".")[1][:40], CLIENT_ADDRESS]  # fmt: skip
    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, canaries)]
    assert found == [], "a slip left something behind: " + "; ".join(found)
    # The server did log these requests at DEBUG: the search above is not vacuous.
    log = output.read_text()
    assert "POST /verify 200" in log and "/slips/scan/<slug:slug>" in log
