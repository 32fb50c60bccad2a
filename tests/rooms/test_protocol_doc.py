"""docs/protocol.md is the contract a client is written from: its tables of messages and events must name what the
server takes and sends, no more and no less (a client written from the doc alone must work)."""

from __future__ import annotations

import re
from pathlib import Path

from stayhere.rooms.live.protocol import SCHEMAS

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = (REPO / "docs" / "protocol.md").read_text()
# Every call that writes an event of a type given as a literal: the core's Outbox, the runtime's frames, the relay.
SENDS = re.compile(
    r'(?:send|send_once|send_passing|frame|announce|outside)\(\s*(?:[^,()"]|\([^()]*\))+,\s*"([a-z_]+)"', re.S
)


def _table(heading: str) -> dict[str, str]:
    """The rows of the table under a heading: each backquoted type (``a`` / ``b`` rows give both) and its fields."""
    section = PROTOCOL.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for kind in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[kind] = cells[1]
    return rows


def _server_sources() -> str:
    folders = [REPO / "stayhere" / "rooms", REPO / "stayhere" / "audio"]
    return "\n".join(path.read_text() for folder in folders for path in sorted(folder.rglob("*.py")))


def test_the_docs_client_messages_are_exactly_the_ones_the_server_takes_with_every_field_named() -> None:
    documented = _table("Client to server")
    assert set(documented) == set(SCHEMAS)
    for kind, fields in SCHEMAS.items():
        for field in fields:
            assert f"`{field}`" in documented[kind], f"docs/protocol.md does not name {kind}'s field {field}"


def test_the_docs_events_are_exactly_the_ones_the_server_sends() -> None:
    sources = _server_sources()
    sent = set(SENDS.findall(sources)) | set(re.findall(r'"type": "([a-z_]+)"', sources))
    sent |= {"people_changed"}  # also written by frames.PeopleChanges under its constant's name
    documented = set(_table("Server to client"))
    assert documented - sent == set(), "events the doc promises but no code sends"
    assert sent - documented == set(), "events the server sends that the doc does not list"
    assert {"welcome", "people_changed", "people_list", "report", "audio", "talking", "error"} <= documented
