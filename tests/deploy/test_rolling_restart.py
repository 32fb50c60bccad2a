"""A rolling restart of every worker behind deploy/nginx/stayhere.conf keeps every seat (issue 15, item 6).

Two real ``stayhere serve`` workers (one database, the suite's Redis) behind Debian's nginx run from the shipped
template; a meeting's seats are held by protocol clients that behave as the room page does (docs/protocol.md): each
keeps its seat, token and last sequence number, and when its socket closes it comes back and resumes, at once when
the server says it is restarting (close code 1012), after a backoff otherwise. The workers are restarted one by one,
each with SIGTERM as systemd stops it, more than nginx's 10 s `fail_timeout` apart: A, then B, then A again. Every
seat must come through with its seat id and its role, the chair still the chair, the share still running, and nobody
refused (the room is locked, so a seat that was lost could not come back by joining).

Before the fix nginx marked a worker that refused one connection as failed, and only a completed request cleared the
mark; WebSocket upgrades never complete, so after the second restart nginx had no live upstream and answered 502 to
most handshakes, and seats were let go at the end of their 60 s grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.deploy.nginx_kit import NGINX, nginx_in_front
from tests.live_server import LiveServer, free_port, live_server
from tests.rooms.redis_server import shared_redis_url
from tests.rooms.roomkit import run_async

pytestmark = [
    pytest.mark.nginx,
    pytest.mark.slow,  # the restarts are paced past nginx's fail_timeout (10 s) by design
    pytest.mark.skipif(
        not NGINX.exists(), reason="Debian's nginx is not installed (/usr/sbin/nginx): apt-get install nginx"
    ),
]

REPO = Path(__file__).resolve().parents[2]
ROOM = "rolling-room-" + secrets.token_hex(4)  # its own meeting in the shared Redis
SEED = f"""
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Rolling Restart Room", "{ROOM}"), waiting_room=False, chat_policy="open")
print("CHAIR-KEY", room.chair_key)
"""
MEMBERS = 17  # with the chair and the sharer, the 19 seats of the issue
GRACE_S = 60  # a dropped seat is kept this long for a resume (docs/protocol.md)
FAIL_TIMEOUT_S = 10  # nginx's fail_timeout in the template's server lines, once a worker refused
SERVICE_RESTART = 1012  # the server is restarting: resume at once (docs/protocol.md, "Closing codes")
REPLACED = 4000  # the seat resumed on another connection
SNAPSHOT_PLEASE = 2**31  # a last_seq the room cannot have sent: it answers with a snapshot


class Tab:
    """One participant's page, reduced to the room protocol: joins, and after every drop resumes its seat as the
    page does (stayhere/static/stayhere/room.js), until told to stop."""

    def __init__(self, name: str, address: str, origin: str, **join: Any) -> None:
        self.name, self.address, self.origin, self.join = name, address, origin, join
        self.cookie = "cookie-" + uuid.uuid4().hex
        self.seat = self.token = self.role = ""
        self.last_seq = 0
        self.ws: ClientConnection | None = None
        self.here = asyncio.Event()  # set while the seat is in the meeting on an open socket
        self.dropped_at: float | None = None
        self.away: list[float] = []  # seconds between each drop and the resume that brought the seat back
        self.closes: list[int | None] = []
        self.refused: list[dict[str, Any]] = []  # a join or resume the room turned down
        self.handshakes_failed: list[str] = []
        self.saw_drop: list[str] = []  # seats this page was told had lost their connection
        self.stopped = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def send(self, kind: str, **fields: Any) -> None:
        await self.here.wait()
        assert self.ws is not None
        await self.ws.send(json.dumps({"type": kind, **fields}))

    async def _run(self) -> None:
        attempt = 0
        while not self.stopped:
            code: int | None = None
            try:
                async with connect(
                    self.address,
                    origin=self.origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"stayhere_seat={self.cookie}"},
                    open_timeout=10,
                ) as ws:
                    self.ws = ws
                    if self.seat:
                        last = {"seat": self.seat, "token": self.token, "last_seq": self.last_seq}
                        await ws.send(json.dumps({"type": "resume", **last}))
                    else:
                        await ws.send(json.dumps({"type": "join", "name": self.name, **self.join}))
                    try:
                        async for text in ws:
                            if await self._receive(ws, json.loads(text)):
                                attempt = 0
                    except ConnectionClosed:
                        pass
                    code = ws.close_code
            except (InvalidHandshake, OSError, TimeoutError) as failure:
                self.handshakes_failed.append(type(failure).__name__ + ": " + str(failure)[:80])
            self.here.clear()
            self.ws = None
            if self.stopped:
                return
            self.closes.append(code)
            if code == REPLACED:
                return  # as the page does: the seat went on in another tab (here, the test's own reload)
            if self.dropped_at is None:
                self.dropped_at = time.monotonic()
            # As the page does: at once when the server is restarting, otherwise 1, 2, 4 ... up to 30 s (jittered).
            delay = 0.0 if code == SERVICE_RESTART else min(30, 2**attempt) * (0.5 + random.random() / 2)  # noqa: S311
            attempt = 0 if code == SERVICE_RESTART else attempt + 1
            await asyncio.sleep(delay)

    async def _receive(self, ws: ClientConnection, event: dict[str, Any]) -> bool:
        """Takes one event in; True when it shows the seat is in the meeting on this socket."""
        if isinstance(event.get("seq"), int):
            self.last_seq = max(self.last_seq, event["seq"])
        kind = event["type"]
        if kind == "welcome":
            self.seat, self.token, self.role = event["seat"], event["token"], event["snapshot"]["role"]
        elif kind == "snapshot":
            self.role = event["role"]
        elif kind == "people_changed":
            for person in event["changed"]:
                if person["seat"] == self.seat:
                    self.role = person["role"]
                if not person["connected"]:
                    self.saw_drop.append(person["seat"])
        elif kind == "error" and event["code"] in {"resume_failed", "locked", "closed", "full", "busy"}:
            self.refused.append(event)
            if event["code"] == "resume_failed":  # as the page does: its place is gone, so it joins afresh
                self.seat = self.token = ""
                await ws.send(json.dumps({"type": "join", "name": self.name, **self.join}))
            elif not self.seat:
                self.stopped = True  # refused at the door: the page shows the reason and stops
                await ws.close()
        elif kind in {"ended", "removed", "denied"}:
            self.stopped = True
        # The server's `audio` status comes right after a welcome or a successful resume (docs/protocol.md).
        if kind == "audio" and self.seat:
            if self.dropped_at is not None:
                self.away.append(time.monotonic() - self.dropped_at)
                self.dropped_at = None
            self.here.set()
            return True
        return False

    async def fresh_snapshot(self) -> dict[str, Any]:
        """The room as this seat may see it now: the page's reload (a resume from beyond any seq)."""
        async with connect(
            self.address,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"stayhere_seat={self.cookie}"},
        ) as ws:
            resume = {"type": "resume", "seat": self.seat, "token": self.token, "last_seq": SNAPSHOT_PLEASE}
            await ws.send(json.dumps(resume))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), timeout=15))
                if event["type"] == "snapshot":
                    return event
                assert event["type"] != "error", f"{self.name}'s reload was refused: {event}"

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                self.task.cancel()
                await self.task


@dataclass
class Workers:
    """Two workers on fixed ports (nginx names them), each restartable as systemd restarts it: SIGTERM, then a new
    process on the same port."""

    tmp_path: Path
    env: dict[str, str]
    ports: list[int]
    stacks: list[contextlib.ExitStack] = field(default_factory=list)
    servers: list[LiveServer] = field(default_factory=list)
    stopped_in: list[float] = field(default_factory=list)  # seconds from SIGTERM to the process's end

    def start(self, index: int, *, seed: bool = False) -> None:
        stack = contextlib.ExitStack()
        log = self.tmp_path / f"worker-{index}.log"
        setup = [["shell", "-c", SEED]] if seed else []
        server = stack.enter_context(
            live_server(self.tmp_path / "data", log, setup=setup, extra_env=self.env, port=self.ports[index])
        )
        if index < len(self.servers):
            self.stacks[index], self.servers[index] = stack, server
        else:
            self.stacks.append(stack)
            self.servers.append(server)

    def stop(self, index: int) -> None:
        began = time.monotonic()
        self.stacks[index].close()  # SIGTERM, and the wait for the process to end (live_server)
        self.stopped_in.append(time.monotonic() - began)

    def restart(self, index: int) -> None:
        self.stop(index)
        self.start(index)

    def close(self) -> None:
        for stack in self.stacks:
            stack.close()


@contextlib.contextmanager
def site(tmp_path: Path) -> Iterator[tuple[str, Workers, str]]:
    (tmp_path / "data").mkdir(mode=0o700)
    env = {"PYTHONPATH": str(REPO), "STAYHERE_REDIS_URL": shared_redis_url(), "STAYHERE_LOG_LEVEL": "INFO"}
    workers = Workers(tmp_path, env, [free_port(), free_port()])
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    try:
        workers.start(0, seed=True)
        workers.start(1)
        key = next(line.split()[1] for line in workers.servers[0].log_text().splitlines() if line.startswith("CHAIR"))
        with nginx_in_front(prefix, workers.ports, free_port()) as proxy:
            yield proxy.url, workers, key
    finally:
        workers.close()
        forget_room()


def forget_room() -> None:
    client = redis.Redis.from_url(shared_redis_url())
    try:
        for key in client.scan_iter(match=f"stayhere:{{{ROOM}}}:*"):
            client.delete(key)
    finally:
        client.close()


def seats_by_worker() -> list[int]:
    client = redis.Redis.from_url(shared_redis_url())
    try:
        holders = client.hgetall(f"stayhere:{{{ROOM}}}:where")
    finally:
        client.close()
    counts: dict[bytes, int] = {}
    for worker in holders.values():
        counts[worker] = counts.get(worker, 0) + 1
    return sorted(counts.values())


async def everyone_back(tabs: list[Tab], what: str) -> None:
    """Every seat in the meeting again on an open socket, within the grace period (a seat not back by then is lost)."""
    await asyncio.sleep(0.5)  # the drop, if any, has reached every tab
    try:
        await asyncio.wait_for(asyncio.gather(*(tab.here.wait() for tab in tabs)), timeout=GRACE_S)
    except TimeoutError:
        missing = [tab.name for tab in tabs if not tab.here.is_set()]
        details = {tab.name: (tab.closes[-3:], tab.handshakes_failed[-2:], tab.refused) for tab in tabs}
        raise AssertionError(f"after {what}, not back within {GRACE_S} s: {missing}; {details}") from None


def test_a_rolling_restart_of_both_workers_behind_nginx_keeps_every_seat(tmp_path: Path) -> None:
    with site(tmp_path) as (url, workers, chair_key):
        run_async(rolling_restart(url, workers, chair_key))


async def rolling_restart(url: str, workers: Workers, chair_key: str) -> None:
    address = f"ws://{url.removeprefix('http://')}/ws/rooms/{ROOM}"
    chair = Tab("Chair", address, url, chair_key=chair_key)
    sharer = Tab("Robin", address, url)
    members = [Tab(f"Member {number}", address, url) for number in range(MEMBERS)]
    tabs = [chair, sharer, *members]
    for tab in tabs:
        tab.start()
        await tab.here.wait()
    try:
        assert chair.role == "chair"
        # The meeting under way: the room locked (nobody new comes in, so a lost seat could not come back by joining)
        # and Robin sharing.
        await chair.send("lock", locked=True)
        await sharer.send("hand", up=True)
        await asyncio.sleep(0.5)
        await chair.send("call", seat=sharer.seat)
        await asyncio.sleep(0.5)
        await sharer.send("accept")
        await asyncio.sleep(0.5)
        spread = seats_by_worker()
        assert len(spread) == 2 and sum(spread) == len(tabs), f"seats per worker before the restarts: {spread}"
        seats = {tab.name: tab.seat for tab in tabs}

        away_by_restart: list[list[float]] = []
        refused_handshakes: list[int] = []
        for step, index in enumerate((0, 1, 0)):
            if step:
                await asyncio.sleep(FAIL_TIMEOUT_S + 1)  # past nginx's fail_timeout for the worker restarted last
            before = [(len(tab.away), len(tab.handshakes_failed)) for tab in tabs]
            await asyncio.to_thread(workers.restart, index)
            await everyone_back(tabs, f"restarting worker {'AB'[index]}")
            counts = list(zip(tabs, before, strict=True))
            away_by_restart.append([away for tab, (old, _) in counts for away in tab.away[old:]])
            failed = sum(len(tab.handshakes_failed) - old for tab, (_, old) in counts)
            refused_handshakes.append(failed)

        refused = {tab.name: tab.refused for tab in tabs if tab.refused}
        assert refused == {}, f"the room refused seats during the restarts: {refused}"
        assert {tab.name: tab.seat for tab in tabs} == seats, "a seat came back as another seat"
        # The seats moved without anyone being shown as reconnecting: a worker that stops lets its seats go as they are.
        shown = {tab.name: len(tab.saw_drop) for tab in tabs if tab.saw_drop}
        assert shown == {}, f"pages were told these many seats had dropped: {shown}"
        assert all(away_by_restart), f"a restart moved nobody: {away_by_restart}"

        room = await chair.fresh_snapshot()
        people = {person["seat"]: person for person in room["participants"]}
        assert sorted(people) == sorted(seats.values()), "the meeting lost or gained seats"
        assert [person for person in people.values() if not person["connected"]] == []
        assert room["role"] == "chair" and people[chair.seat]["role"] == "chair"
        assert all(people[tab.seat]["role"] == "member" for tab in [sharer, *members])
        assert room["share"] is not None and room["share"]["seat"] == sharer.seat, room["share"]
        assert room["locked"] is True
        for number, aways in enumerate(away_by_restart):
            print(  # the figures docs/deploy.md quotes (pytest -s)
                f"restart {number + 1} ({'ABA'[number]}): {len(aways)} seats moved, away "
                f"min {min(aways):.2f} s, median {statistics.median(aways):.2f} s, max {max(aways):.2f} s; "
                f"worker stopped in {workers.stopped_in[number]:.2f} s; {refused_handshakes[number]} handshakes failed"
            )
    finally:
        for tab in tabs:
            await tab.stop()
