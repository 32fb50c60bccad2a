"""A seat's frames leave in the order they were pushed, at once while its socket takes them, and queued behind a
send that had to wait while it does not (a slow network): no frame is lost, none overtakes another."""

from __future__ import annotations

import asyncio
import collections
from typing import Any

from django.conf import settings

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
