"""The engines' output is blanked before stayhere's log sees it: shown by running them verbose for one call.

At the levels stayhere sets, neither engine writes a caller's number (the canary test shows it for a whole
serve). Here Kamailio runs at debug level and rtpengine at level 7, where they print SIP and SDP details, and a
real call's number and addresses must still reach no line of their output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from stayhere.audio import sip
from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.phone import codes
from stayhere.rooms.live.root import LiveRooms
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.phone.conftest import start_edge
from tests.phone.test_dial_in import dial_and_key, open_line, report, seated
from tests.rooms.factories import make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_consumer import run
from tests.rooms.test_phone import chair_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.janus, pytest.mark.phone]

NUMBER = "15550148822"


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


@pytest.fixture
def relay(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> AudioRelay:  # noqa: F811
    made = AudioRelay(janus, fresh_rooms.hub)
    fresh_rooms.use_relay(made)
    return made


def test_verbose_engines_print_call_details_and_the_blanking_takes_out_the_number(
    relay: AudioRelay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sip, "KAMAILIO_LOG_LEVEL", 3)
    monkeypatch.setattr(sip, "RTPENGINE_LOG_LEVEL", 7)
    raw_hits: list[str] = []
    original = sip.blank

    def watching(line: str, extra: tuple[str, ...] = ()) -> tuple[str, int]:
        if NUMBER in line:
            raw_hits.append(line)
        return original(line, extra)

    monkeypatch.setattr(sip, "blank", watching)
    edge = start_edge(tmp_path)
    room = make_room(waiting_room=False)
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        line = await open_line(edge, relay)
        await chair_in(room)
        phone = await dial_and_key(edge, tmp_path / "a", code + "#", number=NUMBER)
        try:
            await seated(line)
            await phone.hang_up()
            await asyncio.wait_for(line.ended.get(), 10)
        finally:
            report(phone, edge)
            await line.stop()

    try:
        run(scenario)
    finally:
        edge.engines.stop()
    kamailio, rtpengine = edge.engines.kamailio, edge.engines.rtpengine
    said = "\n".join([*kamailio.output, *rtpengine.output])
    assert len(kamailio.output) > 200 and len(rtpengine.output) > 20, "verbose: the check below is not vacuous"
    assert raw_hits, "verbose, Kamailio did print the caller's number (so the blanking had something to do)"
    assert "[digits]" in said and "[address]" in said
    assert NUMBER not in said and "127.0.0.1" not in said
    assert kamailio.blanked > 0 and rtpengine.blanked > 0
