"""TURN credentials over the room's WebSocket: an admitted seat's ``audio`` event carries ``ice_servers`` (coturn's
use-auth-secret form), a seat in the waiting room gets none until it is let in and asks (``audio_ice``), a resume
brings fresh ones; nothing about them reaches the log. Against a real Janus, as tests/rooms/test_audio_relay.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.audio.turn import TurnSettings
from stayhere.rooms.live import hub
from stayhere.rooms.live.root import LiveRooms
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.rooms.factories import make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_audio_relay import join_audio
from tests.rooms.test_consumer import Client, run

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "turn-secret-for-the-room-tests-0123456789"
URLS = ("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp")
TTL = 1200


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


@pytest.fixture
def fresh_hub(fresh_rooms: LiveRooms) -> hub.RoomHub:
    return fresh_rooms.hub


@pytest.fixture
def relay(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> AudioRelay:  # noqa: F811
    made = AudioRelay(janus, fresh_rooms.hub, turn=TurnSettings(URLS, SECRET, TTL))
    fresh_rooms.use_relay(made)
    return made


def check_credentials(event: dict[str, Any], *not_in: str) -> str:
    """The event's one ICE server: the configured URLs, a user name that expires in TTL, its HMAC; returns it."""
    assert event["available"] is True and event["turn"] is True
    [server] = event["ice_servers"]
    assert server["urls"] == list(URLS)
    expiry, _, tag = server["username"].partition(":")
    assert abs(int(expiry) - (time.time() + TTL)) < 30 and event["ice_expires"] == int(expiry)
    digest = hmac.new(SECRET.encode(), server["username"].encode(), hashlib.sha1).digest()
    assert server["credential"] == base64.b64encode(digest).decode()
    for word in not_in:
        assert word not in tag, "the user part is random: no name, no seat id"
    return str(server["username"])


def test_an_admitted_seat_gets_ice_servers_and_a_waiting_seat_none_until_let_in(
    relay: AudioRelay, caplog: pytest.LogCaptureFixture
) -> None:
    room = make_room(waiting_room=True)
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        slug = room.meeting.slug
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        chair_seat = (await chair.join("Chair", chair_key=room.chair_key))["seat"]
        chairs = check_credentials(await chair.next("audio"), "Chair", chair_seat)

        seat = (await member.join("Alex"))["seat"]
        waiting = await member.next("audio")
        assert waiting["available"] is True and waiting["turn"] is True
        assert "ice_servers" not in waiting and "ice_expires" not in waiting
        await member.send(type="audio_ice")  # asking does not help while in the waiting room
        asked = await member.next("audio")
        assert "ice_servers" not in asked

        changed = await chair.next("waiting_changed")
        await chair.send(type="admit", seat=changed["added"][0]["seat"])
        await member.next("admitted")
        await member.send(type="audio_ice")
        members = check_credentials(await member.next("audio"), "Alex", seat)
        assert members != chairs
        answer = await join_audio(member)
        assert str(answer["sdp"]).startswith("v=0")

        # A dropped connection that resumes gets a fresh credential with its audio event.
        welcome = next(e for e in member.seen if e["type"] == "welcome")
        await member.ws.disconnect()
        back = Client(slug, "m1")
        await back.open()
        await back.send(type="resume", seat=welcome["seat"], token=welcome["token"], last_seq=0)
        again = check_credentials(await back.next("audio"), "Alex", seat)
        assert again != members
        await back.ws.disconnect()
        await chair.ws.disconnect()
        await relay.drain()
        logged = caplog.text
        for secret in (SECRET, chairs, members, again, chairs.partition(":")[2]):
            assert secret not in logged

    run(scenario)


def test_without_turn_the_audio_event_names_no_ice_servers(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> None:  # noqa: F811
    fresh_rooms.use_relay(AudioRelay(janus, fresh_rooms.hub))
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        event = await chair.next("audio")
        assert event["available"] is True and "ice_servers" not in event and "turn" not in event
        await chair.ws.disconnect()

    run(scenario)
