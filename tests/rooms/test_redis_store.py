"""Rooms kept in a real Redis and served by two hubs at once (two workers' worth, in one event loop).

Each hub has its own RedisRoomStore, as each worker process does; they meet only through Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from stayhere.core.redis import RedisRefused, ensure_no_persistence, persistence_problems
from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.core.meeting import Join, Message, Resume, hash_secret
from stayhere.rooms.live import redis_store
from stayhere.rooms.live.hub import INTERRUPTED_CODE, RoomHub
from stayhere.rooms.live.redis_store import RedisRoomStore
from tests.rooms.redis_server import private_redis, shared_redis_url, unique_prefix
from tests.rooms.roomkit import CHAIR_KEY, T0, config, run_async
from tests.rooms.test_hub import Tab

CHAIR, MEMBER, OTHER = "s0000000001", "s0000000002", "s0000000003"


def two_workers(url: str, prefix: str) -> tuple[RoomHub, RoomHub]:
    hubs = []
    for _ in range(2):
        store = RedisRoomStore(url, prefix=prefix)
        hub = RoomHub(store, clock=lambda: T0)
        store.on_lost = hub.interrupt_all
        hubs.append(hub)
    return hubs[0], hubs[1]


def loader(cfg: RoomConfig) -> Callable[[], Awaitable[RoomConfig]]:
    async def load() -> RoomConfig:
        return cfg

    return load


def within(hubs: tuple[RoomHub, ...], steps: Callable[[], Awaitable[None]]) -> None:
    async def scenario() -> None:
        try:
            await steps()
        finally:
            for hub in hubs:
                for ticker in hub.tickers.values():
                    ticker.cancel()
                assert isinstance(hub.store, RedisRoomStore)
                await hub.store.close()

    run_async(scenario())
    store = hubs[0].store
    assert isinstance(store, RedisRoomStore)
    with contextlib.suppress(redis.exceptions.ConnectionError):  # a test's own Redis may be stopped by now
        client = redis.Redis.from_url(store.url)
        try:
            for key in client.scan_iter(match=store.prefix + ":*"):
                client.delete(key)
        finally:
            client.close()


async def settle(*tabs: Tab, kind: str, count: int = 1) -> None:
    """Waits until each tab has ``count`` frames of ``kind`` (events cross Redis, so they arrive a moment later)."""
    for _ in range(200):
        if all(tab.types().count(kind) >= count for tab in tabs):
            return
        await asyncio.sleep(0.01)


def keys_of(url: str, prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(client.scan_iter(match=prefix + "*"))
    finally:
        client.close()


def test_a_meeting_split_across_two_workers_runs_as_one() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(chat_policy="open", waiting_room=False)
    tabs = {seat: Tab() for seat in (CHAIR, MEMBER, OTHER)}

    async def steps() -> None:
        assert await left.join("r", tabs[CHAIR], Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        assert await right.join("r", tabs[MEMBER], Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        assert await left.join("r", tabs[OTHER], Join(OTHER, "t3", "b3", "Sam"), loader(cfg))
        await right.handle("r", Message(MEMBER, "chat", {"text": "hello from the right"}))
        await right.handle("r", Message(MEMBER, "hand", {"up": True}))
        await left.handle("r", Message(CHAIR, "call", {}))
        await right.handle("r", Message(MEMBER, "accept", {}))
        await left.handle("r", Message(CHAIR, "mute", {"seat": OTHER}))
        await settle(*tabs.values(), kind="share")
        await settle(tabs[CHAIR], kind="host_log")

    within((left, right), steps)
    for seat, tab in tabs.items():
        assert tab.types().count("chat") == 1, f"{seat} got the chat once"
        assert tab.types().count("share") == 1, f"{seat} saw the share start"
        numbers = [frame["seq"] for frame in tab.frames if frame["type"] != "error"]
        assert numbers == sorted(numbers), "events arrive in the meeting's order on both workers"
    assert "host_log" in tabs[CHAIR].types()
    assert "host_log" not in tabs[MEMBER].types() and "host_log" not in tabs[OTHER].types()


def test_a_seat_resumes_on_the_other_worker_with_what_it_missed() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(chat_policy="open", waiting_room=False)
    chair, member, back = Tab(), Tab(), Tab()

    async def steps() -> None:
        await left.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        await left.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        await left.handle("r", Message(MEMBER, "hand", {"up": True}))
        await settle(member, kind="queue")
        last = max(frame["seq"] for frame in member.frames)
        await left.disconnected("r", MEMBER, member)
        for text in ("first", "second"):
            await left.handle("r", Message(CHAIR, "chat", {"text": text}))
        assert await right.resume("r", back, Resume(MEMBER, "t2", "b2", last))
        await settle(back, kind="chat", count=2)
        await left.handle("r", Message(CHAIR, "chat", {"text": "third"}))
        await settle(back, kind="chat", count=3)

    within((left, right), steps)
    assert [frame["text"] for frame in back.frames if frame["type"] == "chat"] == ["first", "second", "third"]


def test_a_seat_whose_worker_died_is_let_go_and_can_resume_elsewhere() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(waiting_room=False)
    chair, member = Tab(), Tab()

    async def steps() -> None:
        await right.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        await left.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        assert await right.store.orphans("r") == []
        assert isinstance(left.store, RedisRoomStore)
        for ticker in left.tickers.values():
            ticker.cancel()
        await left.store.close()  # the worker is gone: no disconnect was ever sent for its seat
        assert await right.store.orphans("r") == [MEMBER]
        await right.handle("r", Message(CHAIR, "chat", {"text": "still here"}))
        room = await right.store.get("r")
        assert room is not None and room.seats[MEMBER].connected, "nothing is decided before the check"

    within((left, right), steps)


def test_ending_the_meeting_deletes_every_key_and_live_keys_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(chat_policy="open", waiting_room=False)
    chair, member = Tab(), Tab()
    seen: dict[str, Any] = {}

    async def steps() -> None:
        await left.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        await right.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        await right.handle("r", Message(MEMBER, "chat", {"text": "a private thing"}))
        client = redis.Redis.from_url(url)
        try:
            room_keys = [key for key in keys_of(url, prefix) if b":worker:" not in key]
            seen["ttls"] = [client.pttl(key) for key in room_keys]
            seen["stored"] = b"".join(client.dump(key) or b"" for key in room_keys)
        finally:
            client.close()
        await left.handle("r", Message(CHAIR, "end", {}))
        await settle(chair, member, kind="ended")

    within((left, right), steps)
    assert len(seen["ttls"]) == 3 and all(0 < ttl <= redis_store.ROOM_TTL_MS for ttl in seen["ttls"])
    assert b"a private thing" in seen["stored"], "the check looks where the chat is kept"
    assert [key for key in keys_of(url, prefix) if b":worker:" not in key] == [], "the ended meeting left keys"
    assert chair.types()[-1] == "ended" and member.types()[-1] == "ended"
    assert chair.hung_up == 1000 and member.hung_up == 1000


def test_a_redis_restart_interrupts_the_meeting_and_it_starts_again_clean(tmp_path: Path) -> None:
    cfg = config(chat_policy="open", waiting_room=False)
    with private_redis(tmp_path) as server:
        left, right = two_workers(server.url, unique_prefix())
        chair, member, again = Tab(), Tab(), Tab()

        async def steps() -> None:
            await left.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
            await right.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
            await left.handle("r", Message(CHAIR, "chat", {"text": "before"}))
            await settle(chair, member, kind="chat")
            server.stop()
            server.start()
            for _ in range(300):
                if chair.hung_up and member.hung_up:
                    break
                await asyncio.sleep(0.02)
            # A fresh start: the same person joins again and finds an empty, working meeting.
            joined = await right.join("r", again, Join(OTHER, "t3", "b3", "Alex"), loader(cfg))
            assert joined, again.frames
            room = await right.store.get("r")
            assert room is not None and list(room.seats) == [OTHER] and room.chat == ()

        within((left, right), steps)
    for tab in (chair, member):
        assert tab.hung_up == INTERRUPTED_CODE
        assert tab.frames[-1]["code"] == "interrupted" and "Rejoin" in tab.frames[-1]["message"]
    assert again.frames[0]["type"] == "welcome"


def test_a_message_while_redis_is_down_gets_a_clear_answer_and_no_fault(tmp_path: Path) -> None:
    cfg = config(chat_policy="open", waiting_room=False)
    with private_redis(tmp_path) as server:
        (hub, _) = two_workers(server.url, unique_prefix())
        chair, late = Tab(), Tab()

        async def steps() -> None:
            await hub.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
            server.stop()
            await hub.handle("r", Message(CHAIR, "chat", {"text": "into the void"}))
            assert not await hub.join("r", late, Join(MEMBER, "t2", "b2", "Late"), loader(cfg))

        within((hub,), steps)
    assert chair.hung_up == INTERRUPTED_CODE
    # Someone arriving now was never in the meeting: not "interrupted", but told it cannot be joined yet.
    refused = late.frames[-1]
    assert refused["code"] == "unavailable" and refused["ref"] == "join" and "Try again" in refused["message"]
    assert not late.hung_up


def test_a_stored_room_holds_only_hashes_of_secrets() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(waiting_room=False)

    async def steps() -> None:
        await left.join("r", Tab(), Join(CHAIR, "resume-token-xyz", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        client = redis.Redis.from_url(url)
        try:
            stored = client.hget(f"{prefix}:{{r}}:state", "s") or b""
        finally:
            client.close()
        assert hash_secret("resume-token-xyz").encode() in stored
        assert b"resume-token-xyz" not in stored and CHAIR_KEY.encode() not in stored

    within((left, right), steps)


@pytest.mark.parametrize(
    ("args", "named"),
    [(("--save", "60 1", "--appendonly", "no"), 'save ""'), (("--save", "", "--appendonly", "yes"), "appendonly no")],
)
def test_a_redis_that_writes_to_disk_is_refused_with_the_setting_to_change(
    tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    with private_redis(tmp_path, *args) as server:
        assert persistence_problems(server.url)
        with pytest.raises(RedisRefused, match="STAYHERE_REDIS_ALLOW_PERSISTENCE") as refused:
            ensure_no_persistence(server.url, allow=False)
        assert named in str(refused.value)
        ensure_no_persistence(server.url, allow=True)  # the explicit override starts anyway


def test_a_redis_that_keeps_nothing_on_disk_is_accepted(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        assert persistence_problems(server.url) == []
        ensure_no_persistence(server.url, allow=False)


def test_an_unreachable_redis_is_refused_with_what_to_do() -> None:
    from tests.live_server import free_port

    with pytest.raises(RedisRefused, match="could not reach Redis"):
        ensure_no_persistence(f"redis://127.0.0.1:{free_port()}/0", allow=False)


def test_a_room_deleted_from_redis_under_its_seats_interrupts_them_when_anyone_acts() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(chat_policy="open", waiting_room=False)
    chair, member, newcomer = Tab(), Tab(), Tab()

    async def steps() -> None:
        await left.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        await right.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        client = redis.Redis.from_url(url)
        try:
            client.delete(*[key for key in keys_of(url, prefix) if b":worker:" not in key])
        finally:
            client.close()
        await right.handle("r", Message(MEMBER, "chat", {"text": "hello?"}))  # the member's worker finds out
        assert await left.join("r", newcomer, Join(OTHER, "t3", "b3", "Sam"), loader(cfg))  # and the chair's

    within((left, right), steps)
    assert member.hung_up == INTERRUPTED_CODE and chair.hung_up == INTERRUPTED_CODE
    assert newcomer.frames[0]["type"] == "welcome" and newcomer.hung_up is None, newcomer.frames


def test_an_announcement_outside_the_numbered_stream_reaches_admitted_seats_on_every_worker() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(waiting_room=True)
    chair, member, waiting = Tab(), Tab(), Tab()

    async def steps() -> None:
        await left.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        await right.join("r", member, Join(MEMBER, "t2", "b2", "Alex"), loader(cfg))
        await left.handle("r", Message(CHAIR, "admit", {"seat": MEMBER}))
        await right.join("r", waiting, Join(OTHER, "t3", "b3", "Sam"), loader(cfg))
        await left.announce("r", "talking", seat=CHAIR, talking=True)
        await settle(chair, member, kind="talking")

    within((left, right), steps)
    for tab in (chair, member):
        assert [frame["seat"] for frame in tab.frames if frame["type"] == "talking"] == [CHAIR]
    assert "talking" not in waiting.types(), "the waiting room hears nothing of the meeting"


def test_a_burst_of_joins_on_two_workers_seats_everyone_and_interrupts_nobody() -> None:
    url, prefix = shared_redis_url(), unique_prefix()
    left, right = two_workers(url, prefix)
    cfg = config(waiting_room=False)
    tabs = [Tab() for _ in range(240)]

    async def steps() -> None:
        assert await left.join("r", Tab(), Join(CHAIR, "t", "b", "Chair", chair_key=CHAIR_KEY), loader(cfg))
        joins = [
            (left if number % 2 else right).join("r", tab, Join(f"s{number:010d}", "t", f"b{number}", "N"), loader(cfg))
            for number, tab in enumerate(tabs, start=100)
        ]
        assert all(await asyncio.gather(*joins)), "every join in the burst was seated"
        room = await left.store.get("r")
        assert room is not None and len(room.seats) == 241

    within((left, right), steps)
    assert not any(tab.hung_up for tab in tabs), "nobody was interrupted or cut off"
    assert all(tab.frames[0]["type"] == "welcome" for tab in tabs)


def test_a_redis_switched_to_persistence_mid_meeting_ends_and_deletes_its_meetings_until_it_keeps_nothing_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = config(chat_policy="open", waiting_room=False)
    with private_redis(tmp_path) as server:
        prefix = unique_prefix()
        store = RedisRoomStore(server.url, prefix=prefix, persistence_check_s=0.2)
        hub = RoomHub(store, clock=lambda: T0)
        store.on_persisting = hub.interrupt_all
        chair, late, later = Tab(), Tab(), Tab()
        admin = redis.Redis.from_url(server.url)

        async def steps() -> None:
            await hub.join("r", chair, Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
            await hub.handle("r", Message(CHAIR, "chat", {"text": "said before"}))
            assert keys_of(server.url, prefix)
            admin.config_set("save", "3600 1")  # an operator turns snapshots on while the meeting runs
            for _ in range(200):
                if chair.hung_up:
                    break
                await asyncio.sleep(0.02)
            assert chair.hung_up == INTERRUPTED_CODE
            assert [key for key in keys_of(server.url, prefix) if b"worker" not in key] == []
            assert not await hub.join("r", late, Join(MEMBER, "t2", "b2", "Late"), loader(cfg))
            admin.config_set("save", "")
            for _ in range(200):
                if not store.persisting:
                    break
                await asyncio.sleep(0.02)
            assert await hub.join("r", later, Join(OTHER, "t3", "b3", "Later"), loader(cfg))

        try:
            within((hub,), steps)
        finally:
            admin.close()
    told = chair.frames[-1]
    assert told["code"] == "interrupted" and "on disk" in told["message"]
    assert late.frames[-1]["code"] == "unavailable"
    assert later.frames[0]["type"] == "welcome"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("began writing to disk" in line and 'save ""' in line for line in errors), errors
    assert not any("said before" in r.getMessage() for r in caplog.records)


def test_a_redis_that_stops_answering_does_not_hold_the_stores_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    monkeypatch.setattr(redis_store, "DELIVERY_TIMEOUT_S", 0.5)
    cfg = config(chat_policy="open", waiting_room=False)
    with private_redis(tmp_path) as server:
        store = RedisRoomStore(server.url, prefix=unique_prefix())
        hub = RoomHub(store, clock=lambda: T0)
        assert server.process is not None
        closed: list[bool] = []

        async def steps() -> None:
            assert await hub.join("r", Tab(), Join(CHAIR, "t1", "b1", "Chair", chair_key=CHAIR_KEY), loader(cfg))
            os.kill(server.process.pid, signal.SIGSTOP)  # alive, holding its connections, answering nothing
            try:
                for ticker in hub.tickers.values():
                    ticker.cancel()
                await asyncio.wait_for(store.close(), 60)  # bounded by the store itself, not by this limit
                closed.append(True)
            finally:
                os.kill(server.process.pid, signal.SIGCONT)

        run_async(steps())
        assert closed == [True]
