"""What people search for, and from where, must reach no file and no log.

A real server is started on the embedded default with logging at DEBUG; searches carry
canary strings as text, position and place; the client connects from its own loopback
address. Afterwards every file in the data directory and everything the server printed
is searched for each canary.
"""

from __future__ import annotations

import http.client
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.live_server import LiveServer, live_server

CLIENT_ADDRESS = "127.0.0.3"  # the client's own source address, so it can be searched for
TEXT = "QuokkaCanary7321"
LATITUDE, LONGITUDE = "12.34567", "-45.67891"
PLACE = "Wombatcanaryville"
CANARIES = [TEXT, LATITUDE, LONGITUDE.lstrip("-"), PLACE, CLIENT_ADDRESS]


def get(server: LiveServer, path: str, params: dict[str, str]) -> int:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(CLIENT_ADDRESS, 0))
    try:
        connection.request("GET", f"{path}?{urlencode(params)}", headers={"User-Agent": f"agent-{TEXT}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def hits_in(path: Path, needles: list[str]) -> list[str]:
    try:
        content = path.read_bytes()
    except (FileNotFoundError, PermissionError):  # a file another process removed meanwhile
        return []
    return [needle for needle in needles if needle.encode() in content]


def test_searches_leave_no_text_position_place_or_address_behind(tmp_path: Path):
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    with live_server(data_dir, output, setup=[["load_demo", "--meetings", "60", "--seed", "3"]]) as server:
        statuses = search_with_canaries(server)
    assert statuses == [200, 200, 400, 400, 400, 200, 404]

    # The server has stopped: its database, write-ahead log and output are complete.
    found: list[str] = []
    files = [p for p in data_dir.rglob("*") if p.is_file()] + [output]
    for path in files:
        found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES)]
    temp = Path(tempfile.gettempdir())
    for path in temp.glob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            found += [f"{needle} in {path}" for needle in hits_in(path, [TEXT, PLACE])]
    assert found == [], "canaries were kept: " + "; ".join(found)
    # The server did log the requests: the check above is not vacuous.
    assert "GET /api/meetings 400" in output.read_text()


def search_with_canaries(server: LiveServer) -> list[int]:
    return [
        get(server, "/", {"q": TEXT, "near": f"{LATITUDE},{LONGITUDE}", "now": "1"}),
        get(server, "/api/meetings", {"q": TEXT, "near": f"{LATITUDE},{LONGITUDE}", "type": "O"}),
        get(server, "/", {"place": PLACE}),
        get(server, "/api/meetings", {"place": PLACE}),
        get(server, "/api/meetings", {"q": TEXT, "day": "9"}),
        get(server, "/api/places", {"q": PLACE}),
        get(server, f"/meetings/{TEXT}", {}),
    ]
