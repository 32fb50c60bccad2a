"""A real telephone call into a meeting: baresip dials Kamailio, keys the code as RFC 4733 DTMF, is seated.

The whole edge runs: Kamailio (stayhere's script) answers, rtpengine anchors the media and plays the prompts,
stayhere's PhoneLine takes the keypad events and seats the call through PhoneCall on a real Janus. Another
caller (a plain RTP voice in the same meeting) measures what it hears.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.phone import codes
from stayhere.rooms.adapters.phone_line import Line, LineCall, PhoneLine
from stayhere.rooms.live.root import LiveRooms
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.audio.test_floor import hears
from tests.phone.baresip import Baresip
from tests.phone.conftest import Edge
from tests.rooms.factories import make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_audio_relay import mutes
from tests.rooms.test_consumer import run
from tests.rooms.test_phone import Caller, chair_in, on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.janus, pytest.mark.phone]

TONE = 440.0  # what the telephone says
OTHER = 1000.0
NUMBER = "15550104477"  # the caller's number: the canary that must reach no log


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


@pytest.fixture
def relay(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> AudioRelay:  # noqa: F811
    made = AudioRelay(janus, fresh_rooms.hub)
    fresh_rooms.use_relay(made)
    return made


async def find_line(code: str) -> Line | None:
    found = await database_sync_to_async(codes.line_for)(code)
    return Line(found.slug, found.language) if found is not None else None


async def open_line(edge: Edge, relay: AudioRelay) -> PhoneLine:
    line = PhoneLine(edge.config, lambda: on(relay), edge.prompts, find_line)
    await line.start()
    return line


async def seated(line: PhoneLine, timeout: float = 30.0) -> LineCall:
    call = await asyncio.wait_for(line.started.get(), 10)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while call.outcome != "seated" or call.phone is None or call.answered_remote is None:
        assert not call.done.is_set(), f"the call ended before it was seated ({call.outcome})"
        assert loop.time() < deadline, "the call was not seated"
        await asyncio.sleep(0.1)
    await call.phone.settle()
    return call


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> bool:
    """Whether ``check`` comes true within ``timeout`` (polled): the machine may be loaded, a fixed pause is not."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if not isinstance(value, bool):
            value = await value
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(0.1)


async def listen(other: Caller, frames: int = 60) -> list[int]:
    """What the other participant hears over ``frames`` 20 ms frames (after its jitter buffer filled)."""
    from tests.audio.phones import chorus

    heard = await chorus({OTHER: other.phone()}, warmup_frames=40, frames=frames)
    return heard[OTHER]


def test_a_telephone_dials_keys_the_code_is_seated_muted_shares_with_star_9_and_1_and_hangs_up(
    edge: Edge, relay: AudioRelay, tmp_path: Path
) -> None:
    room = make_room(waiting_room=False)
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        slug = room.meeting.slug
        line = await open_line(edge, relay)
        chair = await chair_in(room)
        other = await Caller.dial(relay, slug, "127.0.0.92")
        phone = Baresip(tmp_path / "baresip", NUMBER, TONE)
        try:
            await phone.connect()
            await phone.dial(edge.uri)
            await phone.wait_for("CALL_ESTABLISHED")
            await asyncio.sleep(1.5)  # the greeting begins; keying stops it
            await phone.keys(code + "#")
            call = await seated(line)
            assert call.phone is not None
            assert call.played[:1] == ["greeting"], "the caller was greeted"
            assert phone.heard_media_before_keying(), "the greeting's audio reached the telephone"
            seat = call.phone.seat
            assert (await mutes(relay, slug))[seat] is True, "the caller is muted on entry"
            assert not hears(await listen(other), TONE), "a muted caller is not heard"

            await phone.keys("*9")
            queue = await chair.next("queue")
            assert queue["queue"] == [seat], "star 9 raised the caller's hand"
            await chair.send(type="call", seat=seat)
            await asyncio.sleep(0.5)
            await phone.keys("1")

            async def unmuted() -> bool:
                return (await mutes(relay, slug))[seat] is False

            assert await eventually(unmuted), "accepting the turn unmuted the caller"
            heard = await listen(other)
            assert hears(heard, TONE), "the other participant hears the telephone's voice"

            await chair.send(type="end_share")
            await chair.next("share_ended")

            async def muted() -> bool:
                return (await mutes(relay, slug))[seat] is True

            assert await eventually(muted), "the caller is muted when the share ends"
            assert not hears(await listen(other), TONE)

            await phone.hang_up()
            ended = await asyncio.wait_for(line.ended.get(), 10)
            assert ended is call
            await relay.drain()
            assert seat not in await mutes(relay, slug), "the seat left the audio room"
            assert seat not in relay.rooms[slug].seats
        finally:
            report(phone, edge)
            await line.stop()
        assert NUMBER not in "\n".join(edge.engines.kamailio.output)
        assert NUMBER not in "\n".join(edge.engines.rtpengine.output)

    run(scenario)


def report(phone: Baresip, edge: Edge) -> None:
    """Stops the telephone; what it and the engines wrote is printed (pytest shows it when a test fails)."""
    print("baresip:", phone.stop(), [e.get("type") for e in phone.events])
    print("kamailio:", "\n".join(edge.engines.kamailio.output))
    print("rtpengine:", "\n".join(edge.engines.rtpengine.output))


async def dial_and_key(edge: Edge, folder: Path, keys: str, number: str = NUMBER) -> Baresip:
    phone = Baresip(folder, number, TONE)
    await phone.connect()
    await phone.dial(edge.uri)
    await phone.wait_for("CALL_ESTABLISHED")
    await asyncio.sleep(1.0)
    await phone.keys(keys)
    return phone


def test_three_wrong_codes_end_the_call_politely(edge: Edge, relay: AudioRelay, tmp_path: Path) -> None:
    room = make_room(waiting_room=False)
    code = codes.code_for(room.meeting)
    wrong = str((int(code) + 1) % 10**8).zfill(8)

    async def scenario() -> None:
        line = await open_line(edge, relay)
        phone = await dial_and_key(edge, tmp_path / "a", wrong + "#")
        try:
            call = await asyncio.wait_for(line.started.get(), 5)
            await asyncio.sleep(1.0)
            await phone.keys("12#")
            await asyncio.sleep(1.0)
            await phone.keys(wrong + "#")
            await phone.wait_for("CALL_CLOSED", timeout=40)  # stayhere's BYE, after the goodbye
            assert call.outcome == "codes"
            # Asked again after each of the first two (keying cuts a prompt short: the Spanish one was not reached).
            assert call.played[:3] == ["greeting", "code_again", "code_again"]
            assert call.played[-2:] == ["goodbye_codes", "goodbye_codes"], "the goodbye, in both languages"
            assert call.phone is None, "no seat was made"
            assert room.meeting.slug not in relay.rooms
        finally:
            report(phone, edge)
            await line.stop()

    run(scenario)


def test_a_removed_caller_is_hung_up_on_and_refused_when_ringing_again(
    edge: Edge, relay: AudioRelay, tmp_path: Path
) -> None:
    room = make_room(waiting_room=False)
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        line = await open_line(edge, relay)
        chair = await chair_in(room)
        first = await dial_and_key(edge, tmp_path / "a", code + "#")
        again: Baresip | None = None
        try:
            call = await seated(line)
            assert call.phone is not None
            await chair.send(type="remove", seat=call.phone.seat)
            await first.wait_for("CALL_CLOSED", timeout=20)
            assert call.outcome == "ended" and "removed" in call.played
            again = await dial_and_key(edge, tmp_path / "b", code + "#")
            second = await asyncio.wait_for(line.started.get(), 5)
            await again.wait_for("CALL_CLOSED", timeout=30)
            assert second.outcome == "refused:removed", "the same number stays out"
            assert second.played[-1] == "not_you"
        finally:
            report(first, edge)
            if again is not None:
                report(again, edge)
            await line.stop()

    run(scenario)


def test_a_caller_whose_meeting_ends_is_told_and_hung_up_on(edge: Edge, relay: AudioRelay, tmp_path: Path) -> None:
    room = make_room(waiting_room=False)
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        line = await open_line(edge, relay)
        chair = await chair_in(room)
        phone = await dial_and_key(edge, tmp_path / "a", code + "#")
        try:
            call = await seated(line)
            await chair.send(type="end")
            await phone.wait_for("CALL_CLOSED", timeout=20)
            assert call.outcome == "ended"
            assert call.played[-1] == "ended", "told the meeting ended before the line went down"
            await asyncio.wait_for(line.ended.get(), 5)
            assert not line.calls
        finally:
            report(phone, edge)
            await line.stop()

    run(scenario)


def test_a_meeting_with_a_passcode_asks_for_it_and_a_wrong_one_is_asked_again(
    edge: Edge, relay: AudioRelay, tmp_path: Path
) -> None:
    room = make_room(waiting_room=False, passcode="2468")
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        line = await open_line(edge, relay)
        await chair_in(room)
        phone = await dial_and_key(edge, tmp_path / "a", code + "#")
        try:
            call = await asyncio.wait_for(line.started.get(), 5)
            assert await eventually(lambda: "passcode" in call.played), "asked for the passcode"
            assert call.phone is None, "not seated before the passcode"
            await phone.keys("1111#")
            assert await eventually(lambda: "passcode_again" in call.played) and call.phone is None
            await phone.keys("2468#")
            assert await eventually(lambda: call.outcome == "seated" and call.phone is not None)
            assert call.phone is not None
            await call.phone.settle()
            assert (await mutes(relay, room.meeting.slug))[call.phone.seat] is True
        finally:
            report(phone, edge)
            await line.stop()

    run(scenario)


def test_a_caller_in_the_waiting_room_hears_so_and_joins_the_audio_when_admitted(
    edge: Edge, relay: AudioRelay, tmp_path: Path
) -> None:
    room = make_room(waiting_room=True)
    code = codes.code_for(room.meeting)

    async def scenario() -> None:
        slug = room.meeting.slug
        line = await open_line(edge, relay)
        chair = await chair_in(room)
        phone = await dial_and_key(edge, tmp_path / "a", code + "#")
        try:
            call = await asyncio.wait_for(line.started.get(), 5)
            for _ in range(50):
                if call.phone is not None:
                    break
                await asyncio.sleep(0.1)
            assert call.phone is not None and call.outcome == "seated"
            assert await eventually(lambda: "waiting" in call.played), "told it is in the waiting room"
            assert call.answered_remote is None, "no voice reaches the meeting before a host admits the call"
            await chair.send(type="admit", seat=call.phone.seat)
            for _ in range(50):
                if call.answered_remote is not None:
                    break
                await asyncio.sleep(0.1)
            assert call.answered_remote is not None, "admitted: rtpengine now sends the voice to the seat's Janus port"
            assert (await mutes(relay, slug))[call.phone.seat] is True, "and it joined muted"
        finally:
            report(phone, edge)
            await line.stop()

    run(scenario)
