"""The hub: events reach exactly their audience, once each, in order; an ended room leaves nothing in the process."""

from __future__ import annotations

import json
from typing import Any

from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.core.meeting import Join, Message, Resume
from stayhere.rooms.live.hub import RoomHub
from tests.rooms.roomkit import CHAIR_KEY, T0, config, run_async


class Tab:
    """A connection as the hub sees it: it takes frames and can be hung up."""

    base_url = "http://127.0.0.1"

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.hung_up: int | None = None

    def push(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def hangup(self, code: int) -> None:
        self.hung_up = code

    def types(self) -> list[str]:
        return [frame["type"] for frame in self.frames]


def run(hub: RoomHub, steps: Any) -> None:
    async def scenario() -> None:
        await steps()
        for ticker in hub.tickers.values():
            ticker.cancel()

    run_async(scenario())


def seated(**changes: Any) -> tuple[RoomHub, dict[str, Tab], RoomConfig]:
    hub = RoomHub(clock=lambda: T0)
    return hub, {}, config(**changes)


def test_host_events_reach_hosts_only_and_broadcasts_reach_everyone_once() -> None:
    hub, tabs, cfg = seated(chat_policy="open")

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        for seat, key in (("s0000000001", CHAIR_KEY), ("s0000000002", None), ("s0000000003", None)):
            tabs[seat] = Tab()
            assert await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, "N" + seat[-1], chair_key=key), load)
        await hub.handle("r", Message("s0000000001", "mute", {"seat": "s0000000002"}))
        await hub.handle("r", Message("s0000000003", "chat", {"text": "hello"}))

    run(hub, steps)
    assert "host_log" in tabs["s0000000001"].types()
    assert "host_log" not in tabs["s0000000002"].types() and "host_log" not in tabs["s0000000003"].types()
    for tab in tabs.values():
        assert tab.types().count("chat") == 1
        numbers = [frame["seq"] for frame in tab.frames if frame["type"] != "error"]
        assert numbers == sorted(numbers), "events arrive in the meeting's order"


def test_a_refused_join_gets_its_error_and_leaves_no_room_behind() -> None:
    hub, _, cfg = seated(scheduled=False)
    tab = Tab()

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        assert not await hub.join("r", tab, Join("s0000000001", "t", "b", "Early"), load)
        assert await hub.store.get("r") is None

    run(hub, steps)
    assert tab.frames[0]["code"] == "closed"
    assert hub.connections == {} and hub.seqs == {}


def test_ending_the_meeting_hangs_up_everyone_and_forgets_the_room() -> None:
    hub, tabs, cfg = seated()

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        for seat, key in (("s0000000001", CHAIR_KEY), ("s0000000002", None)):
            tabs[seat] = Tab()
            await hub.join("r", tabs[seat], Join(seat, "t", "b" + seat, "N", chair_key=key), load)
        await hub.handle("r", Message("s0000000001", "end", {}))
        assert await hub.store.get("r") is None

    run(hub, steps)
    assert all(tab.types()[-1] == "ended" and tab.hung_up == 1000 for tab in tabs.values())
    assert hub.connections == {} and hub.seqs == {} and hub.tickers == {}


def test_a_resume_from_a_reloaded_page_gets_a_snapshot_not_a_replay() -> None:
    hub, tabs, cfg = seated(chat_policy="open")

    async def load() -> RoomConfig:
        return cfg

    async def steps() -> None:
        tabs["chair"] = Tab()
        await hub.join("r", tabs["chair"], Join("s0000000001", "tok", "b1", "Chair", chair_key=CHAIR_KEY), load)
        await hub.handle("r", Message("s0000000001", "chat", {"text": "before the reload"}))
        await hub.disconnected("r", "s0000000001", tabs["chair"])
        tabs["reloaded"] = Tab()
        assert await hub.resume("r", tabs["reloaded"], Resume("s0000000001", "tok", "b1", 2**31))

    run(hub, steps)
    first = tabs["reloaded"].frames[0]
    assert first["type"] == "snapshot" and first["role"] == "chair"
    assert [m["text"] for m in first["chat"]] == ["before the reload"]


def test_a_resume_to_a_meeting_the_process_no_longer_holds_is_told_it_was_interrupted() -> None:
    # As after a restart of the embedded server: the page has its seat and token, the new process has no room.
    hub, _, _ = seated()
    tab = Tab()

    async def steps() -> None:
        assert not await hub.resume("r", tab, Resume("s0000000001", "tok", "b1", 7))

    run(hub, steps)
    assert [frame["code"] for frame in tab.frames] == ["interrupted"]
    assert tab.frames[0]["ref"] == "resume" and "nothing from before was kept" in tab.frames[0]["message"]
    assert tab.hung_up == 4011
    assert hub.connections == {} and hub.seqs == {}
