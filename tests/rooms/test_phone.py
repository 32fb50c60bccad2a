"""Phone callers seated in a meeting: plain RTP voices that the floor mutes and unmutes like anyone, on a real Janus.

Each call streams a tone through its own UDP socket; what the other call hears is measured in the mix Janus sends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from stayhere.audio.janus import RtpJoin
from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.audio.rtp import RtpPeer, rms
from stayhere.rooms.adapters.phone import KEYS, PROMPTS, PhoneCall, PhoneRefused, Prompt, caller_key
from stayhere.rooms.live import hub
from stayhere.rooms.live.root import LiveRooms, load_room_config
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.audio.phones import Phone, chorus
from tests.audio.test_floor import QUIET, hears
from tests.rooms.factories import MadeRoom, make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_audio_relay import mutes
from tests.rooms.test_consumer import Client, run

pytestmark = pytest.mark.django_db(transaction=True)

A, B = 440.0, 1000.0  # each caller's tone
NUMBER = "+1 (555) 010-4477"


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


@pytest.fixture
def fresh_hub(fresh_rooms: LiveRooms) -> hub.RoomHub:
    return fresh_rooms.hub


@pytest.fixture
def relay(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> AudioRelay:  # noqa: F811
    made = AudioRelay(janus, fresh_rooms.hub)
    fresh_rooms.use_relay(made)
    return made


def on(relay: AudioRelay) -> LiveRooms:
    """The test's rooms with this relay (one on the test's Janus, or one without any)."""
    return LiveRooms(hub=relay.meetings, load_config=load_room_config, make_relay=lambda hub: relay)  # type: ignore[arg-type]


class Caller:
    """A phone line's far end: the RTP socket a SIP front end would hold, and the call seated for it."""

    def __init__(self, peer: RtpPeer, call: PhoneCall) -> None:
        self.peer, self.call = peer, call

    @classmethod
    async def dial(
        cls, relay: AudioRelay, slug: str, ip: str, number: str | None = None, passcode: str | None = None
    ) -> Caller:
        peer = await RtpPeer.open(ip)
        try:
            # The hub and the room's configuration are the test's rooms, as for the WebSocket consumer.
            call = await PhoneCall.dial(on(relay), slug, RtpJoin(*peer.address), caller=number, passcode=passcode)
        except PhoneRefused:
            peer.close()
            raise
        await call.settle()
        peer.remote = call.remote
        return cls(peer, call)

    def phone(self) -> Phone:
        return Phone(self.peer, 0, 0)


async def chair_in(room: MadeRoom) -> Client:
    """The chair, joined by the chair link (which opens the room)."""
    chair = Client(room.meeting.slug, "c1")
    await chair.open()
    await chair.join("Chair", chair_key=room.chair_key)
    return chair


async def prompted(call: PhoneCall, name: str) -> Prompt:
    """The call's next prompt of this name (skipping others), as the front end would speak it."""
    while True:
        prompt = await asyncio.wait_for(call.prompts.get(), timeout=5)
        if prompt.name == name:
            return prompt


async def settled(relay: AudioRelay, *calls: Caller) -> None:
    for caller in calls:
        await caller.call.settle()
    await relay.drain()


def test_a_phone_caller_is_muted_on_entry_heard_only_while_sharing_and_muted_again_after(
    relay: AudioRelay, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = await chair_in(room)
        a = await Caller.dial(relay, slug, "127.0.0.91", NUMBER)
        b = await Caller.dial(relay, slug, "127.0.0.92")
        try:
            assert a.call.remote is not None and a.call.remote[1] > 0, "Janus said where to send the caller's voice"
            assert await mutes(relay, slug) == {a.call.seat: True, b.call.seat: True}
            heard = await chorus({A: a.phone(), B: b.phone()})
            assert rms(heard[A]) < QUIET and rms(heard[B]) < QUIET, "callers are muted on entry"

            await a.call.press("*6")  # unmuting without the floor is refused, as for a browser
            assert (await prompted(a.call, "refused")).code == "not_your_turn"
            await a.call.press("*9")
            await prompted(a.call, "hand_up")
            queue = await chair.next("queue")
            assert queue["queue"] == [a.call.seat]

            await chair.send(type="call", seat=a.call.seat)
            await prompted(a.call, "your_turn")
            await a.call.press("1")
            await prompted(a.call, "sharing")
            await prompted(a.call, "live")
            await settled(relay, a, b)
            assert await mutes(relay, slug) == {a.call.seat: False, b.call.seat: True}
            heard = await chorus({A: a.phone(), B: b.phone()})
            assert hears(heard[B], A), "the sharer's voice reaches the other caller"
            assert not hears(heard[A], B), "the listener is not heard"

            await a.call.press("*6")  # a sharer may mute itself, and unmute again
            await prompted(a.call, "muted")
            await settled(relay, a, b)
            assert not hears((await chorus({A: a.phone(), B: b.phone()}))[B], A)
            await a.call.press("*6")
            await prompted(a.call, "live")
            await settled(relay, a, b)
            assert hears((await chorus({A: a.phone(), B: b.phone()}))[B], A)

            await a.call.press("#")
            await prompted(a.call, "muted")
            await settled(relay, a, b)
            assert await mutes(relay, slug) == {a.call.seat: True, b.call.seat: True}
            heard = await chorus({A: a.phone(), B: b.phone()})
            assert rms(heard[A]) < QUIET and rms(heard[B]) < QUIET, "the share over, the floor closes"

            # The number reached nothing: not the chair's screen, the room's state, Janus, a log or the output.
            assert relay.floor is not None
            listed = await relay.floor.admin.list_participants(relay.floor.rooms[slug].audio)
            await relay.drain()
            out, err = capfd.readouterr()
            seen = str(chair.seen) + str(listed) + repr(await relay.meetings.store.get(slug)) + caplog.text + out + err
            for fragment in ("5550104477", "010-4477", "4477"):
                assert fragment not in seen
            names = [p["name"] for e in chair.seen if e["type"] == "people_changed" for p in e["joined"]]
            assert names[0] == "Chair" and len(names) == 3
            assert all(name.startswith("Phone caller ") for name in names[1:]), "a caller is named, never numbered"
        finally:
            a.peer.close()
            b.peer.close()

    run(scenario)


def test_a_host_mute_silences_a_sharing_caller_and_a_removed_caller_is_cut_off_and_stays_out(
    relay: AudioRelay,
) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = await chair_in(room)
        a = await Caller.dial(relay, slug, "127.0.0.93", NUMBER)
        b = await Caller.dial(relay, slug, "127.0.0.94")
        try:
            await chair.send(type="call", seat=a.call.seat)
            await prompted(a.call, "your_turn")
            await a.call.press("1")
            await prompted(a.call, "live")
            await settled(relay, a, b)
            assert hears((await chorus({A: a.phone(), B: b.phone()}))[B], A)

            await chair.send(type="mute", seat=a.call.seat)
            await prompted(a.call, "muted")
            await settled(relay, a, b)
            assert await mutes(relay, slug) == {a.call.seat: True, b.call.seat: True}
            assert not hears((await chorus({A: a.phone(), B: b.phone()}))[B], A)
            await a.call.press("*6")
            assert (await prompted(a.call, "refused")).code == "host_muted"

            await chair.send(type="remove", seat=a.call.seat)
            await prompted(a.call, "removed")
            await asyncio.wait_for(a.call.ended.wait(), timeout=5)
            for _ in range(50):
                if set(await mutes(relay, slug)) == {b.call.seat}:
                    break
                await asyncio.sleep(0.1)
            assert set(await mutes(relay, slug)) == {b.call.seat}, "the removed caller left the audio room"

            with pytest.raises(PhoneRefused) as refused:  # the same number ringing again
                await Caller.dial(relay, slug, "127.0.0.95", "+15550104477")
            assert refused.value.code == "removed"
            assert str(refused.value).endswith(".")
        finally:
            a.peer.close()
            b.peer.close()

    run(scenario)


def test_a_caller_in_the_waiting_room_joins_the_audio_only_when_admitted(relay: AudioRelay) -> None:
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = await chair_in(room)
        a = await Caller.dial(relay, slug, "127.0.0.96")
        try:
            await prompted(a.call, "waiting")
            assert a.call.audio is None and a.call.remote is None
            assert slug not in relay.rooms or a.call.seat not in relay.rooms[slug].seats
            waiting = await chair.next("waiting_changed")
            assert [w["seat"] for w in waiting["added"]] == [a.call.seat]
            await chair.send(type="admit", seat=a.call.seat)
            await prompted(a.call, "admitted")
            await settled(relay, a)
            assert a.call.remote is not None
            assert await mutes(relay, slug) == {a.call.seat: True}
        finally:
            a.peer.close()

    run(scenario)


def test_ending_the_meeting_ends_every_call_and_hanging_up_leaves_the_meeting(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = await chair_in(room)
        a = await Caller.dial(relay, slug, "127.0.0.97")
        b = await Caller.dial(relay, slug, "127.0.0.98")
        try:
            await b.call.hang_up()
            left = await chair.next("people_changed")
            while not left["left"]:
                left = await chair.next("people_changed")
            assert left["left"] == [b.call.seat]
            await relay.drain()
            assert set(await mutes(relay, slug)) == {a.call.seat}

            assert relay.floor is not None
            audio = relay.floor.rooms[slug].audio
            await chair.send(type="end")
            await prompted(a.call, "ended")
            await asyncio.wait_for(a.call.ended.wait(), timeout=5)
            await settled(relay, a)
            assert not await relay.floor.admin.exists(audio.room)
        finally:
            a.peer.close()
            b.peer.close()

    run(scenario)


def test_a_call_is_refused_with_a_sentence_for_a_wrong_passcode_a_closed_room_or_no_audio(
    relay: AudioRelay, fresh_hub: hub.RoomHub
) -> None:
    room = make_room(waiting_room=False, passcode="7-7-7")
    make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = await chair_in(room)
        with pytest.raises(PhoneRefused) as wrong:
            await Caller.dial(relay, slug, "127.0.0.99", passcode="123")
        assert wrong.value.code == "passcode" and "passcode" in str(wrong.value)
        right = await Caller.dial(relay, slug, "127.0.0.99", passcode="7-7-7")
        right.peer.close()

        with pytest.raises(PhoneRefused) as closed:
            await Caller.dial(relay, "no-such-meeting", "127.0.0.100")
        assert closed.value.code == "closed" and str(closed.value)

        without = AudioRelay(None, fresh_hub)
        with pytest.raises(PhoneRefused) as silent:
            await Caller.dial(without, slug, "127.0.0.101")
        assert silent.value.code == "audio_unavailable" and "audio" in str(silent.value)
        participants = [p for e in chair.seen if e["type"] == "people_changed" for p in e["joined"]]
        assert len(participants) <= 1, "a refused call takes no seat"

        # Janus refusing the RTP join (a codec it does not have): the call is refused and leaves no seat behind.
        seated = set((await fresh_hub.store.get(slug)).seats)
        peer = await RtpPeer.open("127.0.0.103")
        try:
            with pytest.raises(PhoneRefused) as voiceless:
                await PhoneCall.dial(on(relay), slug, RtpJoin(*peer.address, codec="g729"), passcode="7-7-7")
        finally:
            peer.close()
        assert voiceless.value.code == "audio_failed" and str(voiceless.value).endswith(".")
        assert set((await fresh_hub.store.get(slug)).seats) == seated

    run(scenario)


def test_an_unknown_key_is_answered_and_changes_nothing(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        with pytest.raises(PhoneRefused) as early:  # before a host opens it (and outside the meeting's hours)
            await Caller.dial(relay, slug, "127.0.0.102")
        assert early.value.code == "closed" and "not open" in str(early.value)
        await chair_in(room)
        a = await Caller.dial(relay, slug, "127.0.0.102")
        try:
            before = await relay.meetings.store.get(slug)
            for keys in ("5", "**", "*99", "", "1#"):
                await a.call.press(keys)
                await prompted(a.call, "unknown_key")
            assert await relay.meetings.store.get(slug) == before
        finally:
            a.peer.close()

    run(scenario)


def test_every_prompt_and_key_has_a_sentence_and_the_number_is_keyed() -> None:
    assert set(KEYS) == {"*9", "*6", "1", "2", "#"}
    for name, sentence in PROMPTS.items():
        assert str(sentence).endswith("."), name
    assert caller_key(NUMBER) == caller_key("+15550104477"), "a number is the same however it is written"
    assert caller_key(NUMBER) != caller_key("+15550104478")
    assert caller_key(None) != caller_key(None), "a withheld number is nobody in particular"
