"""The siege: one client fills a listed meeting while another meeting goes on, on loopback only.

    python -m bench.siege --json PATH                              (docs/BENCHMARKS.md, The siege)
    python -m bench.siege --no-door --json PATH                    (the door's limits off: the rooms alone)
    python -m bench.siege --filler-sources 3000 --json PATH        (the filler from 3,000 addresses, a botnet)
    python -m bench.siege --redis redis://127.0.0.1:6391/0 --workers 2 --json PATH   (behind nginx, on Redis)
    python -m bench.siege --smoke --json PATH                      (a tiny quick run)

Migrates a fresh data directory, creates two meetings (``bench.room_setup``): the attacked one, listed, with no
passcode and the waiting room on, as the issue's trial had it; and another meeting of ``--other-seats`` seats,
no waiting room, chat open. It starts ``stayhere serve`` (embedded: one process, rooms in memory; or with
``--redis``, ``--workers`` processes on Redis behind Debian's nginx from ``deploy/nginx/stayhere.conf``) with
the door's default limits, or none with ``--no-door``, and then, each part in its own process:

- the other meeting: every seat joined, one of them chatting at ``--rate`` messages a second in all, each
  message carrying the time it was sent; every seat measures each message's delivery (send to receipt);
- the chair of the attacked meeting, joined with the chair key, reading everything it is sent;
- after ``--quiet`` seconds of measuring without the attack, the filler: ``--sockets`` WebSockets opened as fast
  as the server takes them (``--concurrency`` at a time), each sending `join`, held for ``--hold`` seconds,
  then all dropped at once (the disconnect storm);
- ``--newcomer-after`` seconds into the attack, a newcomer (from 127.0.0.2, another source) joins the attacked
  meeting: the seconds until its first answer are ``newcomer_join_s``.

The filler comes from 127.0.0.1, the attacked meeting's chair from 127.0.0.3 and each member of the other
meeting from an address of its own in 127.1/16: loopback answers for all of 127/8, so the door sees sources as
it would on the internet.

It reports the other meeting's p50/p99 delivery with and without the attack (and during the drop), whether the
chair is still connected at the end and what it received, the filler's answers by kind, and the server's memory
(VmRSS, summed over workers) before the attack and ``--settle`` seconds after the drop.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import secrets
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.directory import _free_port, machine, run_and_report
from bench.rooms import _child, _memory_sum, _percentile, _stop, start_scale_out, start_server, wait_until_up
from bench.scale_out import Processes

TARGETS = {"newcomer_join_s": 2.0, "other_p99_ms": 150.0, "rss_growth": 0.20}
CHAIR_NAME = "Siege Chair"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.siege", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=3000, help="the filler's WebSockets (3000)")
    parser.add_argument("--concurrency", type=int, default=200, help="of them opening at once (200)")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds the filler holds them (30)")
    parser.add_argument("--other-seats", type=int, default=200, help="seats of the other meeting (200)")
    parser.add_argument("--rate", type=float, default=10.0, help="its chat messages a second (10)")
    parser.add_argument("--quiet", type=float, default=15.0, help="seconds measured before the attack (15)")
    parser.add_argument("--newcomer-after", type=float, default=10.0, help="seconds into the attack (10)")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after the drop before memory (15)")
    parser.add_argument("--no-door", action="store_true", help="turn the door's join limits off")
    parser.add_argument(
        "--filler-sources", type=int, default=1, help="addresses the filler spreads over, as a botnet does (1)"
    )
    parser.add_argument("--redis", help="scale-out: a Redis of the benchmark's own (it is flushed)")
    parser.add_argument("--workers", type=int, default=2, help="with --redis: worker processes (2)")
    parser.add_argument("--smoke", action="store_true", help="a tiny quick run: 300 sockets, 20 seats")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sockets, args.other_seats, args.hold, args.quiet, args.rate = 300, 20, 8.0, 5.0, 4.0
        args.newcomer_after, args.settle = 3.0, 5.0
    for name in ("sockets", "concurrency", "other_seats", "workers", "filler_sources"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate > (args.other_seats - 1) / 2:
        parser.error("--rate: each member may chat 5 times in 10 seconds; give more --other-seats or a lower rate")
    if args.sockets > 20_000 or args.hold > 600 or args.other_seats > 2000:
        parser.error("the siege is bounded: at most 20,000 sockets, 600 s of hold and 2,000 other seats")
    return run_and_report("siege", args, argv, run, print_table)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data_dir = work / "data"
    data_dir.mkdir(mode=0o700)
    env = {**os.environ, "STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "WARNING"}
    for name in ("STAYHERE_DATABASE_URL", "STAYHERE_REDIS_URL", *[k for k in env if k.startswith("STAYHERE_ROOM_")]):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "stayhere.settings"
    if args.no_door:
        for door in ("JOINS_PER_SOURCE", "SOCKETS_PER_SOURCE", "JOINS_PER_ROOM", "UNSEATED_MAX"):
            env[f"STAYHERE_ROOM_{door}"] = "0"
    chair_key = secrets.token_urlsafe(24)
    _child(env, "-m", "stayhere.cli", "migrate", "-v0")
    setup = ["-m", "bench.room_setup", "--meetings", "2", "--waiting-room", "1", f"--chair-key={chair_key}"]
    attacked, other = json.loads(_child(env, *setup))
    with ExitStack() as stack:
        if args.redis:
            from bench import scale_out

            scale_out.check_redis_is_ours(args.redis)
            env["STAYHERE_REDIS_URL"] = args.redis
            env["STAYHERE_SECRET_KEY"] = secrets.token_urlsafe(48)
            # As deploy/systemd/stayhere.env: behind nginx the per-address limits are nginx's.
            env["STAYHERE_ROOM_JOINS_PER_SOURCE"] = env["STAYHERE_ROOM_SOCKETS_PER_SOURCE"] = "0"
            stack.callback(lambda: scale_out.flush_redis(args.redis))
            port, processes, _logs = start_scale_out(stack, args, env, work, args.sockets + args.other_seats + 10)
        else:
            port = _free_port()
            log_path = work / "stayhere.log"
            log = stack.enter_context(log_path.open("w"))
            server = start_server("stayhere", port, env, log, "none")
            stack.callback(_stop, server)
            wait_until_up("stayhere", port, server, log_path)
            processes = Processes([server.pid])
        results = siege(args, port, processes, attacked, other, chair_key)
    results.update(
        deployment=(
            {"redis": args.redis, "workers": args.workers, "proxy": "nginx (deploy/nginx/stayhere.conf)"}
            if args.redis
            else {"embedded": "one process, rooms in memory"}
        ),
        door="off" if args.no_door else "default limits",
        machine=machine(),
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        targets=TARGETS,
    )
    results["missed"] = missed(results)
    return results


def siege(
    args: argparse.Namespace, port: int, processes: Processes, attacked: str, other: str, chair_key: str
) -> dict[str, Any]:
    base = f"ws://127.0.0.1:{port}/ws/rooms/"
    origin = f"http://127.0.0.1:{port}"
    context = multiprocessing.get_context("spawn")
    results: Any = context.Queue()
    go = context.Event()
    meeting = context.Process(
        target=_run, args=(other_meeting, results, base + other, origin, chair_key, args.other_seats, args.rate, go)
    )
    meeting.start()
    chair = context.Process(target=_run, args=(attacked_chair, results, base + attacked, origin, chair_key, go))
    chair.start()
    ready = [results.get(timeout=300) for _ in range(2)]
    failed = [message for message in ready if message.get("failed")]
    if failed:
        go.set()
        raise SystemExit(f"the meetings could not be set up: {failed}")
    go.set()  # everyone starts measuring
    quiet_from = time.time()
    time.sleep(args.quiet)
    rss_before, _ = _memory_sum(processes.servers)
    attack_from = time.time()
    filler = context.Process(
        target=_run,
        args=(fill, results, base + attacked, origin, args.sockets, args.concurrency, args.hold, args.filler_sources),
    )
    filler.start()
    time.sleep(args.newcomer_after)
    newcomer = asyncio.run(join_once(base + attacked, origin, "Newcomer", "127.0.0.2"))
    filler.join(timeout=args.hold + 600)
    dropped_at = time.time()
    time.sleep(args.settle)
    rss_after, _ = _memory_sum(processes.servers)
    settled_at = time.time()
    go.clear()  # the meeting and the chair stop and report
    reports: dict[str, Any] = {}
    for _ in range(3):
        report = results.get(timeout=120)
        reports[report["part"]] = report
    for part in (meeting, chair, filler):
        part.join(timeout=30)
    deliveries = reports["meeting"]["deliveries"]  # (sent at, latency ms)
    fill_report = reports["fill"]
    attack_to = fill_report["dropping_at"]

    def p(share: float, start: float, end: float) -> float | None:
        histogram = Counter(int(ms * 10) for sent, ms in deliveries if start <= sent < end)
        return _percentile(histogram, share)

    def count(start: float, end: float) -> int:
        return sum(1 for sent, _ in deliveries if start <= sent < end)

    return {
        "sockets": args.sockets,
        "filler_sources": args.filler_sources,
        "other_seats": args.other_seats,
        "rate": args.rate,
        "chair_connected": reports["chair"]["connected"],
        "chair_received_mib": round(reports["chair"]["bytes"] / 2**20, 2),
        "chair_largest_frame_bytes": reports["chair"]["largest"],
        "chair_events": reports["chair"]["events"],
        "newcomer_join_s": newcomer["seconds"],
        "newcomer_answer": newcomer["answer"],
        "filler": fill_report["answers"],
        "filler_open_s": fill_report["open_s"],
        "other_p50_ms_quiet": p(0.5, quiet_from, attack_from),
        "other_p99_ms_quiet": p(0.99, quiet_from, attack_from),
        "other_p50_ms": p(0.5, attack_from, attack_to),
        "other_p99_ms": p(0.99, attack_from, attack_to),
        "other_p99_ms_drop": p(0.99, attack_to, dropped_at + 5),
        "other_max_ms": max((ms for sent, ms in deliveries if attack_from <= sent < dropped_at + 5), default=None),
        "other_deliveries": {"quiet": count(quiet_from, attack_from), "attack": count(attack_from, settled_at)},
        "other_lost": reports["meeting"]["lost"],
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
    }


def _run(part: Any, results: Any, *args: Any) -> None:
    try:
        results.put(asyncio.run(part(results, *args)))
    except Exception as failure:  # the part could not run: say so rather than hang the benchmark
        results.put({"part": getattr(part, "__name__", "?"), "failed": f"{type(failure).__name__}: {failure}"})


async def _connect(url: str, origin: str, source: str | None = None) -> Any:
    from websockets.asyncio.client import connect

    extra: dict[str, Any] = {"local_addr": (source, 0)} if source else {}
    return await connect(url, origin=origin, max_size=2**24, open_timeout=60, compression=None, **extra)


async def _until(ws: Any, *kinds: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await ws.recv())
        if event["type"] in kinds or (event["type"] == "error" and "error" not in kinds):
            return event


async def _wait(go: Any, state: bool) -> None:
    while go.is_set() is not state:
        await asyncio.sleep(0.05)


async def other_meeting(
    results: Any, url: str, origin: str, chair_key: str, seats: int, rate: float, go: Any
) -> dict[str, Any]:
    """The other meeting: every seat measures every chat message's delivery."""
    sockets = []
    for number in range(seats):
        # Each member from an address of their own (loopback is all of 127/8), as people come from their homes.
        ws = await _connect(url, origin, f"127.1.{number // 250}.{1 + number % 250}")
        join = {"type": "join", "name": f"Member {number}"} if number else {"type": "join", "name": "Other Chair"}
        if not number:
            join["chair_key"] = chair_key
        while True:
            await ws.send(json.dumps(join))
            answer = await _until(ws, "welcome")
            if answer.get("code") != "busy":
                break
            await asyncio.sleep(answer.get("retry_after", 1))  # the door said when: as the page does
        if answer["type"] != "welcome":
            return {"part": "meeting", "failed": f"seat {number} was not seated: {answer}"}
        sockets.append(ws)
    results.put({"part": "meeting-ready"})
    deliveries: list[tuple[float, float]] = []
    expected = Counter[str]()

    async def read(ws: Any) -> None:
        try:
            async for text in ws:
                if '"chat"' not in text[:30]:
                    continue
                event = json.loads(text)
                if event["type"] == "chat" and event["text"].startswith("t="):
                    sent = float(event["text"][2:])
                    deliveries.append((sent, (time.time() - sent) * 1000))
                    expected[event["text"]] -= 1
        except Exception:  # noqa: S110  (the socket closed: the report counts what arrived)
            pass

    readers = [asyncio.create_task(read(ws)) for ws in sockets]
    await _wait(go, True)
    sent = 0
    start = time.monotonic()
    while go.is_set():
        due = start + sent / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        text = f"t={time.time():.6f}"
        expected[text] += len(sockets)
        await sockets[1 + sent % (len(sockets) - 1) if len(sockets) > 1 else 0].send(
            json.dumps({"type": "chat", "text": text})
        )
        sent += 1
    await asyncio.sleep(3)  # the last messages arrive
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    lost = sum(max(0, left) for left in expected.values())
    return {"part": "meeting", "deliveries": deliveries, "lost": lost, "sent": sent}


async def attacked_chair(results: Any, url: str, origin: str, chair_key: str, go: Any) -> dict[str, Any]:
    ws = await _connect(url, origin, "127.0.0.3")
    await ws.send(json.dumps({"type": "join", "name": CHAIR_NAME, "chair_key": chair_key}))
    if (await _until(ws, "welcome"))["type"] != "welcome":
        return {"part": "chair", "failed": "the attacked meeting's chair was not seated"}
    results.put({"part": "chair-ready"})
    received = {"bytes": 0, "largest": 0, "events": Counter[str]()}
    connected = True

    async def read() -> None:
        nonlocal connected
        try:
            async for text in ws:
                received["bytes"] += len(text)
                received["largest"] = max(received["largest"], len(text))
                received["events"][json.loads(text)["type"]] += 1
        except Exception:  # noqa: S110  (closed: reported as not connected)
            pass
        connected = False

    reader = asyncio.create_task(read())
    await _wait(go, True)
    await _wait(go, False)
    still = connected and ws.state.name == "OPEN"
    await ws.close()
    reader.cancel()
    return {
        "part": "chair",
        "connected": still,
        "bytes": received["bytes"],
        "largest": received["largest"],
        "events": dict(received["events"]),
    }


async def fill(
    results: Any, url: str, origin: str, sockets: int, concurrency: int, hold: float, sources: int
) -> dict[str, Any]:
    """Opens the sockets and joins on each (from 127.0.0.1, or spread over ``sources`` addresses in 127.2/16);
    holds them; drops them all at once."""
    from websockets.exceptions import InvalidStatus

    answers = Counter[str]()
    held: list[Any] = []
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()

    async def one(number: int) -> None:
        async with gate:
            source = None if sources <= 1 else f"127.2.{(number % sources) // 250}.{1 + (number % sources) % 250}"
            try:
                ws = await _connect(url, origin, source)
            except InvalidStatus as refused:
                answers[f"handshake {refused.response.status_code}"] += 1
                return
            except Exception as failure:
                answers[f"handshake {type(failure).__name__}"] += 1
                return
            held.append(ws)
            try:
                await ws.send(json.dumps({"type": "join", "name": f"Filler {number}"}))
                answer = await asyncio.wait_for(_until(ws, "waiting", "welcome"), 30)
                answers[answer.get("code") or answer["type"]] += 1
            except Exception as failure:
                answers[f"no answer ({type(failure).__name__})"] += 1

    await asyncio.gather(*(one(number) for number in range(sockets)))
    open_s = round(time.monotonic() - started, 1)
    await asyncio.sleep(max(0.0, hold - open_s))
    dropping_at = time.time()
    for ws in held:
        ws.transport.abort()  # dropped, not closed: as when the filler's process dies
    await asyncio.sleep(0.5)
    return {"part": "fill", "answers": dict(answers), "open_s": open_s, "dropping_at": dropping_at}


async def join_once(url: str, origin: str, name: str, source: str) -> dict[str, Any]:
    started = time.monotonic()
    try:
        ws = await _connect(url, origin, source)
        await ws.send(json.dumps({"type": "join", "name": name}))
        answer = await asyncio.wait_for(_until(ws, "welcome", "waiting"), 30)
        seconds = time.monotonic() - started
        await ws.close()
        return {"seconds": round(seconds, 3), "answer": answer.get("code") or answer["type"]}
    except Exception as failure:
        return {"seconds": None, "answer": f"{type(failure).__name__}: {failure}"}


def missed(results: dict[str, Any]) -> list[str]:
    out = []
    if not results["chair_connected"]:
        out.append("the attacked meeting's chair was disconnected")
    joined = results["newcomer_join_s"]
    if joined is None or joined > TARGETS["newcomer_join_s"] or results["newcomer_answer"] not in ("welcome",):
        out.append(f"the newcomer's join: {results['newcomer_answer']} after {joined} s")
    p99 = results["other_p99_ms"]
    if p99 is None or p99 > TARGETS["other_p99_ms"]:
        out.append(f"the other meeting's p99 under attack: {p99} ms")
    drop = results["other_p99_ms_drop"]
    if drop is not None and drop > TARGETS["other_p99_ms"]:
        out.append(f"the other meeting's p99 while the filler dropped: {drop} ms")
    before, after = results["rss_before_mib"], results["rss_after_mib"]
    if before and after > before * (1 + TARGETS["rss_growth"]):
        out.append(f"memory after the attack {after} MiB, before {before} MiB")
    return out


def print_table(results: dict[str, Any]) -> None:
    rows = [
        ("deployment", json.dumps(results["deployment"])),
        ("door", results["door"]),
        ("filler's addresses", results["filler_sources"]),
        ("filler's sockets / answers", f"{results['sockets']} / {json.dumps(results['filler'])}"),
        ("attacked chair connected", results["chair_connected"]),
        ("  it received", f"{results['chair_received_mib']} MiB, largest {results['chair_largest_frame_bytes']} B"),
        ("newcomer's join", f"{results['newcomer_join_s']} s ({results['newcomer_answer']})"),
        ("other meeting p50/p99 quiet", f"{results['other_p50_ms_quiet']} / {results['other_p99_ms_quiet']} ms"),
        ("other meeting p50/p99 attack", f"{results['other_p50_ms']} / {results['other_p99_ms']} ms"),
        ("other meeting p99 drop, max", f"{results['other_p99_ms_drop']} ms, {results['other_max_ms']} ms"),
        ("other meeting lost", results["other_lost"]),
        ("server RSS before / after", f"{results['rss_before_mib']} / {results['rss_after_mib']} MiB"),
    ]
    for name, value in rows:
        print(f"{name:32} {value}")
    for line in results["missed"]:
        print(f"MISSED {line}")


if __name__ == "__main__":
    sys.exit(main())
