"""Scale-out audio: several Janus servers shared by several workers (STAYHERE_JANUS_SERVERS).

Two real Janus servers and two workers (two hubs on a real Redis, each with its own relay over the same pool).
A meeting's people are split across the workers; its audio room is on the server the pool picks, the same one
for both workers; the floor moves between a seat of one worker and a seat of the other, and each worker moves
only its own seats' participants, so the right one is heard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.janus import RtpJoin
from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.audio.rtp import RtpPeer
from stayhere.audio.servers import ExternalJanus, JanusPool, parse_servers, shared_room
from stayhere.rooms.core.meeting import Join, Message
from stayhere.rooms.live.hub import RoomHub
from stayhere.rooms.live.redis_store import RedisRoomStore
from tests.audio.conftest import run_janus
from tests.rooms.redis_server import shared_redis_url, unique_prefix
from tests.rooms.roomkit import CHAIR_KEY, T0, config, run_async
from tests.rooms.test_hub import Tab

KEY = b"a site's secret key, for the tests"
CHAIR, MEMBER = "s0000000001", "s0000000002"


def external(janus: EmbeddedJanus) -> ExternalJanus:
    settings, keys = janus.config.settings, janus.config.secrets
    return ExternalJanus("127.0.0.1", settings.http_port, settings.admin_port, *keys.__dict__.values())


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExternalJanus, ExternalJanus]]:
    first = run_janus(tmp_path_factory.mktemp("janus-a") / "conf")
    second = run_janus(tmp_path_factory.mktemp("janus-b") / "conf")
    yield external(first), external(second)
    first.stop()
    second.stop()


def test_every_worker_picks_the_same_server_for_a_meeting_and_meetings_spread_over_servers() -> None:
    servers = parse_servers(
        " ".join(
            f"janus://apisecret{n}:adminsecret{n}@127.0.0.{n}:8188/?admin_port=7188&admin_key=adminkey{n}"
            for n in range(1, 4)
        )
    )
    pool, again = JanusPool(servers), JanusPool(tuple(reversed(servers)))
    rooms = [f"meeting-{number}" for number in range(600)]
    assert all(pool.for_room(room) == again.for_room(room) for room in rooms), "the order of the list matters not"
    counts = {server.name: sum(pool.for_room(room) == server for room in rooms) for server in servers}
    assert all(150 < count < 250 for count in counts.values()), counts
    fewer = JanusPool(servers[:2])
    moved = sum(pool.for_room(room) != fewer.for_room(room) for room in rooms)
    assert moved == counts[servers[2].name], "removing a server moves only its own meetings"
    assert shared_room("meeting-1", KEY) == shared_room("meeting-1", KEY) != shared_room("meeting-2", KEY)
    assert shared_room("meeting-1", KEY) != shared_room("meeting-1", b"another site's key")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("http://a:b@127.0.0.1:8188/?admin_port=7188&admin_key=k", "must start with janus://"),
        ("janus://apisecret1:adminsecret1@127.0.0.1/?admin_port=7188&admin_key=adminkey1", "HTTP port"),
        ("janus://apisecret1:adminsecret1@127.0.0.1:8188/?admin_key=adminkey1", "admin_port"),
        ("janus://apisecret1:adminsecret1@127.0.0.1:8188/?admin_port=7188", "admin_key"),
        ("janus://short:adminsecret1@127.0.0.1:8188/?admin_port=7188&admin_key=adminkey1", "API secret"),
        (
            "janus://apisecret1:adminsecret1@127.0.0.1:8188/?admin_port=7188&admin_key=adminkey1 "
            "janus://apisecret2:adminsecret2@127.0.0.1:8188/?admin_port=7189&admin_key=adminkey2",
            "the same server twice",
        ),
    ],
)
def test_a_bad_server_entry_is_refused_with_what_to_write_and_no_secret(value: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=says) as refused:
        parse_servers(value)
    for secret in ("apisecret1", "adminsecret1", "adminkey1"):
        assert secret not in str(refused.value)


def test_a_meeting_split_across_two_workers_has_one_audio_room_and_the_floor_moves_between_them(
    two_servers: tuple[ExternalJanus, ExternalJanus],
) -> None:
    pool = JanusPool(two_servers)
    prefix = unique_prefix()
    cfg = config(waiting_room=False)
    room_id = "split-audio-meeting"
    home = pool.for_room(room_id)

    async def scenario() -> None:
        workers = []
        for _ in range(2):
            hub = RoomHub(RedisRoomStore(shared_redis_url(), prefix=prefix), clock=lambda: T0)
            workers.append((hub, AudioRelay(None, hub, pool=pool, room_key=KEY)))
        (left, left_audio), (right, right_audio) = workers

        async def load() -> object:
            return cfg

        peers = []
        try:
            await left.join(room_id, Tab(), Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), load)  # type: ignore[arg-type]
            await right.join(room_id, Tab(), Join(MEMBER, "t2", "b2", "Alex"), load)  # type: ignore[arg-type]
            participants = {}
            for seat, relay in ((CHAIR, left_audio), (MEMBER, right_audio)):
                assert relay.floor is not None
                await relay._open(room_id, seat)  # each worker opens the same room: the second finds it made
                peer = await RtpPeer.open("127.0.0.1")
                peers.append(peer)
                session = await relay._new_session(room_id)
                handle = await session.attach()
                joined = await relay.floor.join_seat(session, handle, room_id, seat, rtp=RtpJoin(*peer.address))
                participants[seat] = joined.participant
            room = shared_room(room_id, KEY)
            listed = {p["id"]: p for p in await home.admin().list_participants(room)}
            assert set(listed) == set(participants.values()), "both workers' people are in one audio room"
            # The format opens with a reading: the chair (on the left worker) reads, the member is muted.
            assert await settled(home, room, participants, {CHAIR: False, MEMBER: True}) == {CHAIR: False, MEMBER: True}

            # The member (on the right worker) is called by the chair (on the left) and accepts: only they are heard.
            await left.handle(room_id, Message(CHAIR, "segment", {"index": 2}))
            await right.handle(room_id, Message(MEMBER, "hand", {"up": True}))
            await left.handle(room_id, Message(CHAIR, "call", {}))
            await right.handle(room_id, Message(MEMBER, "accept", {}))
            expected = {CHAIR: True, MEMBER: False}
            assert await settled(home, room, participants, expected) == expected
            await right.handle(room_id, Message(MEMBER, "done", {}))
            expected = {CHAIR: False, MEMBER: True}  # between shares the floor is the chair's again
            assert await settled(home, room, participants, expected) == expected

            await left.handle(room_id, Message(CHAIR, "end", {}))
            for relay in (left_audio, right_audio):
                await relay.drain()
            assert not await home.admin().exists(room.room), "the meeting's end destroyed its audio room once"
        finally:
            for peer in peers:
                peer.close()
            for hub, _ in workers:
                for ticker in hub.tickers.values():
                    ticker.cancel()
                assert isinstance(hub.store, RedisRoomStore)
                await hub.store.close()

    run_async(scenario())


async def settled(
    server: ExternalJanus, room: object, participants: dict[str, int], expected: dict[str, bool]
) -> dict[str, bool]:
    """Each seat's mute state on the Janus once the workers' floor changes have landed (up to 5 s), read again a
    moment later so that a late, wrong change would still show."""

    async def read() -> dict[str, bool]:
        listed = {p["id"]: p for p in await server.admin().list_participants(room)}  # type: ignore[arg-type]
        return {seat: bool(listed[number]["muted"]) for seat, number in participants.items()}

    for _ in range(100):
        if await read() == expected:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    return await read()


def test_the_site_can_name_its_janus_servers_in_its_settings(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    entry = "janus://apisecret1:adminsecret1@127.0.0.1:8188/?admin_port=7188&admin_key=adminkey1"
    env = {**os.environ, "STAYHERE_DATA_DIR": str(tmp_path), "STAYHERE_JANUS_SERVERS": entry}
    good = subprocess.run([sys.executable, "-m", "stayhere.cli", "check"], env=env, capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    env["STAYHERE_JANUS_SERVERS"] = entry.replace("admin_port=7188&", "")
    bad = subprocess.run([sys.executable, "-m", "stayhere.cli", "check"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "admin_port" in bad.stderr and "adminsecret1" not in bad.stderr


@pytest.mark.janus
def test_janus_config_writes_a_server_that_answers_to_the_entry_it_prints(tmp_path: Path) -> None:
    import os
    import shlex
    import subprocess
    import sys

    from tests.audio.conftest import free_port, need_janus

    need_janus()
    env = {**os.environ, "STAYHERE_DATA_DIR": str(tmp_path / "data")}
    env |= {"STAYHERE_JANUS_HTTP_PORT": str(free_port()), "STAYHERE_JANUS_ADMIN_PORT": str(free_port())}
    made = subprocess.run(
        [sys.executable, "-m", "stayhere.cli", "janus-config", str(tmp_path / "janus")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = made.stdout.splitlines()
    command = shlex.split(next(line for line in lines if line.startswith("Run it")).split(": ", 1)[1])
    (server,) = parse_servers(lines[-1])
    janus = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:

        async def answers() -> bool:
            for _ in range(100):
                try:
                    return await server.admin().ping()
                except Exception:
                    await asyncio.sleep(0.1)
            return False

        assert run_async(answers())
        again = subprocess.run(
            [sys.executable, "-m", "stayhere.cli", "janus-config", str(tmp_path / "janus")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        janus.terminate()
        janus.wait(timeout=10)
