"""Audio rooms under load: Janus' CPU and memory with N participants, and the AudioBridge's mixing delay.

    python -m bench.audio --participants 100 --json PATH       (docs/BENCHMARKS.md, Audio)
    python -m bench.audio --participants 100 --codec opus ...   (participants sending Opus, as browsers do)
    python -m bench.audio --smoke --json PATH                   (5 participants, 3 s: does it work at all)

Starts a real Janus with stayhere's own generated configuration (``stayhere.audio.process.start_janus``: only
the AudioBridge, loopback, random secrets), opens the meeting's audio room as stayhere does
(``stayhere.audio.floor.AudioFloor``: a private room with per-seat tokens and RTP participants allowed),
and joins N plain RTP participants (``stayhere.audio.rtp``, G.711 mu-law), each admitted with its own
token and joined muted. They stand in for phones on a SIP bridge and, with ``--codec opus``, for browsers:
100 headless Chromiums will not fit on this 2-core machine, while an Opus RTP participant costs the mixer what a
browser's audio does (one Opus decode in, one mix and Opus encode out) but for SRTP and ICE.
The participants live in client processes (``bench.audio_clients``, 50 to a process), so their Python
does not share a core with the benchmark's own loop; their CPU is reported apart and is not Janus'.

The floor is given to the first participant through ``AudioFloor.set_floor`` (as the share queue would):
it sends silence with a 200 ms 400 Hz tone burst every second. Everyone else is muted by the floor and
streams a 1000 Hz tone all the time, so the mixer receives N streams and a mute that did not hold would be
heard. After a warm-up it measures for ``--seconds``:

- ``janus_cpu_percent``: utime + stime of the Janus process (every thread) from ``/proc/PID/stat`` over the
  window, in % of ONE core (100 = one core);
- ``janus_rss_mib``: VmRSS of Janus at the end of the window (``janus_rss_max_mib``: the largest seen);
- ``mix_delay_ms``: from the floor holder sending a burst's first tone frame (after silence) to another
  participant receiving the first mixed packet with energy in it, for every burst and every listener
  (p50; p95 and max beside it). It includes Janus' jitter buffer (6 packets of prebuffering, as stayhere
  creates rooms), the 20 ms mixing tick, and the clients' own scheduling;
- who joined, who received audio, who heard the floor holder, and packets with energy outside a burst
  (``leaked_packets``: must be 0, else a muted participant was heard).

All times are ``time.monotonic()`` (CLOCK_MONOTONIC, one clock for every process on the machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.directory import machine, run_and_report
from stayhere.audio.config import JanusSettings, PortRange
from stayhere.audio.floor import STANDARD, AudioFloor, AudioProfile
from stayhere.audio.http import request_json
from stayhere.audio.janus import RtpJoin
from stayhere.audio.process import EmbeddedJanus, start_janus

REPO = Path(__file__).resolve().parent.parent
TARGET_CPU_PERCENT = 100.0  # a 100-participant meeting with Janus under one core
PER_PROCESS = 50
PERIOD = 1.0  # a burst every second
BURST = 0.2  # of 200 ms
HEARD_WITHIN = 0.5  # energy later than this after a burst's start is not that burst's (nor a delay)
JOIN_CONCURRENCY = 8
ROOM = "bench"
CODECS = {"pcmu": 0, "opus": 111}  # codec -> the RTP payload type the participants use
TICK = os.sysconf("SC_CLK_TCK")
SAMPLING_RATES = (8000, 12000, 16000, 24000, 48000)  # what the AudioBridge mixes at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audio", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100, help="RTP participants in the room (100)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds streamed before measuring (5)")
    parser.add_argument("--processes", type=int, help=f"client processes (one per {PER_PROCESS} participants)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--codec",
        choices=CODECS,
        default="pcmu",
        help="what the participants send: pcmu (phones, the default) or opus (as browsers send, without SRTP)",
    )
    parser.add_argument(
        "--sampling-rate",
        type=int,
        choices=SAMPLING_RATES,
        default=STANDARD.sampling_rate,
        help=f"the AudioBridge room's mixing rate in Hz ({STANDARD.sampling_rate}, as stayhere creates rooms)",
    )
    parser.add_argument(
        "--quality",
        type=int,
        choices=range(1, 11),
        metavar="1-10",
        help="the Opus complexity of each participant's mix (Janus' own default, 4, when left out)",
    )
    parser.add_argument(
        "--bitrate",
        type=int,
        help="the Opus bitrate of each participant's mix in bits/s (libopus' choice when left out)",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny quick run: 5 participants, 3 s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary Janus configuration")
    args = parser.parse_args(argv)
    if args.smoke:
        args.participants, args.seconds, args.warmup = 5, 3.0, 2.0
    if args.participants < 2:
        parser.error("--participants must be 2 or more: one holds the floor, the others listen.")
    if args.seconds < 2 * PERIOD or args.warmup < 0:
        parser.error(f"--seconds must be at least {2 * PERIOD:g} (a burst every {PERIOD:g} s); --warmup >= 0.")
    if args.bitrate is not None and not 500 <= args.bitrate <= 512000:
        parser.error("--bitrate must be from 500 to 512000 bits/s (Opus' range).")
    if args.processes is None:
        args.processes = math.ceil(args.participants / PER_PROCESS)
    args.processes = max(1, min(args.processes, args.participants))
    return run_and_report("audio", args, argv, run, print_table)


def _cpu(pid: int) -> float:
    """utime + stime of a process and all its threads, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of a process (``/proc/PID/task/TID/stat``), keyed "TID name"."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[f"{task.name} {name}"] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def thread_kind(name: str) -> str:
    """What a Janus 1.1 thread does, from its name (``comm``, at most 15 characters):

    - ``mixer ROOM``: the room's mixer (one a room): sums every unmuted participant's decoded audio each 20 ms;
    - ``mixer ROOM ID``: a participant's own thread: takes the mix minus its own voice and Opus-encodes it;
    - ``rtp ROOM ID``: a plain RTP participant's receive thread (its packets are decoded there);
    - ``hloop ...``: a handle's event loop (one a handle; for a browser this is where ICE, DTLS, SRTP and the
      Opus decode of what it sends happen);
    - ``MHD-...``, ``http timer``: the HTTP API; the rest (``janus``, ``log``, ``SCTP ...``, ``pool-janus``): core."""
    words = name.split()
    if words and words[0] == "mixer":
        return "participant encoders" if len(words) >= 3 else "room mixer"
    if words and words[0] == "rtp":
        return "rtp receivers"
    if words and words[0] == "hloop":
        return "handle loops"
    if name.startswith("MHD") or name == "http timer":
        return "http api"
    return "core"


def thread_breakdown(used: dict[str, float], elapsed: float) -> dict[str, dict[str, float]]:
    """CPU of each kind of Janus thread (``thread_kind``) over a window: {kind: {threads, cpu_percent}}."""
    kinds: dict[str, dict[str, float]] = {}
    for key, seconds in used.items():
        kind = kinds.setdefault(thread_kind(key.split(" ", 1)[1]), {"threads": 0, "cpu_percent": 0.0})
        kind["threads"] += 1
        kind["cpu_percent"] += 100 * seconds / elapsed
    return {
        kind: {"threads": int(kind_["threads"]), "cpu_percent": round(kind_["cpu_percent"], 1)}
        for kind, kind_ in sorted(kinds.items(), key=lambda item: -item[1]["cpu_percent"])
    }


def _rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every core together, from /proc/stat."""
    numbers = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = numbers[3] + numbers[4]
    return float(sum(numbers) - idle), float(sum(numbers))


def _others(ours_s: float, before: tuple[float, float], after: tuple[float, float]) -> float:
    """What the rest of the machine used between two /proc/stat readings, in % of one core."""
    busy, total = after[0] - before[0], after[1] - before[1]
    if not total:
        return 0.0
    cores = os.cpu_count() or 1
    return round(max(0.0, 100 * busy / total * cores - 100 * ours_s / (total / TICK / cores)), 1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_settings(participants: int) -> JanusSettings:
    """stayhere's defaults but free loopback ports, and a phone port range with room for every participant."""
    size = max(200, 3 * participants)
    base = 20000 + size * secrets.randbelow(max(1, 12000 // size))  # below the ephemeral ports (32768-)
    return JanusSettings(
        http_port=_free_port(),
        admin_port=_free_port(),
        rtp_ports=PortRange(base + size, base + size + 99),
        phone_rtp_ports=PortRange(base, base + size - 1),
    )


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if sys.platform != "linux":
        raise SystemExit("bench.audio reads /proc: run it on Linux.")
    load_before = [round(value, 2) for value in os.getloadavg()]
    janus = start_janus(bench_settings(args.participants), directory=work / "janus")
    if janus is None:
        raise SystemExit("Janus is not installed (no `janus` on the PATH): apt-get install janus, then rerun.")
    try:
        results = asyncio.run(measure(args, janus))
    finally:
        janus.stop()
    results["load_before"] = load_before
    results["load_after"] = [round(value, 2) for value in os.getloadavg()]
    results["machine"] = machine()
    return results


async def _spawn(count: int, floor: bool, codec: str) -> asyncio.subprocess.Process:
    command = [sys.executable, "-m", "bench.audio_clients", str(count), "--codec", codec]
    command += ["--floor"] if floor else []
    return await asyncio.create_subprocess_exec(
        *command, cwd=REPO, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26
    )


async def _line(process: asyncio.subprocess.Process, timeout: float) -> dict[str, Any]:
    assert process.stdout is not None
    raw = await asyncio.wait_for(process.stdout.readline(), timeout)
    if not raw:
        raise RuntimeError(f"A client process (pid {process.pid}) ended early, exit code {await process.wait()}.")
    answer: dict[str, Any] = json.loads(raw)
    return answer


async def measure(args: argparse.Namespace, janus: EmbeddedJanus) -> dict[str, Any]:
    assert janus.process is not None
    pid = janus.process.pid
    info = await request_json("POST", janus.http_url, {"janus": "info", "transaction": "bench"}, 5.0)
    version = info.get("version_string") if isinstance(info, dict) else None
    results: dict[str, Any] = {
        "participants_asked": args.participants,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "processes": args.processes,
        "janus_version": version,
        "codec": args.codec,
        "room_sampling_rate": args.sampling_rate,
        "opus_quality": args.quality,
        "opus_bitrate": args.bitrate,
        "burst_period_s": PERIOD,
        "burst_s": BURST,
    }

    # Janus alone, before the room: its idle CPU, the floor under every figure.
    before, started = _cpu(pid), time.monotonic()
    await asyncio.sleep(2.0)
    results["janus_idle_cpu_percent"] = round(100 * (_cpu(pid) - before) / (time.monotonic() - started), 2)
    results["janus_idle_rss_mib"] = _rss_mib(pid)

    floor = AudioFloor(janus.admin())
    await floor.open(ROOM, AudioProfile(args.sampling_rate, args.quality, args.bitrate))
    session = await janus.new_session()  # one session for every RTP participant, as a phone bridge would use
    shares = [
        args.participants // args.processes + (i < args.participants % args.processes) for i in range(args.processes)
    ]
    clients = [await _spawn(count, index == 0, args.codec) for index, count in enumerate(shares)]
    try:
        addresses = [(await _line(client, 30.0))["addresses"] for client in clients]
        seats = [f"s{p}-{i}" for p, share in enumerate(addresses) for i in range(len(share))]
        flat = [tuple(address) for share in addresses for address in share]
        remotes: dict[str, tuple[str, int]] = {}
        limit = asyncio.Semaphore(JOIN_CONCURRENCY)

        async def join(seat: str, address: tuple[str, int]) -> None:
            async with limit:
                handle = await session.attach()
                rtp = RtpJoin(address[0], int(address[1]), codec=args.codec, payload_type=CODECS[args.codec])
                joined = await floor.join_seat(session, handle, ROOM, seat, rtp=rtp)
                if joined.rtp is None:
                    raise RuntimeError("Janus answered an RTP join without the address to send audio to.")
                remotes[seat] = (str(joined.rtp["ip"]), int(joined.rtp["port"]))

        join_started = time.monotonic()
        await asyncio.gather(*(join(seat, address) for seat, address in zip(seats, flat, strict=True)))
        results["join_s"] = round(time.monotonic() - join_started, 2)
        holder = seats[0]
        await floor.set_floor(ROOM, holder)  # what the share queue does when a share is accepted
        listed = await floor.admin.list_participants(floor.rooms[ROOM].audio)
        holder_id = floor.rooms[ROOM].seats[holder]
        results["participants"] = len(listed)
        results["unmuted"] = sum(1 for p in listed if not p.get("muted"))
        results["floor_holder_unmuted"] = any(p.get("id") == holder_id and not p.get("muted") for p in listed)

        t0 = time.monotonic() + 0.5
        t_measure = t0 + PERIOD * math.ceil(args.warmup / PERIOD)
        t_end = t_measure + PERIOD * math.ceil(args.seconds / PERIOD)
        drain = 1.0
        index = 0
        for client, share in zip(clients, addresses, strict=True):
            plan = {
                "remotes": [remotes[seat] for seat in seats[index : index + len(share)]],
                "t0": t0,
                "t_measure": t_measure,
                "t_end": t_end,
                "drain": drain,
                "period": PERIOD,
                "burst": BURST,
            }
            index += len(share)
            assert client.stdin is not None
            client.stdin.write((json.dumps(plan) + "\n").encode())
            await client.stdin.drain()

        await asyncio.sleep(max(0.0, t_measure - time.monotonic()))
        pids = [client.pid for client in clients]
        cpu_before, clients_before, machine_before = _cpu(pid), sum(_cpu(p) for p in pids), _machine_busy()
        threads_before = _threads(pid)
        clients_each = [_cpu(p) for p in pids]
        started = time.monotonic()
        rss_max = 0.0
        while time.monotonic() < t_end:
            rss_max = max(rss_max, _rss_mib(pid))
            await asyncio.sleep(min(1.0, max(0.0, t_end - time.monotonic())))
        elapsed = time.monotonic() - started
        janus_s, clients_s = _cpu(pid) - cpu_before, sum(_cpu(p) for p in pids) - clients_before
        threads = {name: used - threads_before.get(name, 0.0) for name, used in _threads(pid).items()}
        busiest = sorted(threads.items(), key=lambda item: -item[1])[:3]
        # The AudioBridge mixes a room in one thread: a room's ceiling is that thread at one full core.
        results["janus_busiest_threads"] = [
            {"thread": name.split(" ", 1)[1], "cpu_percent": round(100 * used / elapsed, 1)} for name, used in busiest
        ]
        results["janus_threads"] = thread_breakdown(threads, elapsed)
        results["clients_cpu_percent_each"] = [
            round(100 * (_cpu(p) - before_p) / elapsed, 1) for p, before_p in zip(pids, clients_each, strict=True)
        ]
        machine_after = _machine_busy()
        rss = _rss_mib(pid)
        results["janus_cpu_percent"] = round(100 * janus_s / elapsed, 1)
        results["janus_cpu_percent_per_participant"] = round(100 * janus_s / elapsed / len(listed), 3)
        results["janus_rss_mib"] = rss
        results["janus_rss_max_mib"] = max(rss_max, rss)
        results["janus_rss_per_participant_kib"] = round(
            1024 * (rss - results["janus_idle_rss_mib"]) / max(1, len(listed)), 1
        )
        results["clients_cpu_percent"] = round(100 * clients_s / elapsed, 1)
        results["others_cpu_percent"] = _others(janus_s + clients_s, machine_before, machine_after)
        results["measured_s"] = round(elapsed, 2)

        reports = [await _line(client, t_end - time.monotonic() + drain + 30.0) for client in clients]
        results.update(judge(reports, t_end - t_measure))
        audio = floor.rooms[ROOM].audio
        await floor.close(ROOM)  # the meeting ends: the room is destroyed
        results["room_destroyed"] = not await floor.admin.exists(audio.room)
        for client in clients:
            assert client.stdin is not None
            client.stdin.close()
            await asyncio.wait_for(client.wait(), 10.0)
    finally:
        for client in clients:
            if client.returncode is None:
                client.kill()
                await client.wait()
        await session.destroy()
    return results


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def judge(reports: list[dict[str, Any]], window: float) -> dict[str, Any]:
    """Delays, who received and who heard the floor, and energy where there should be none."""
    bursts = reports[0]["bursts"]  # the floor holder is the first participant of the first process
    peers = [peer for report in reports for peer in report["peers"]]
    delays: list[float] = []
    leaked = heard_floor = 0
    for number, peer in enumerate(peers):
        loud = sorted(peer["loud"])
        if number == 0:  # the floor holder: everyone else is muted, so it must hear nothing
            leaked += len(loud)
            continue
        heard = False
        for arrival in loud:
            starts = [b for b in bursts if b <= arrival < b + BURST + HEARD_WITHIN]
            if not starts:
                leaked += 1
        for burst in bursts:
            first = next((a for a in loud if burst <= a < burst + HEARD_WITHIN), None)
            if first is not None:
                delays.append(1000 * (first - burst))
                heard = True
        heard_floor += heard
    listeners = len(peers) - 1
    p50 = _percentile(delays, 0.50)
    return {
        "receiving": sum(1 for peer in peers if peer["packets"] > 0),
        "heard_floor": heard_floor,
        "listeners": listeners,
        "bursts": len(bursts),
        "bursts_heard_share": round(len(delays) / (len(bursts) * listeners), 4) if bursts and listeners else 0.0,
        "packets_per_participant_per_s": round(statistics.mean(peer["packets"] for peer in peers) / window, 1),
        "leaked_packets": leaked,
        "client_late_ticks": sum(report["late_ticks"] for report in reports),
        "mix_delay_ms": round(p50, 1) if p50 is not None else None,
        "mix_delay_p50_ms": round(p50, 1) if p50 is not None else None,
        "mix_delay_p95_ms": round(_percentile(delays, 0.95) or 0.0, 1) if delays else None,
        "mix_delay_max_ms": round(max(delays), 1) if delays else None,
        "mix_delay_min_ms": round(min(delays), 1) if delays else None,
        "mix_delay_samples": len(delays),
    }


def print_table(results: dict[str, Any]) -> None:
    rows = [
        ("participants joined / asked", f"{results.get('participants')} / {results.get('participants_asked')}", ""),
        ("unmuted (the floor holder)", results.get("unmuted"), "(1 expected)"),
        ("receiving audio", results.get("receiving"), "participants"),
        ("heard the floor holder", f"{results.get('heard_floor')} / {results.get('listeners')}", "listeners"),
        ("bursts heard", results.get("bursts_heard_share"), f"of {results.get('bursts')} bursts x listeners"),
        ("energy outside a burst", results.get("leaked_packets"), "packets (0 expected)"),
        ("Janus CPU", results.get("janus_cpu_percent"), f"% of one core (target < {TARGET_CPU_PERCENT:g})"),
        ("Janus CPU per participant", results.get("janus_cpu_percent_per_participant"), "% of one core"),
        (
            "Janus busiest threads",
            ", ".join(f"{t['thread']} {t['cpu_percent']}" for t in results.get("janus_busiest_threads", [])),
            "% of one core",
        ),
        (
            "Janus CPU by kind of thread",
            ", ".join(
                f"{kind} ({t['threads']}) {t['cpu_percent']}" for kind, t in results.get("janus_threads", {}).items()
            ),
            "% of one core",
        ),
        ("room mixing rate", results.get("room_sampling_rate"), "Hz"),
        ("Janus CPU idle, before the room", results.get("janus_idle_cpu_percent"), "% of one core"),
        ("Janus RSS (max)", f"{results.get('janus_rss_mib')} ({results.get('janus_rss_max_mib')})", "MiB"),
        ("Janus RSS per participant", results.get("janus_rss_per_participant_kib"), "KiB"),
        (
            "mix delay p50/p95/max",
            " / ".join(str(results.get(f"mix_delay_{k}_ms")) for k in ("p50", "p95", "max")),
            f"ms ({results.get('mix_delay_samples')} samples)",
        ),
        ("client processes CPU", results.get("clients_cpu_percent"), f"% of one core ({results.get('processes')})"),
        ("rest of the machine CPU", results.get("others_cpu_percent"), "% of one core"),
        ("load average before / after", f"{results.get('load_before')} / {results.get('load_after')}", ""),
        ("Janus", results.get("janus_version"), ""),
    ]
    for label, value, unit in rows:
        print(f"{label:<32} {value!s:>28}  {unit}")


if __name__ == "__main__":
    raise SystemExit(main())
