"""Fan-out of the two channels-redis layers: one group of many channels, group_send at a rate, receive latency.

    python -m bench.channel_layers --redis redis://127.0.0.1:6391/1 --json PATH
    python -m bench.channel_layers --redis URL --channels 1000 --processes 1 2 --rates 10 50 0 --seconds 10

For each layer (``channels_redis.core.RedisChannelLayer`` and ``channels_redis.pubsub.RedisPubSubChannelLayer``),
each count of receiving processes and each rate: the receiving processes (``--receiver``, children of this
one) each make their share of ``--channels`` channels with ``new_channel()``, add them all to one group and
``receive()`` on every one of them (one task a channel, as a Channels consumer would); this process then calls
``group_send`` on the group at ``--rate`` sends a second for ``--seconds`` (a rate of 0: one send after the
other, as fast as the layer takes them). Each message carries its send time; the receivers count what
arrived and how late. CPU time of the sender, the receivers and Redis (when it is on this machine) over the
window. Everything runs on this machine's cores, with Redis.

The core layer stores a copy of every message for every channel of the group (one Lua call that pushes M
entries); the pub/sub layer publishes once on the group's Redis channel and each subscribed process hands the
message to its own channels. The figures say what that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
GROUP = "bench-fanout"
PREFIX = "stayhere-bench-layer"
TICK = os.sysconf("SC_CLK_TCK")
REPO = Path(__file__).resolve().parent.parent


def make_layer(kind: str, url: str) -> Any:
    if kind == "core":
        from channels_redis.core import RedisChannelLayer  # type: ignore[import-untyped]

        # capacity: the default of 100 a channel would drop messages at the higher rates and hide the cost.
        return RedisChannelLayer(hosts=[url], prefix=PREFIX, capacity=100_000, expiry=60)
    from channels_redis.pubsub import RedisPubSubChannelLayer  # type: ignore[import-untyped]

    return RedisPubSubChannelLayer(hosts=[url], prefix=PREFIX)


# The receiving side ------------------------------------------------------------------------------------


async def receiver(kind: str, url: str, channels: int) -> None:
    """Makes and joins ``channels`` channels, says ``ready``, counts until told ``stop`` on stdin."""
    layer = make_layer(kind, url)
    names = [await layer.new_channel() for _ in range(channels)]
    for name in names:
        await layer.group_add(GROUP, name)
    latency: Counter[int] = Counter()  # tenths of a ms -> count
    window = {"from": float("inf"), "to": float("-inf")}
    counts = {"received": 0, "in_window": 0}

    async def one(name: str) -> None:
        while True:
            message = await layer.receive(name)
            now = time.time()
            counts["received"] += 1
            sent = message["t"]
            if window["from"] <= sent < window["to"]:
                counts["in_window"] += 1
                latency[int((now - sent) * 10_000)] += 1

    tasks = [asyncio.create_task(one(name)) for name in names]
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": len(names)}), flush=True)
    while line := await reader.readline():
        command = json.loads(line)
        if command["cmd"] == "window":
            latency.clear()
            counts.update(received=0, in_window=0)
            window.update({"from": command["from"], "to": command["to"]})
            print(json.dumps({"ok": True}), flush=True)
        elif command["cmd"] == "report":
            print(json.dumps({**counts, "latency": {str(k): v for k, v in latency.items()}}), flush=True)
        elif command["cmd"] == "stop":
            break
    for task in tasks:
        task.cancel()
    for name in names:
        await layer.group_discard(GROUP, name)
    await layer.flush()


# The sending side --------------------------------------------------------------------------------------


class Receivers:
    def __init__(self, kind: str, url: str, channels: int, count: int) -> None:
        shares = [channels // count + (1 if number < channels % count else 0) for number in range(count)]
        command = [sys.executable, "-m", "bench.channel_layers", "--receiver", kind, "--redis", url, "--channels"]
        self.processes = [
            subprocess.Popen(
                [*command, str(share)],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for share in shares
        ]
        for process in self.processes:
            self.read(process)  # ready

    @staticmethod
    def read(process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"a receiving process stopped ({process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: dict[str, Any]) -> list[dict[str, Any]]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(json.dumps(command) + "\n")
            process.stdin.flush()
        return [self.read(process) for process in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            try:
                assert process.stdin is not None
                process.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
                process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def send(layer: Any, rate: float, start: float, end: float) -> tuple[int, float]:
    """group_send from ``start`` to ``end``: evenly spaced at ``rate``, or back to back with rate 0.

    Returns the sends made and how far behind its schedule the sender fell at worst (ms).
    """
    await asyncio.sleep(max(0.0, start - time.time()))
    sent, late = 0, 0.0
    while True:
        now = time.time()
        if rate > 0:
            due = start + sent / rate
            if due >= end:
                break
            if due > now:
                await asyncio.sleep(due - now)
            else:
                late = max(late, (now - due) * 1000)
        elif now >= end:
            break
        await layer.group_send(GROUP, {"type": "bench.message", "t": time.time()})
        sent += 1
    return sent, late


def measure(kind: str, url: str, channels: int, count: int, rate: float, seconds: float, redis: int | None) -> Any:
    receivers = Receivers(kind, url, channels, count)
    try:
        start = time.time() + 1.0
        warm = 2.0
        receivers.ask({"cmd": "window", "from": start + warm, "to": start + warm + seconds})
        layer = make_layer(kind, url)
        pids = [process.pid for process in receivers.processes]
        loop = asyncio.new_event_loop()

        async def warm_and_measure() -> tuple[int, float, dict[str, float]]:
            await send(layer, rate, start, start + warm)
            before = _sample(pids, redis)
            sent, late = await send(layer, rate, start + warm, start + warm + seconds)
            after = _sample(pids, redis)
            await asyncio.sleep(2.0)  # the drain: late deliveries still count
            return sent, late, {key: after[key] - before[key] for key in after}

        sent, late, cpu = loop.run_until_complete(warm_and_measure())
        loop.run_until_complete(layer.flush())
        loop.close()
        answers = receivers.ask({"cmd": "report"})
    finally:
        receivers.stop()
    latency: Counter[int] = Counter()
    for answer in answers:
        latency.update({int(key): value for key, value in answer["latency"].items()})
    expected = sent * channels
    received = sum(answer["in_window"] for answer in answers)
    return {
        "layer": kind,
        "channels": channels,
        "processes": count,
        "rate": rate,
        "group_sends_per_s": round(sent / seconds, 1),
        "deliveries_per_s": round(received / seconds, 1),
        "expected": expected,
        "lost": max(0, expected - received),
        "p50_ms": _percentile(latency, 0.50),
        "p95_ms": _percentile(latency, 0.95),
        "p99_ms": _percentile(latency, 0.99),
        "sender_late_ms": round(late, 1),
        "sender_cpu_percent": round(100 * cpu["sender"] / seconds, 1),
        "receivers_cpu_percent": round(100 * cpu["receivers"] / seconds, 1),
        "redis_cpu_percent": round(100 * cpu["redis"] / seconds, 1) if redis else None,
        "load": [round(value, 2) for value in os.getloadavg()],
    }


def _sample(receivers: list[int], redis: int | None) -> dict[str, float]:
    return {
        "sender": _cpu(os.getpid()),
        "receivers": sum(map(_cpu, receivers)),
        "redis": _cpu(redis) if redis else 0.0,
    }


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _percentile(histogram: Counter[int], share: float) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for key in sorted(histogram):
        seen += histogram[key]
        if seen >= rank:
            return round(key / 10, 1)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.channel_layers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", required=True, help="a Redis of the benchmark's own (its keys are flushed)")
    parser.add_argument("--layers", nargs="+", choices=sorted(LAYERS), default=["core", "pubsub"])
    parser.add_argument("--channels", type=int, default=1000, help="channels in the group (1000)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="receiving processes (1 2)")
    parser.add_argument("--rates", type=float, nargs="+", default=[10.0, 50.0, 0.0], help="group_send/s; 0: flat out")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--receiver", choices=sorted(LAYERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receiver:
        asyncio.run(receiver(args.receiver, args.redis, args.channels))
        return 0
    from bench.scale_out import redis_pid

    redis = redis_pid(args.redis)
    rows = []
    for kind in args.layers:
        for count in args.processes:
            for rate in args.rates:
                row = measure(kind, args.redis, args.channels, count, rate, args.seconds, redis)
                rows.append(row)
                print(
                    f"{kind:>6} {count} proc rate {rate:>5g}: {row['group_sends_per_s']:>7} sends/s, "
                    f"{row['deliveries_per_s']:>9} deliveries/s, lost {row['lost']}, p50/p95/p99 "
                    f"{row['p50_ms']}/{row['p95_ms']}/{row['p99_ms']} ms, CPU sender {row['sender_cpu_percent']} % "
                    f"receivers {row['receivers_cpu_percent']} % Redis {row['redis_cpu_percent']} %",
                    flush=True,
                )
    results = {
        "command": " ".join(["python -m bench.channel_layers", *(argv if argv is not None else sys.argv[1:])]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rows": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
