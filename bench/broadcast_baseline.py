"""The yardstick for ``bench.rooms``: a bare broadcast server written with the ``websockets`` library.

    python -m bench.broadcast_baseline --port P

It speaks just enough of the room protocol (docs/protocol.md) for the benchmark's clients: a ``join``
gets a ``welcome`` with a seat id; every later message is decoded, stamped with the room's next ``seq``,
the sender's seat and the time, encoded once and handed to ``websockets.broadcast()`` for every connection
of the same room (``/ws/rooms/<slug>``), the sender included. No state machine, no permissions, no flood
control: what is left is the cost of moving frames, which is what stayhere's figures are compared with.
``--compression none`` (what ``stayhere serve`` does) declines permessage-deflate; ``deflate`` accepts it. The
benchmark starts it with whatever stayhere negotiated, so both pay for the same bytes. It pings every connection as
``stayhere serve`` has uvicorn do (``--ping-interval``, ``--ping-timeout``: stayhere's own figures by default), so
both pay for the same keepalive too; ``--ping-interval 0`` turns its pings off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import time
from collections import defaultdict
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from stayhere.cli import WS_PING_INTERVAL_S, WS_PING_TIMEOUT_S

PREFIX = "/ws/rooms/"
MAX_FRAME = 8 * 1024  # the same inbound limit the room protocol sets


class Rooms:
    def __init__(self) -> None:
        self.connections: dict[str, set[ServerConnection]] = defaultdict(set)
        self.seq: dict[str, int] = defaultdict(int)

    def next_seq(self, slug: str) -> int:
        self.seq[slug] += 1
        return self.seq[slug]

    async def handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else ""
        if not path.startswith(PREFIX):
            await connection.close(1008, "unknown path")
            return
        slug = path[len(PREFIX) :]
        members = self.connections[slug]
        seat = ""
        name = ""
        try:
            async for raw in connection:
                try:
                    message: dict[str, Any] = json.loads(raw)
                except ValueError:
                    continue
                kind = message.get("type")
                if not seat:
                    if kind != "join":
                        continue
                    seat = "s" + secrets.token_hex(5)
                    name = str(message.get("name", ""))
                    members.add(connection)
                    welcome = {"type": "welcome", "seq": self.next_seq(slug), "seat": seat, "token": "", "snapshot": {}}
                    await connection.send(json.dumps(welcome))
                    continue
                event = {**message, "seq": self.next_seq(slug), "from": seat, "name": name, "at": time.time()}
                if kind == "chat":
                    event["id"] = f"c{event['seq']}"
                    event.setdefault("to", None)
                broadcast(members, json.dumps(event))
        except ConnectionClosed:
            pass
        finally:
            members.discard(connection)
            if not members:
                self.connections.pop(slug, None)
                self.seq.pop(slug, None)


def keepalive(interval: float, timeout: float) -> dict[str, float | None]:
    """websockets' ping options for an interval and a timeout in seconds, 0 meaning none (as uvicorn reads them)."""
    return {"ping_interval": interval or None, "ping_timeout": timeout or None}


async def run(
    host: str,
    port: int,
    compression: str | None,
    pings: dict[str, float | None] | None = None,
    stop: asyncio.Future[None] | None = None,
) -> None:
    """Serves until ``stop`` is done (by default: until SIGTERM or SIGINT)."""
    rooms = Rooms()
    if stop is None:
        stop = asyncio.get_running_loop().create_future()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    pings = pings if pings is not None else keepalive(WS_PING_INTERVAL_S, WS_PING_TIMEOUT_S)
    interval, timeout = pings["ping_interval"], pings["ping_timeout"]
    async with serve(
        rooms.handle,
        host,
        port,
        max_size=MAX_FRAME,
        compression=compression,
        ping_interval=interval,
        ping_timeout=timeout,
    ):
        print(f"baseline listening on {host}:{port}", flush=True)
        await stop


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast_baseline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--compression", choices=["deflate", "none"], default="none")
    parser.add_argument(
        "--ping-interval",
        type=float,
        default=WS_PING_INTERVAL_S,
        help=f"seconds between pings of each connection, 0 for none (stayhere serve's: {WS_PING_INTERVAL_S:g})",
    )
    parser.add_argument(
        "--ping-timeout",
        type=float,
        default=WS_PING_TIMEOUT_S,
        help=f"seconds a pong may take before the connection is dropped, 0 for no limit ({WS_PING_TIMEOUT_S:g})",
    )
    args = parser.parse_args(argv)
    if args.ping_interval < 0 or args.ping_timeout < 0:
        parser.error("--ping-interval and --ping-timeout are seconds: 0 or more.")
    return args


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    pings = keepalive(args.ping_interval, args.ping_timeout)
    asyncio.run(run(args.host, args.port, None if args.compression == "none" else args.compression, pings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
