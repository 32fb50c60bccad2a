"""A seat's frames leave in the order they were pushed, at once while its socket takes them, and queued behind a
send that had to wait while it does not (a slow network): no frame is lost, none overtakes another."""

from __future__ import annotations

import asyncio
import collections
import json
import types
from typing import Any

from django.conf import settings

from stayhere.rooms.adapters import consumer as consumers
from stayhere.rooms.adapters.consumer import RoomConsumer
from tests.rooms.roomkit import run_async


class Socket:
    """The server's send as uvicorn's is: done at once while the socket is writable, else it waits until it is."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[str] = []
        self.waits = 0

    async def send(self, message: dict[str, Any]) -> None:
        if not self.writable.is_set():
            self.waits += 1
        await self.writable.wait()
        self.sent.append(message["text"])


def seat_on(socket: Socket) -> RoomConsumer:
    consumer = RoomConsumer.__new__(RoomConsumer)
    consumer.closing = None
    consumer.language = settings.LANGUAGE_CODE
    consumer.backlog = collections.deque()
    consumer.stalled = consumer.stalled_on = None
    consumer.draining = False
    consumer.wake = asyncio.Event()
    consumer.base_send = socket.send  # type: ignore[method-assign]
    return consumer


def test_frames_go_out_at_once_while_the_socket_takes_them() -> None:
    async def scenario() -> None:
        socket = Socket()
        consumer = seat_on(socket)
        writer = asyncio.create_task(consumer._write())
        for number in range(5):
            consumer.push(f'{{"n":{number}}}')
        assert socket.sent == [f'{{"n":{number}}}' for number in range(5)], "sent before any task ran"
        writer.cancel()

    run_async(scenario())


def test_a_send_that_waits_for_the_socket_keeps_every_later_frame_behind_it_in_order() -> None:
    async def scenario() -> None:
        socket = Socket()
        consumer = seat_on(socket)
        writer = asyncio.create_task(consumer._write())
        consumer.push("a")
        socket.writable.clear()  # the seat's network is slow: the socket's buffer is full
        for text in ("b", "c", "d"):
            consumer.push(text)
        await asyncio.sleep(0.01)
        assert socket.sent == ["a"] and list(consumer.backlog) == ["c", "d"]
        socket.writable.set()
        await asyncio.sleep(0.01)
        consumer.push("e")
        await asyncio.sleep(0.01)
        assert socket.sent == ["a", "b", "c", "d", "e"]
        assert socket.waits == 1
        writer.cancel()

    run_async(scenario())


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


class Uvicorns(Socket):
    """uvicorn's connection as the consumer reads it when it writes frames itself (``consumer.direct_socket``): its
    writable event, its closing flags, its websockets state and its transport; its ASGI send as ``Socket``'s."""

    def __init__(self) -> None:
        super().__init__()
        self.close_sent = self.disconnected = False
        self.conn = types.SimpleNamespace(state=consumers.OPEN)
        self.transport = Transport()


def frames_of(transport: Transport) -> list[str]:
    return [json.loads(data[2:])["n"] for data in transport.written]


def test_while_the_socket_takes_them_frames_are_written_to_it_directly_and_behind_a_full_one_they_queue_in_order() -> (
    None
):
    async def scenario() -> None:
        socket = Uvicorns()
        consumer = seat_on(socket)
        consumer.socket = socket
        writer = asyncio.create_task(consumer._write())
        consumer.push('{"n":"a"}')
        assert frames_of(socket.transport) == ["a"] and socket.sent == [], "written at once, without ASGI"
        socket.writable.clear()  # uvicorn paused writing: the seat's network is slow
        for text in ("b", "c"):
            consumer.push(f'{{"n":"{text}"}}')
        await asyncio.sleep(0.01)
        assert frames_of(socket.transport) == ["a"] and socket.sent == [], "nothing overtakes the waiting send"
        socket.writable.set()
        await asyncio.sleep(0.01)
        assert socket.sent == ['{"n":"b"}', '{"n":"c"}']
        consumer.push('{"n":"d"}')
        assert frames_of(socket.transport) == ["a", "d"]
        socket.conn.state = None  # the client began closing: frames go through uvicorn's send (its own checks)
        consumer.push('{"n":"e"}')
        await asyncio.sleep(0.01)
        assert frames_of(socket.transport) == ["a", "d"] and socket.sent[-1] == '{"n":"e"}'
        writer.cancel()

    run_async(scenario())
