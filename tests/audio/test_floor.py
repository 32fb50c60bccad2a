"""The floor on a real Janus: only the seat holding it is heard; joins need a seat token; rooms end with meetings."""

from __future__ import annotations

import asyncio

import pytest

from stayhere.audio import janus as janus_api
from stayhere.audio.floor import PROFILES, STANDARD, AudioFloor, NoAudioRoom, profile_for
from stayhere.audio.janus import JanusRefused, JanusSession, RtpJoin
from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.rtp import RtpPeer, rms, tone_power
from stayhere.rooms.core.config import AUDIO_QUALITIES
from stayhere.rooms.core.effects import OPEN_FLOOR

from .phones import Phone, chorus

LOUD = 3000.0
QUIET = 300.0
A, B, C = 440.0, 1000.0, 1600.0  # each phone's tone, and its name in the results


async def seat_phone(floor: AudioFloor, session: JanusSession, room_id: str, seat: str, ip: str) -> Phone:
    peer = await RtpPeer.open(ip)
    handle = await session.attach()
    joined = await floor.join_seat(session, handle, room_id, seat, rtp=RtpJoin(*peer.address), display=seat)
    assert joined.rtp is not None
    peer.remote = (joined.rtp["ip"], joined.rtp["port"])
    return Phone(peer, handle, joined.participant)


def hears(samples: list[int], frequency: float) -> bool:
    return tone_power(samples, frequency) > LOUD


def test_only_the_floor_holder_is_heard_as_the_floor_moves(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        await floor.open("room-1")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        phones = {
            A: await seat_phone(floor, session, "room-1", "seat-a", "127.0.0.81"),
            B: await seat_phone(floor, session, "room-1", "seat-b", "127.0.0.82"),
            C: await seat_phone(floor, session, "room-1", "seat-c", "127.0.0.83"),
        }
        try:
            heard = await chorus(phones)
            assert all(rms(samples) < QUIET for samples in heard.values()), "everyone is muted on entry"

            floor.floor_listener("room-1", "seat-a")  # what the hub calls on Floor("seat-a")
            await floor.drain()
            heard = await chorus(phones)
            assert hears(heard[B], A) and hears(heard[C], A)
            assert not hears(heard[B], C) and not hears(heard[C], B)
            assert rms(heard[A]) < QUIET
            assert floor.may_unmute_self("room-1", "seat-a") and not floor.may_unmute_self("room-1", "seat-b")

            floor.floor_listener("room-1", "seat-b")
            await floor.drain()
            heard = await chorus(phones)
            assert hears(heard[A], B) and hears(heard[C], B)
            assert not hears(heard[C], A)

            # Janus lets a participant unmute itself (why the relay must filter a browser's configure)...
            await session.configure(phones[C].handle, muted=False)
            listed = {p["id"]: p["muted"] for p in await floor.admin.list_participants(floor.rooms["room-1"].audio)}
            assert listed[phones[C].participant] is False
            # ...and the next floor change mutes it again, since the floor reads the mutes back from Janus.
            floor.floor_listener("room-1", None)
            await floor.drain()
            heard = await chorus(phones)
            assert all(rms(samples) < QUIET for samples in heard.values()), "a closed floor: nobody is heard"
        finally:
            for phone in phones.values():
                phone.peer.close()
            audio = floor.rooms["room-1"].audio
            await floor.close("room-1")
            await session.destroy()
        assert not await floor.admin.exists(audio.room)
        with pytest.raises(NoAudioRoom, match="open it first"):
            await floor.set_floor("room-1", "seat-a")

    asyncio.run(scenario())


def test_a_join_without_a_seat_token_is_refused(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        audio = await floor.open("room-2")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        peer = await RtpPeer.open("127.0.0.84")
        try:
            handle = await session.attach()
            with pytest.raises(JanusRefused, match="AudioBridge refused joining"):
                await session.join(handle, audio, rtp=RtpJoin(*peer.address))
            with pytest.raises(JanusRefused, match="AudioBridge refused joining"):
                await session.join(handle, audio, rtp=RtpJoin(*peer.address), token="a-guessed-token")
            assert await floor.admin.list_participants(audio) == []
        finally:
            peer.close()
            await floor.close("room-2")
            await session.destroy()

    asyncio.run(scenario())


def test_a_seat_that_joins_holding_the_floor_is_heard(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        await floor.open("room-3")
        floor.floor_listener("room-3", "seat-a")  # the floor moved before the seat's audio connected
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        phones = {
            A: await seat_phone(floor, session, "room-3", "seat-a", "127.0.0.85"),
            B: await seat_phone(floor, session, "room-3", "seat-b", "127.0.0.86"),
        }
        try:
            await floor.drain()
            heard = await chorus(phones)
            assert hears(heard[B], A) and rms(heard[A]) < QUIET
        finally:
            for phone in phones.values():
                phone.peer.close()
            await floor.close("room-3")
            await session.destroy()

    asyncio.run(scenario())


def test_a_host_mutes_and_removes_a_seat(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        audio = await floor.open("room-4")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        phone = await seat_phone(floor, session, "room-4", "seat-a", "127.0.0.87")
        try:
            await floor.set_floor("room-4", "seat-a")
            assert [p["muted"] for p in await floor.admin.list_participants(audio)] == [False]
            await floor.mute_seat("room-4", "seat-a")
            assert [p["muted"] for p in await floor.admin.list_participants(audio)] == [True]
            await floor.kick_seat("room-4", "seat-a")
            for _ in range(50):
                if not await floor.admin.list_participants(audio):
                    break
                await asyncio.sleep(0.1)
            assert await floor.admin.list_participants(audio) == []
            assert "seat-a" not in floor.rooms["room-4"].seats
        finally:
            phone.peer.close()
            await floor.close("room-4")
            await session.destroy()

    asyncio.run(scenario())


def test_an_open_floor_unmutes_nobody_and_hears_whoever_unmutes_themselves(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        await floor.open("room-5")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        phones = {
            A: await seat_phone(floor, session, "room-5", "seat-a", "127.0.0.88"),
            B: await seat_phone(floor, session, "room-5", "seat-b", "127.0.0.89"),
            C: await seat_phone(floor, session, "room-5", "seat-c", "127.0.0.90"),
        }
        try:
            await floor.set_floor("room-5", "seat-a")  # the chair speaks...
            assert hears((await chorus(phones))[B], A)
            await floor.set_floor("room-5", OPEN_FLOOR)  # ...and opens the floor: everyone must unmute themselves
            heard = await chorus(phones)
            assert all(rms(samples) < QUIET for samples in heard.values()), "an open floor starts with all muted"
            assert all(floor.may_unmute_self("room-5", seat) for seat in ("seat-a", "seat-b", "seat-c"))
            assert floor.is_open("room-5")

            # B unmutes itself (what the relay does for an accepted audio_mute false): B is heard, alone.
            floor.unmuting_self("room-5", "seat-b")
            await session.configure(phones[B].handle, muted=False)
            await floor.apply("room-5")  # a floor change applied now must not mute B again
            heard = await chorus(phones)
            assert hears(heard[A], B) and hears(heard[C], B)
            assert not hears(heard[B], A) and not hears(heard[B], C)
            assert floor.heard("room-5", "seat-b") and not floor.heard("room-5", "seat-c")

            # C joins in: an open floor hears more than one voice.
            floor.unmuting_self("room-5", "seat-c")
            await session.configure(phones[C].handle, muted=False)
            heard = await chorus(phones)
            assert hears(heard[A], B) and hears(heard[A], C)

            # A share takes the floor: only the sharer is heard; when it ends everyone must unmute again.
            await floor.set_floor("room-5", "seat-c")
            heard = await chorus(phones)
            assert hears(heard[A], C) and not hears(heard[A], B)
            assert not floor.may_unmute_self("room-5", "seat-b")
            await floor.set_floor("room-5", OPEN_FLOOR)
            heard = await chorus(phones)
            assert all(rms(samples) < QUIET for samples in heard.values()), "the open floor resumes all muted"
            assert not floor.heard("room-5", "seat-b"), "who spoke before the share must unmute again"
        finally:
            for phone in phones.values():
                phone.peer.close()
            await floor.close("room-5")
            await session.destroy()

    asyncio.run(scenario())


async def mixing_rate(floor: AudioFloor, room_id: str) -> int:
    """The room's mixing rate as Janus reports it (its ``list`` shows private rooms to the admin key only)."""
    answer = await floor.admin.message_plugin({"request": "list", "admin_key": floor.admin.admin_key})
    (room,) = [room for room in answer["list"] if room["room"] == floor.rooms[room_id].audio.room]
    return int(room["sampling_rate"])


def test_a_phone_like_room_is_mixed_at_8_khz_and_each_mix_encoded_at_complexity_1(
    janus: EmbeddedJanus, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, object]] = []
    real = janus_api.request_json

    async def spy(method: str, url: str, body: dict[str, object] | None, timeout: float) -> object:
        if body is not None:
            sent.append(body)
        return await real(method, url, body, timeout)

    monkeypatch.setattr(janus_api, "request_json", spy)

    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        await floor.open("room-6", profile_for("phone"))
        await floor.open("room-7")  # the default: as every room was made before the setting
        assert await mixing_rate(floor, "room-6") == 8000
        assert await mixing_rate(floor, "room-7") == STANDARD.sampling_rate == 16000
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        phones = {
            A: await seat_phone(floor, session, "room-6", "seat-a", "127.0.0.91"),
            B: await seat_phone(floor, session, "room-6", "seat-b", "127.0.0.92"),
        }
        other = await seat_phone(floor, session, "room-7", "seat-c", "127.0.0.93")
        try:
            joins = [
                body["body"]
                for body in sent
                if isinstance(body.get("body"), dict) and body["body"]["request"] == "join"
            ]
            rooms = {"room-6": floor.rooms["room-6"].audio.room, "room-7": floor.rooms["room-7"].audio.room}
            # Each participant of the phone-like room asks Janus for complexity 1 (Janus accepted every join)...
            assert [join["quality"] for join in joins if join["room"] == rooms["room-6"]] == [1, 1]
            # ...and a standard room's participant asks for nothing: Janus' own complexity, as before.
            assert [join.get("quality") for join in joins if join["room"] == rooms["room-7"]] == [None]
            # The narrowband mix still carries the floor holder's voice (440 Hz is well inside 4 kHz).
            await floor.set_floor("room-6", "seat-a")
            heard = await chorus(phones)
            assert hears(heard[B], A) and rms(heard[A]) < QUIET
        finally:
            for phone in [*phones.values(), other]:
                phone.peer.close()
            await floor.close("room-6")
            await floor.close("room-7")
            await session.destroy()

    asyncio.run(scenario())


def test_janus_reads_the_complexity_it_is_sent_and_refuses_one_out_of_range(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        audio = await floor.open("room-8")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        peer = await RtpPeer.open("127.0.0.94")
        try:
            handle = await session.attach()
            token = await floor.admit("room-8")
            with pytest.raises(JanusRefused, match="quality"):
                await session.join(handle, audio, rtp=RtpJoin(*peer.address), token=token, quality=11)
        finally:
            peer.close()
            await floor.close("room-8")
            await session.destroy()

    asyncio.run(scenario())


def test_an_audio_quality_stayhere_does_not_know_is_refused_with_the_ones_it_does() -> None:
    assert tuple(PROFILES) == AUDIO_QUALITIES, "every quality a group may choose has a profile, and no other"
    assert profile_for("standard") == STANDARD
    assert profile_for("phone").sampling_rate == 8000
    with pytest.raises(ValueError, match="Unknown audio quality 'hifi': it must be one of standard, phone"):
        profile_for("hifi")
