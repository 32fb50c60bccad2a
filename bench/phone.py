"""The telephone edge under load: N concurrent calls into one meeting through Kamailio, rtpengine and Janus.

    python -m bench.phone --callers 50 --json PATH          (docs/BENCHMARKS.md, Phone edge)
    python -m bench.phone --smoke --json PATH               (3 callers, 5 s: does it work at all)

Runs a real ``stayhere serve`` with the phone edge on (STAYHERE_PHONE=1: its own Janus, Kamailio and rtpengine,
SQLite in a temporary data directory) and a meeting with a room and a phone code. The chair joins over the
room's WebSocket. The callers are SIP user agents in this process (a minimal UAC over loopback UDP: INVITE, ACK,
BYE; G.711 mu-law; RFC 4733 keypad events): each dials, keys the code and ``#``, and is seated. 50 baresip
processes would cost this 2-core machine more than the engines measured; the end-to-end tests use baresip.

The first caller raises its hand (``*9``), is called on by the chair and accepts (``1``): it holds the floor and
sends silence with a 200 ms 400 Hz burst every second; everyone else sends a 1000 Hz tone (muted by the floor).
Over ``--seconds`` after a warm-up:

- ``kamailio_cpu_percent``, ``rtpengine_cpu_percent``, ``janus_cpu_percent``: utime + stime of each engine's
  processes (Kamailio's every child) from /proc, in % of ONE core;
- ``*_rss_mib``: their resident memory at the end (Kamailio: every process summed, shared memory counted in
  each, so an upper bound);
- ``mouth_to_ear_ms``: from the floor holder sending a burst's first tone frame to another caller receiving
  the first packet with energy in it: caller -> rtpengine -> Janus (jitter buffer, mix) -> rtpengine ->
  caller (p50; p95 and max beside it);
- ``callers``, ``seated`` (the chair saw each join), ``leaked_packets`` (energy at a listener outside a burst:
  must be 0, else a muted caller was heard).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import struct
import sys
import time
from pathlib import Path
from typing import Any

from bench.directory import run_and_report
from stayhere.audio.rtp import FRAME, RATE, RtpPeer, mulaw_decode, rms, tone

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
PERIOD, BURST = 1.0, 0.2
LOUD = 1500.0
SEED = """
from tests.rooms.factories import make_room
from tests.directory.factories import make_meeting
from stayhere.directory.models import Attendance
from stayhere.phone.codes import code_for
meeting = make_meeting("Bench Phone Room", slug="bench-phone", attendance=Attendance.ONLINE, has_room=True)
room = make_room(meeting, waiting_room=False)
print("CHAIR-KEY", room.chair_key)
print("PHONE-CODE", code_for(meeting))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phone", description=__doc__.split("\n")[0])
    parser.add_argument("--callers", type=int, default=50, help="concurrent calls into one meeting (50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds streamed before measuring (5)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--smoke", action="store_true", help="a tiny quick run: 3 callers, 5 s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    if args.callers < 2:
        parser.error("--callers must be at least 2: one speaks, the others listen.")
    if args.smoke:
        args.callers, args.seconds, args.warmup = 3, 5.0, 2.0
    return run_and_report("phone", args, argv, run, print_table)


# -- the engines' processes ---------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, float]:
    """(name, parent pid, CPU seconds) of a process."""
    text = Path(f"/proc/{pid}/stat").read_text()
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _tree(root: int) -> dict[int, tuple[str, int, float]]:
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                table[int(entry.name)] = _stat(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, row in table.items():
            if row[1] == pid and child not in found:
                found[child] = row
                frontier.append(child)
    return found


def engines(server_pid: int) -> dict[str, list[int]]:
    """The serve process's engine processes by engine (Kamailio forks its workers)."""
    out: dict[str, list[int]] = {"kamailio": [], "rtpengine": [], "janus": []}
    for pid, (name, _parent, _cpu) in _tree(server_pid).items():
        for engine in out:
            if name.startswith(engine):
                out[engine].append(pid)
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += _stat(pid)[2]
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


# -- a minimal SIP caller (loopback only: the benchmark's, never stayhere's) --------------------------------


class Sip(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[str, asyncio.Queue[str]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        text = data.decode(errors="replace")
        found = re.search(r"^Call-ID:\s*(\S+)", text, re.M | re.I)
        if found is None:
            return
        if text.startswith("BYE "):  # the edge hangs up: answer it
            assert self.transport is not None
            head = text.split("\r\n\r\n", 1)[0].split("\r\n")
            keep = [h for h in head[1:] if h.split(":", 1)[0].lower() in ("via", "from", "to", "call-id", "cseq")]
            self.transport.sendto(
                ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n").encode(), addr
            )
        queue = self.waiting.get(found.group(1))
        if queue is not None:
            queue.put_nowait(text)


class Caller:
    def __init__(self, sip: Sip, local: tuple[str, int], edge: tuple[str, int], number: str, frequency: float) -> None:
        self.sip, self.local, self.edge, self.number, self.frequency = sip, local, edge, number, frequency
        self.call_id = secrets.token_hex(12) + "@bench"
        self.tag = secrets.token_hex(6)
        self.to = ""
        self.peer: RtpPeer | None = None
        self.answered = False
        self.keying = False  # the audio pauses while a key's events are sent, as a telephone's does
        self.bursts: list[float] = []  # the speaker's burst send times (time.monotonic())
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        sip.waiting[self.call_id] = self.inbox

    def _send(self, text: str) -> None:
        assert self.sip.transport is not None
        self.sip.transport.sendto(text.encode(), self.edge)

    def _headers(self, method: str, cseq: int, to: str, length: int = 0, sdp: bool = False) -> str:
        host, port = self.local
        return (
            f"{method} sip:stayhere@{self.edge[0]}:{self.edge[1]} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{secrets.token_hex(8)};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:{self.number}@{host}>;tag={self.tag}\r\n"
            f"To: {to}\r\n"
            f"Call-ID: {self.call_id}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Contact: <sip:{self.number}@{host}:{port}>\r\n"
            + ("Content-Type: application/sdp\r\n" if sdp else "")
            + f"Content-Length: {length}\r\n\r\n"
        )

    async def dial(self) -> None:
        self.peer = await RtpPeer.open("127.0.0.1")
        ip, port = self.peer.address
        sdp = (
            f"v=0\r\no=bench 1 1 IN IP4 {ip}\r\ns=bench\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
        )
        to = f"<sip:stayhere@{self.edge[0]}>"
        self._send(self._headers("INVITE", 1, to, len(sdp), sdp=True) + sdp)
        while True:
            reply = await asyncio.wait_for(self.inbox.get(), 15)
            status = reply.split(" ", 2)[1] if reply.startswith("SIP/2.0") else ""
            if status.startswith("1"):
                continue
            if status != "200":
                raise RuntimeError(f"the edge answered {status or reply[:40]}")
            break
        self.to = re.search(r"^To:\s*(.+?)\r?$", reply, re.M | re.I).group(1)  # type: ignore[union-attr]
        body = reply.split("\r\n\r\n", 1)[1]
        media_ip = re.search(r"^c=IN IP4 (\S+)", body, re.M).group(1)  # type: ignore[union-attr]
        media_port = int(re.search(r"^m=audio (\d+)", body, re.M).group(1))  # type: ignore[union-attr]
        self.peer.remote = (media_ip, media_port)
        self._send(self._headers("ACK", 1, self.to))
        self.answered = True

    async def key(self, keys: str) -> None:
        """RFC 4733 events on the media stream, 100 ms each, 150 ms apart."""
        assert self.peer is not None and self.peer.transport is not None
        self.keying = True
        await asyncio.sleep(0.03)
        for key in keys:
            event = "0123456789*#".index(key)
            stamp = self.peer.timestamp
            for n in range(6):
                end = n >= 3
                duration = min(n + 1, 4) * FRAME
                payload = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
                header = struct.pack(
                    "!BBHII", 0x80, (0x80 if n == 0 else 0) | 101, self.peer.sequence & 0xFFFF, stamp, self.peer.ssrc
                )
                self.peer.transport.sendto(header + payload, self.peer.remote)
                self.peer.sequence += 1
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.15)
        self.keying = False

    async def hang_up(self) -> None:
        if self.answered:
            self._send(self._headers("BYE", 2, self.to))
        if self.peer is not None:
            self.peer.close()


# -- the run ------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from tests.live_server import free_port, live_server  # the suite's way of running a real `stayhere serve`

    data, output = work / "data", work / "server.log"
    data.mkdir(mode=0o700)
    sip_port = free_port()
    size = max(400, 8 * args.callers)  # rtpengine takes 4 ports a call (RTP and RTCP on each side)
    base = 20000 + size * secrets.randbelow(max(1, 10000 // size))
    env = {
        "PYTHONPATH": str(REPO),
        "STAYHERE_LOG_LEVEL": "WARNING",
        "STAYHERE_PHONE": "1",
        "STAYHERE_PHONE_SIP_LISTEN": f"127.0.0.1:{sip_port}",
        "STAYHERE_PHONE_RTP_PORTS": f"{base}-{base + size - 1}",
        "STAYHERE_JANUS_HTTP_PORT": str(free_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_port()),
        "STAYHERE_JANUS_RTP_PORTS": f"{base + size}-{base + size + 99}",
        "STAYHERE_JANUS_PHONE_RTP_PORTS": f"{base + size + 100}-{base + 2 * size + 99}",
    }
    with live_server(data, output, setup=[["shell", "-c", SEED]], extra_env=env) as server:
        lines = server.log_text().splitlines()
        chair_key = next(line.split()[1] for line in lines if line.startswith("CHAIR-KEY"))
        code = next(line.split()[1] for line in lines if line.startswith("PHONE-CODE"))
        results = asyncio.run(measure(args, server.url, server.pid, chair_key, code, sip_port))
    results["server_errors"] = [line for line in output.read_text(errors="replace").splitlines() if " ERROR " in line][
        :10
    ]
    return results


async def measure(
    args: argparse.Namespace, url: str, pid: int, chair_key: str, code: str, sip_port: int
) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    host_port = url.removeprefix("http://")
    chair = await connect(
        f"ws://{host_port}/ws/rooms/bench-phone", origin=url, additional_headers={"Cookie": "stayhere_seat=bench-chair"}
    )  # type: ignore[arg-type]
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async for raw in chair:
            events.append(json.loads(raw))

    reader = asyncio.create_task(read())
    await chair.send(json.dumps({"type": "join", "name": "Chair", "chair_key": chair_key}))
    loop = asyncio.get_running_loop()
    sip = Sip()
    transport, _ = await loop.create_datagram_endpoint(lambda: sip, local_addr=("127.0.0.1", 0))
    local = transport.get_extra_info("sockname")[:2]
    callers = [
        Caller(sip, local, ("127.0.0.1", sip_port), f"1555{secrets.randbelow(10**7):07d}", 400.0 if i == 0 else 1000.0)
        for i in range(args.callers)
    ]
    started = time.monotonic()
    streams: list[asyncio.Task[None]] = []
    try:
        for caller in callers:  # a few calls a second, as a meeting's start brings them
            await caller.dial()
            streams.append(asyncio.create_task(stream(caller, caller is callers[0])))
            await asyncio.sleep(0.5)
            await caller.key(code + "#")
        seats = await wait_seated(events, args.callers, 30)
        setup_s = round(time.monotonic() - started, 1)
        speaker_seat = seats[0] if seats else None
        await callers[0].key("*9")
        await asyncio.sleep(1.0)
        await chair.send(json.dumps({"type": "call", "seat": speaker_seat} if speaker_seat else {"type": "call"}))
        await asyncio.sleep(1.0)
        await callers[0].key("1")
        await asyncio.sleep(args.warmup)
        tree = engines(pid)
        before = {name: cpu_seconds(pids) for name, pids in tree.items()}
        window_start = time.monotonic()
        await asyncio.sleep(args.seconds)
        window = time.monotonic() - window_start
        after = {name: cpu_seconds(pids) for name, pids in tree.items()}
        delays, leaked, heard = ear_figures(callers, window_start, window_start + window)
        figures: dict[str, Any] = {
            "callers": args.callers,
            "seated": len(seats),
            "setup_seconds": setup_s,
            "seconds": round(window, 1),
        }
        for name, pids in tree.items():
            figures[f"{name}_cpu_percent"] = round(100 * (after[name] - before[name]) / window, 1)
            figures[f"{name}_rss_mib"] = rss_mib(pids)
            figures[f"{name}_processes"] = len(pids)
        figures.update(
            mouth_to_ear_ms=_pct(delays, 0.5),
            mouth_to_ear_p95_ms=_pct(delays, 0.95),
            mouth_to_ear_max_ms=round(max(delays), 1) if delays else None,
            bursts_measured=len(delays),
            listeners_hearing=heard,
            leaked_packets=leaked,
            cores=os.cpu_count(),
        )
        return figures
    finally:
        for task in streams:
            task.cancel()
        for caller in callers:
            await caller.hang_up()
        await asyncio.sleep(0.5)
        reader.cancel()
        await chair.close()
        transport.close()


async def wait_seated(events: list[dict[str, Any]], count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        seats = [
            person["seat"]
            for e in events
            if e.get("type") == "people_changed"
            for person in e.get("joined", [])
            if str(person.get("name", "")).startswith("Phone caller")
        ]
        if len(seats) >= count or time.monotonic() > deadline:
            return seats
        await asyncio.sleep(0.2)


async def stream(caller: Caller, speaker: bool) -> None:
    """The speaker: silence and a 200 ms 400 Hz burst each second (the send times kept); others: 1000 Hz."""
    peer = caller.peer
    assert peer is not None
    silence = bytes([0xFF]) * FRAME
    tone_frames = tone(caller.frequency, int(PERIOD * RATE / FRAME))
    start = asyncio.get_running_loop().time()
    index = 0
    per_period = int(PERIOD * RATE / FRAME)
    burst_frames = int(BURST * RATE / FRAME)
    while True:
        position = index % per_period
        if speaker:
            if position == 0:
                caller.bursts.append(time.monotonic())
            frame = tone_frames[position] if position < burst_frames else silence
        else:
            frame = tone_frames[position]
        if caller.keying:
            peer.timestamp += FRAME  # time goes on, no audio while the keypad's events are sent
        else:
            peer.send_frame(frame)
        index += 1
        delay = start + index * FRAME / RATE - asyncio.get_running_loop().time()
        await asyncio.sleep(max(0.0, delay))


def ear_figures(callers: list[Caller], start: float, end: float) -> tuple[list[float], int, int]:
    bursts = [t for t in callers[0].bursts if start <= t <= end - PERIOD]
    delays: list[float] = []
    leaked = 0
    heard = 0
    for listener in callers[1:]:
        assert listener.peer is not None
        packets = [
            (r.arrived, rms(mulaw_decode(r.payload))) for r in listener.peer.received if start <= r.arrived <= end
        ]
        loud = [t for t, level in packets if level > LOUD]
        got = False
        for sent in bursts:
            first = next((t for t in loud if sent <= t < sent + PERIOD * 0.6), None)
            if first is not None:
                delays.append(1000 * (first - sent))
                got = True
        heard += got
        # Every burst sent (the window's last ones too, whose delay is not measured) explains its own energy.
        leaked += sum(1 for t in loud if not any(s <= t < s + PERIOD * 0.6 for s in callers[0].bursts))
    return delays, leaked, heard


def _pct(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def print_table(results: dict[str, Any]) -> None:
    keys = [
        "callers", "seated", "setup_seconds", "kamailio_cpu_percent", "rtpengine_cpu_percent", "janus_cpu_percent",
        "kamailio_rss_mib", "rtpengine_rss_mib", "janus_rss_mib", "mouth_to_ear_ms", "mouth_to_ear_p95_ms",
        "mouth_to_ear_max_ms", "listeners_hearing", "leaked_packets",
    ]  # fmt: skip
    for key in keys:
        print(f"{key:24} {results.get(key)}")


if __name__ == "__main__":
    sys.exit(main())
