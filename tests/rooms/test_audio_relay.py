"""Meeting audio through the room's WebSocket: the relay against a real Janus (as tests/audio starts it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.rooms.live import hub
from stayhere.rooms.live.root import LiveRooms
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.audio.test_signalling import browser_offer
from tests.rooms.factories import make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_consumer import Client, run

pytestmark = pytest.mark.django_db(transaction=True)


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


async def mutes(relay: AudioRelay, slug: str) -> dict[str, bool]:
    """What Janus says now: each seat's participant, muted or not (after the changes under way are applied)."""
    await relay.drain()
    assert relay.floor is not None
    ids = {audio.participant: seat for seat, audio in relay.rooms[slug].seats.items()}
    listed = await relay.floor.admin.list_participants(relay.floor.rooms[slug].audio)
    return {ids[p["id"]]: bool(p["muted"]) for p in listed if p["id"] in ids}


async def join_audio(client: Client) -> dict[str, object]:
    await client.send(type="audio_offer", sdp=browser_offer()["sdp"])
    return await client.next("audio_answer", timeout=10)


def test_an_admitted_seats_offer_gets_an_answer_and_it_joins_muted(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        assert (await chair.next("audio"))["available"] is True
        seat = (await member.join("Alex"))["seat"]
        answer = await join_audio(member)
        assert str(answer["sdp"]).startswith("v=0") and "m=audio" in str(answer["sdp"])
        assert (await member.next("live"))["live"] is False
        await member.send(type="audio_candidate", candidate="candidate:1 1 udp 2122260223 127.0.0.79 50000 typ host")
        await member.send(type="audio_candidate", candidate=None)
        assert await mutes(relay, room.meeting.slug) == {seat: True}
        assert relay.floor is not None
        listed = await relay.floor.admin.list_participants(relay.floor.rooms[room.meeting.slug].audio)
        assert "Alex" not in str(listed), "the person's name never goes to Janus"
        await member.ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(("quality", "rate"), [("standard", 16000), ("phone", 8000)])
def test_the_meeting_audio_room_is_mixed_as_the_group_chose(relay: AudioRelay, quality: str, rate: int) -> None:
    room = make_room(waiting_room=False, audio_quality=quality)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await join_audio(chair)
        assert relay.floor is not None
        admin = relay.floor.admin
        rooms = (await admin.message_plugin({"request": "list", "admin_key": admin.admin_key}))["list"]
        made = relay.floor.rooms[room.meeting.slug]
        assert [r["sampling_rate"] for r in rooms if r["room"] == made.audio.room] == [rate]
        assert made.profile.quality == (1 if quality == "phone" else None)
        await chair.ws.disconnect()

    run(scenario)


def test_a_seat_in_the_waiting_room_cannot_start_audio(relay: AudioRelay) -> None:
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await member.join("Alex")
        await member.send(type="audio_offer", sdp=browser_offer()["sdp"])
        error = await member.next("error")
        assert error["code"] == "waiting" and error["message"].endswith(".")
        assert room.meeting.slug not in relay.rooms or not relay.rooms[room.meeting.slug].seats

    run(scenario)


def test_only_the_floor_holder_is_unmuted_and_a_participant_cannot_unmute_itself(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        chair_seat = (await chair.join("Chair", chair_key=room.chair_key))["seat"]
        seat = (await member.join("Alex"))["seat"]
        await join_audio(chair)
        assert (await chair.next("live"))["live"] is True, "the chair holds the floor between shares"
        await join_audio(member)
        assert await mutes(relay, slug) == {chair_seat: False, seat: True}

        await member.send(type="audio_mute", muted=False)
        error = await member.next("error")
        assert error["code"] == "not_your_turn" and error["ref"] == "audio_mute"
        assert await mutes(relay, slug) == {chair_seat: False, seat: True}

        await chair.send(type="audio_mute", muted=True)  # muting oneself is always allowed
        assert (await chair.next("live"))["live"] is True, "the floor is still the chair's, to unmute"
        assert await mutes(relay, slug) == {chair_seat: True, seat: True}
        await chair.send(type="audio_mute", muted=False)
        await chair.next("live")
        assert await mutes(relay, slug) == {chair_seat: False, seat: True}
        await chair.send(type="audio_mute", muted=True)
        await chair.next("live")
        assert await mutes(relay, slug) == {chair_seat: True, seat: True}

        await chair.send(type="call", seat=seat)
        await member.next("offer")
        await member.send(type="accept")
        assert (await member.next("live"))["live"] is True
        assert await mutes(relay, slug) == {chair_seat: True, seat: False}

    run(scenario)


def test_a_host_mute_mutes_in_janus_and_holds_until_the_floor_moves(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        seat = (await member.join("Alex"))["seat"]
        await join_audio(member)
        await chair.send(type="call", seat=seat)
        await member.next("offer")
        await member.send(type="accept")
        assert (await member.next("live"))["live"] is True
        assert (await mutes(relay, slug))[seat] is False

        await chair.send(type="mute", seat=seat)
        assert (await member.next("live"))["live"] is False
        assert (await mutes(relay, slug))[seat] is True
        await member.send(type="audio_mute", muted=False)
        assert (await member.next("error"))["code"] == "host_muted"
        assert (await mutes(relay, slug))[seat] is True

    run(scenario)


def test_a_hosts_mute_all_mutes_the_sharer_in_janus(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        seat = (await member.join("Alex"))["seat"]
        await join_audio(member)
        await chair.send(type="call", seat=seat)
        await member.next("offer")
        await member.send(type="accept")
        assert (await member.next("live"))["live"] is True
        assert (await mutes(relay, slug))[seat] is False
        await chair.send(type="mute_all")
        assert (await member.next("live"))["live"] is False
        assert (await mutes(relay, slug))[seat] is True

    run(scenario)


def test_ending_the_meeting_destroys_its_audio_room(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair = Client(slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await join_audio(chair)
        assert relay.floor is not None
        audio = relay.floor.rooms[slug].audio
        assert await relay.floor.admin.exists(audio.room)
        await chair.send(type="end")
        await chair.next("ended")
        await relay.drain()
        assert not await relay.floor.admin.exists(audio.room)
        assert slug not in relay.rooms and slug not in relay.floor.rooms

    run(scenario)


def test_a_removed_seat_is_dropped_from_the_audio_room(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, intruder = Client(slug, "c1"), Client(slug, "x1")
        await chair.open()
        await intruder.open()
        chair_seat = (await chair.join("Chair", chair_key=room.chair_key))["seat"]
        seat = (await intruder.join("Troll"))["seat"]
        await join_audio(chair)
        await join_audio(intruder)
        assert set(await mutes(relay, slug)) == {chair_seat, seat}
        await chair.send(type="remove", seat=seat)
        assert await intruder.closed_with() == 4403
        for _ in range(50):
            if set(await mutes(relay, slug)) == {chair_seat}:
                break
            await asyncio.sleep(0.1)
        assert set(await mutes(relay, slug)) == {chair_seat}

    run(scenario)


def test_without_janus_the_room_says_audio_is_off_and_the_meeting_goes_on(fresh_rooms: LiveRooms) -> None:
    fresh_rooms.use_relay(AudioRelay(None, fresh_rooms.hub))
    room = make_room(waiting_room=False, chat_policy="open")

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        audio = await chair.next("audio")
        assert audio["available"] is False and audio["reason"].endswith(".")
        await chair.send(type="audio_offer", sdp=browser_offer()["sdp"])
        assert (await chair.next("error"))["code"] == "audio_unavailable"
        await chair.send(type="chat", text="still here")
        assert (await chair.next("chat"))["text"] == "still here"

    run(scenario)


def test_a_bad_audio_message_gets_a_clear_error(fresh_rooms: LiveRooms) -> None:
    fresh_rooms.use_relay(AudioRelay(None, fresh_rooms.hub))
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await chair.send(type="audio_offer", sdp="hello")
        error = await chair.next("error")
        assert error["code"] == "bad_message" and "session description" in error["message"]
        await chair.send(type="audio_mute", muted="no")
        assert (await chair.next("error"))["code"] == "bad_message"
        await chair.send(type="audio_candidate", candidate="x")
        assert (await chair.next("error"))["code"] == "audio_not_started"
        assert fresh_rooms.relay.available is False

    run(scenario)


SHARING_ONLY = [{"kind": "sharing", "title": "Open sharing", "text": "", "minutes": 0, "share_seconds": 0}]


def test_with_an_open_floor_a_member_may_unmute_itself_and_without_it_may_not(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False, open_floor=True, open_floor_max=4, format=SHARING_ONLY)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        chair_seat = (await chair.join("Chair", chair_key=room.chair_key))["seat"]
        seat = (await member.join("Alex"))["seat"]
        await join_audio(chair)
        await join_audio(member)
        live = await member.next("live")
        # Outside the numbered stream: it carries the room's current number without adding to it (protocol.md).
        assert live == {"type": "live", "seq": relay.meetings.current_seq(slug), "live": False, "open": False}  # type: ignore[attr-defined]
        assert live["seq"] > 0
        await member.send(type="audio_mute", muted=False)
        assert (await member.next("error"))["code"] == "not_your_turn"
        assert await mutes(relay, slug) == {chair_seat: False, seat: True}

        await chair.send(type="open_floor", open=True)
        said = await member.next("open_floor")
        assert (said["open"], said["paused"], said["reason"]) == (True, None, "chair")
        assert (await member.next("live"))["open"] is True
        assert await mutes(relay, slug) == {chair_seat: True, seat: True}, "everyone is muted as the floor opens"

        await member.send(type="audio_mute", muted=False)
        live = await member.next("live")
        assert (live["live"], live["open"]) == (True, True)
        assert await mutes(relay, slug) == {chair_seat: True, seat: False}
        assert not [e for e in member.seen if e["type"] == "error" and e["ref"] == "audio_mute"][1:]

        # A host's mute still holds in an open floor.
        await chair.send(type="mute", seat=seat)
        assert (await member.next("live"))["live"] is False
        assert (await mutes(relay, slug))[seat] is True
        await member.send(type="audio_mute", muted=False)
        assert (await member.next("error"))["code"] == "host_muted"
        assert (await mutes(relay, slug))[seat] is True

        # Closed again, the floor is the chair's; the member's own unmute is refused as before.
        await chair.send(type="open_floor", open=False)
        assert (await member.next("open_floor"))["open"] is False
        live = await member.next("live")
        assert (live["live"], live["open"]) == (False, False)
        await member.send(type="audio_mute", muted=False)
        assert (await member.next("error"))["code"] == "not_your_turn"
        assert await mutes(relay, slug) == {chair_seat: False, seat: True}

    run(scenario)


def test_a_group_without_the_open_floor_cannot_open_it_and_the_member_stays_muted(relay: AudioRelay) -> None:
    room = make_room(waiting_room=False, format=SHARING_ONLY)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        chair_seat = (await chair.join("Chair", chair_key=room.chair_key))["seat"]
        seat = (await member.join("Alex"))["seat"]
        await join_audio(member)
        await chair.send(type="open_floor", open=True)
        error = await chair.next("error")
        assert (error["code"], error["ref"]) == ("open_floor_off", "open_floor")
        await member.send(type="audio_mute", muted=False)
        assert (await member.next("error"))["code"] == "not_your_turn"
        assert await mutes(relay, slug) == {seat: True}
        assert chair_seat not in await mutes(relay, slug)

    run(scenario)
