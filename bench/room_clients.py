"""The simulated participants of ``bench.rooms``: one process holding many room WebSockets.

    python -m bench.room_clients          (started by bench.rooms; speaks JSON lines on stdin/stdout)

The first line on stdin describes the seats this process holds (room slug, global index, chair or not);
then commands follow, one JSON object a line, each answered with one JSON line on stdout:

- ``{"cmd": "join", "chairs": true|false}``: connect and ``join`` those seats, wait for each ``welcome``.
- ``{"cmd": "run", "chat_rate", "hand_rate", "call_rate", "t_start", "t_measure", "t_end", "drain"}``:
  drive the rooms from ``t_start`` to ``t_end`` (Unix time, one clock for every process), then wait ``drain``
  seconds for late frames, and answer with what was seen while measuring (``t_measure`` to ``t_end``).
- ``{"cmd": "quit"}``: close every connection and exit.

Chat texts carry their send time and the sender's index (``bench@<time>#<index>``); a receiving seat finds
them with one string search, so only the rare frames that need it (offers, errors) are decoded as JSON.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

MARK = "bench@"
TYPE = re.compile(r'"type":\s*"([a-z_]+)"')
JOIN_CONCURRENCY = 16


class Inline(ClientConnection):
    """A client connection that hands each complete text frame to ``on_text`` as it is parsed.

    The library's own path queues every frame and wakes a reading task for it; at thousands of frames a
    second per process that costs more than the server's side of the same frame, and the clients, not the
    server, would set the latency. Handshake, control and fragmented frames take the library's path.
    """

    on_text: Callable[[str], None] | None = None

    def process_event(self, event: Event) -> None:
        on_text = self.on_text
        if on_text is not None and isinstance(event, Frame) and event.opcode is Opcode.TEXT and event.fin:
            on_text(bytes(event.data).decode())
            return
        super().process_event(event)


@dataclass
class Seat:
    room: str
    index: int  # unique across every process of the run
    chair: bool
    connection: Inline | None = None
    seat_id: str = ""
    hand_up: bool = False


@dataclass
class Window:
    """What one process saw while measuring."""

    measure_from: float = float("inf")
    measure_to: float = float("-inf")
    frames: int = 0  # every frame received in the window
    latency: Counter[int] = field(default_factory=Counter)  # chat latency in tenths of a ms -> count
    received: Counter[str] = field(default_factory=Counter)  # room -> window chats received from another seat
    sent: Counter[str] = field(default_factory=Counter)  # room -> window chats sent
    sent_all: Counter[str] = field(default_factory=Counter)  # every message sent, by type
    events: Counter[str] = field(default_factory=Counter)  # room -> messages of any type sent in the window
    errors: Counter[str] = field(default_factory=Counter)  # error code -> count
    types: Counter[str] = field(default_factory=Counter)  # frames received in the window, by type (sampled)
    closed: int = 0  # connections that closed during the run
    late_ms: float = 0.0  # how far behind its schedule the sender fell, at worst
    worst: dict[int, int] = field(default_factory=dict)  # second of sending -> slowest delivery (0.1 ms)

    def reset(self, measure_from: float, measure_to: float) -> None:
        """Starts a new run in place: the readers hold this object."""
        self.__init__(measure_from=measure_from, measure_to=measure_to)  # type: ignore[misc]

    def count(self, room: str) -> None:
        """A message sent now, counted for the room if the window is open (the servers' work per event)."""
        if self.measure_from <= time.time() < self.measure_to:
            self.events[room] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "latency": {str(key): value for key, value in self.latency.items()},
            "received": dict(self.received),
            "sent": dict(self.sent),
            "sent_all": dict(self.sent_all),
            "events": dict(self.events),
            "errors": dict(self.errors),
            "types": dict(self.types),
            "closed": self.closed,
            "late_ms": round(self.late_ms, 1),
            "worst": {str(second): tenths / 10 for second, tenths in self.worst.items()},
        }


class Participants:
    def __init__(self, config: dict[str, Any]) -> None:
        self.url = config["url"]  # ws://127.0.0.1:P/ws/rooms/
        self.origin = config["origin"]
        self.compression: str | None = config.get("compression") or None
        self.chair_key: str = config.get("chair_key", "")
        self.join_concurrency = int(config.get("join_concurrency") or JOIN_CONCURRENCY)
        self.seats = [Seat(room=s["room"], index=s["index"], chair=s["chair"]) for s in config["seats"]]
        self.window = Window()
        self.readers: list[asyncio.Task[None]] = []
        self.join_failures: Counter[str] = Counter()
        self.extensions: Counter[str] = Counter()  # Sec-WebSocket-Extensions the server answered, per connection
        self.pending: set[asyncio.Task[None]] = set()

    # Joining -------------------------------------------------------------------------------------

    async def join(self, chairs: bool) -> dict[str, Any]:
        chosen = [seat for seat in self.seats if seat.chair == chairs]
        self.extensions.clear()
        self.join_failures.clear()
        gate = asyncio.Semaphore(self.join_concurrency)
        started = time.perf_counter()

        async def one(seat: Seat) -> bool:
            async with gate:
                return await self.join_one(seat)

        outcomes = await asyncio.gather(*(one(seat) for seat in chosen))
        return {
            "joined": sum(outcomes),
            "failed": len(outcomes) - sum(outcomes),
            "failures": dict(self.join_failures),
            "extensions": dict(self.extensions),
            "seconds": round(time.perf_counter() - started, 2),
        }

    async def join_one(self, seat: Seat) -> bool:
        try:
            connection = cast(
                Inline,
                await connect(
                    self.url + seat.room,
                    origin=self.origin,
                    additional_headers={"Cookie": f"stayhere_seat={secrets.token_urlsafe(18)}"},
                    compression=self.compression,
                    proxy=None,
                    ping_interval=None,
                    max_size=None,
                    open_timeout=120,
                    close_timeout=2,
                    create_connection=Inline,
                ),
            )
        except Exception as error:
            self.join_failures[f"connect: {type(error).__name__}: {error}"[:160]] += 1
            return False
        answered = connection.response.headers.get("Sec-WebSocket-Extensions", "") if connection.response else ""
        self.extensions[answered.split(";")[0].strip() or "none"] += 1
        message: dict[str, Any] = {"type": "join", "name": f"Bench {seat.index}"}
        if seat.chair:
            message["chair_key"] = self.chair_key
        try:
            await connection.send(json.dumps(message))
            while True:
                raw = await asyncio.wait_for(connection.recv(), timeout=120)
                answer = json.loads(raw)
                kind = answer.get("type")
                if kind == "welcome":
                    seat.seat_id = answer["seat"]
                    break
                if kind in ("error", "waiting", "denied", "removed", "ended"):
                    detail = answer.get("code") or answer.get("message") or ""
                    self.join_failures[f"{kind}: {detail}"[:160]] += 1
                    await connection.close()
                    return False
        except (ConnectionClosed, TimeoutError) as error:
            self.join_failures[f"{type(error).__name__}: {error}"[:160]] += 1
            return False
        seat.connection = connection
        connection.on_text = self.handler(seat, connection)
        self.readers.append(asyncio.create_task(self.read(seat, connection)))
        return True

    # Receiving -----------------------------------------------------------------------------------

    def handler(self, seat: Seat, connection: ClientConnection) -> Callable[[str], None]:
        """What a seat does with each text frame; runs inside the connection's ``data_received``."""
        window = self.window
        own = seat.index
        clock = time.time

        def on_text(raw: str) -> None:
            now = clock()
            if window.measure_from <= now < window.measure_to:
                window.frames += 1
                if window.frames % 64 == 0:
                    found = TYPE.search(raw)
                    window.types[found.group(1) if found else "?"] += 1
            at = raw.find(MARK)
            if at >= 0:
                hash_at = raw.find("#", at)
                sent_at = float(raw[at + 6 : hash_at])
                if window.measure_from <= sent_at < window.measure_to:
                    tenths = int((now - sent_at) * 10_000)
                    window.latency[tenths] += 1
                    second = int(sent_at)
                    if tenths > window.worst.get(second, 0):
                        window.worst[second] = tenths
                    end = hash_at + 1
                    while raw[end].isdigit():
                        end += 1
                    if int(raw[hash_at + 1 : end]) != own:
                        window.received[seat.room] += 1
            elif '"offer"' in raw or '"error"' in raw:
                self.react(seat, connection, raw)

        return on_text

    async def read(self, seat: Seat, connection: Inline) -> None:
        """Frames that still go through the library's queue (any left from joining, fragmented ones)."""
        on_text = connection.on_text
        try:
            async for raw in connection:
                if isinstance(raw, str) and on_text is not None:
                    on_text(raw)
        except ConnectionClosed:
            pass
        finally:
            if seat.connection is connection:
                seat.connection = None
                self.window.closed += 1

    def react(self, seat: Seat, connection: ClientConnection, raw: str) -> None:
        event = json.loads(raw)
        kind = event.get("type")
        if kind == "offer" and event.get("seat") == seat.seat_id:
            # The called seat passes at once, as a member who does not want to share would.
            self.pending.add(task := asyncio.get_running_loop().create_task(connection.send('{"type": "pass"}')))
            task.add_done_callback(self.pending.discard)
            self.window.sent_all["pass"] += 1
            self.window.count(seat.room)
        elif kind == "error":
            self.window.errors[str(event.get("code"))] += 1

    # Driving -------------------------------------------------------------------------------------

    async def run(self, command: dict[str, Any]) -> dict[str, Any]:
        window = self.window
        window.reset(command["t_measure"], command["t_end"])
        members = [seat for seat in self.seats if not seat.chair]
        chairs = [seat for seat in self.seats if seat.chair]
        offset = float(command.get("offset", 0.0))
        loops = [
            self.drive(members, command["chat_rate"], offset, command, self.send_chat),
            self.drive(
                members[len(members) // 2 :] + members[: len(members) // 2],
                command["hand_rate"],
                offset,
                command,
                self.send_hand,
            ),
            self.drive(chairs, command["call_rate"], offset, command, self.send_call),
        ]
        await asyncio.gather(*loops)
        await asyncio.sleep(max(0.0, command["t_end"] + command["drain"] - time.time()))
        answer = window.as_json()
        answer["open"] = sum(1 for seat in self.seats if seat.connection is not None)
        return answer

    async def drive(self, seats: list[Seat], rate: float, offset: float, command: dict[str, Any], send: Any) -> None:
        """Sends at ``rate`` per second, evenly spaced, going round the seats (so each seat's share is even)."""
        if rate <= 0 or not seats:
            return
        interval = 1.0 / rate
        start, end = command["t_start"], command["t_end"]
        count = 0
        turn = 0
        while True:
            due = start + (offset + count) * interval
            if due >= end:
                return
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif due >= self.window.measure_from:
                self.window.late_ms = max(self.window.late_ms, -delay * 1000)
            count += 1
            for _ in range(len(seats)):
                seat = seats[turn % len(seats)]
                turn += 1
                if seat.connection is not None:
                    await send(seat, seat.connection)
                    break

    async def send_chat(self, seat: Seat, connection: ClientConnection) -> None:
        sent_at = time.time()
        try:
            await connection.send(f'{{"type": "chat", "text": "{MARK}{sent_at:.6f}#{seat.index}"}}')
        except ConnectionClosed:
            return
        self.window.sent_all["chat"] += 1
        if self.window.measure_from <= sent_at < self.window.measure_to:
            self.window.sent[seat.room] += 1
            self.window.events[seat.room] += 1

    async def send_hand(self, seat: Seat, connection: ClientConnection) -> None:
        seat.hand_up = not seat.hand_up
        try:
            await connection.send('{"type": "hand", "up": true}' if seat.hand_up else '{"type": "hand", "up": false}')
        except ConnectionClosed:
            return
        self.window.sent_all["hand"] += 1
        self.window.count(seat.room)

    async def send_call(self, seat: Seat, connection: ClientConnection) -> None:
        try:
            await connection.send('{"type": "call"}')
        except ConnectionClosed:
            return
        self.window.sent_all["call"] += 1
        self.window.count(seat.room)

    async def close(self) -> None:
        closing = []
        for seat in self.seats:
            connection, seat.connection = seat.connection, None
            if connection is not None:
                closing.append(connection.close())
        await asyncio.gather(*closing, return_exceptions=True)
        for reader in self.readers:
            reader.cancel()


async def serve_commands() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    config = json.loads(await reader.readline())
    participants = Participants(config)
    while line := await reader.readline():
        command = json.loads(line)
        if command["cmd"] == "join":
            answer = await participants.join(command["chairs"])
        elif command["cmd"] == "run":
            answer = await participants.run(command)
        elif command["cmd"] == "quit":
            await participants.close()
            answer = {"closed": True}
        else:
            answer = {"error": f"unknown command {command['cmd']!r}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if command["cmd"] == "quit":
            return


def main() -> int:
    try:
        import uvloop  # uvicorn[standard] brings it: a faster client loop, as uvicorn uses for the server
    except ImportError:
        asyncio.run(serve_commands())
        return 0
    uvloop.run(serve_commands())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
