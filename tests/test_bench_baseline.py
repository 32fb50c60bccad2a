"""bench.broadcast_baseline, the bare server bench.rooms compares stayhere with, pays for what stayhere pays for
besides the rooms themselves: here, a keepalive ping to every socket as often as ``stayhere serve`` has uvicorn
send them, so its CPU an event (``cpu_ratio``) is like for like."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from bench import broadcast_baseline, rooms
from bench.directory import _free_port
from stayhere.cli import WS_PING_INTERVAL_S, WS_PING_TIMEOUT_S
from tests.rooms.roomkit import run_async


def test_the_bare_server_pings_as_often_as_stayhere_serve_unless_told_not_to() -> None:
    default = broadcast_baseline.options(["--port", "1"])
    assert (default.ping_interval, default.ping_timeout) == (WS_PING_INTERVAL_S, WS_PING_TIMEOUT_S)
    assert broadcast_baseline.keepalive(default.ping_interval, default.ping_timeout) == {
        "ping_interval": WS_PING_INTERVAL_S,
        "ping_timeout": WS_PING_TIMEOUT_S,
    }
    off = broadcast_baseline.options(["--port", "1", "--ping-interval", "0"])
    assert broadcast_baseline.keepalive(off.ping_interval, off.ping_timeout)["ping_interval"] is None


def test_bench_rooms_starts_the_bare_server_with_stayhere_s_pings_and_can_turn_them_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr("subprocess.Popen", lambda command, **_: commands.append(command))
    with (tmp_path / "log").open("w") as log:
        rooms.start_server("baseline", 1, {}, log, "none")
        rooms.start_server("baseline", 1, {}, log, "none", pings=False)
    assert "--ping-interval" not in commands[0], "its default is stayhere serve's interval"
    assert commands[1][-2:] == ["--ping-interval", "0"]


class Counting(ClientConnection):
    pings = 0

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame) and event.opcode is Opcode.PING:
            Counting.pings += 1
        super().process_event(event)


def test_a_bare_server_with_pings_on_pings_an_idle_socket_and_with_them_off_never() -> None:
    async def pings_seen(interval: float) -> int:
        port = _free_port()
        stop = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(
            broadcast_baseline.run("127.0.0.1", port, None, broadcast_baseline.keepalive(interval, 5.0), stop)
        )
        Counting.pings = 0
        try:
            for _ in range(100):
                try:
                    client = await connect(f"ws://127.0.0.1:{port}/ws/rooms/r", create_connection=Counting)
                    break
                except OSError:
                    await asyncio.sleep(0.02)
            async with client:
                await asyncio.sleep(0.5)
        finally:
            stop.set_result(None)
            await server
        return Counting.pings

    assert run_async(pings_seen(0.1)) >= 2
    assert run_async(pings_seen(0.0)) == 0
