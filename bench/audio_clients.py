"""The simulated phones of ``bench.audio``: one process holding many plain RTP participants.

    python -m bench.audio_clients COUNT [--floor] [--codec pcmu|opus]   (started by bench.audio; JSON lines)

It opens COUNT UDP sockets (``stayhere.audio.rtp.RtpPeer``) on 127.0.0.1 and prints their addresses as one
JSON line. bench.audio joins them to the AudioBridge room and answers with one line: where Janus wants each
participant's audio (``remotes``) and the schedule (``t0``, ``t_measure``, ``t_end``, ``drain``, ``period``,
``burst``; times on ``time.monotonic()``, which is CLOCK_MONOTONIC and so the same clock in every process).

From ``t0`` every participant sends one 20 ms mu-law frame every 20 ms until ``t_end``. With ``--floor`` the
first participant is the floor holder: silence, then a 400 Hz tone burst of ``burst`` seconds at the start
of every ``period``; it records when it sent each burst's first tone frame. The others (muted by the floor)
stream a 1000 Hz tone all the time, so a mute that did not hold would show as energy in the mix.

With ``--codec opus`` the same streams are Opus (as browsers send; 16 kHz, 20 ms, RTP payload type 111),
encoded once before the run, and each participant decodes what Janus mixes for it to find the energy.

Every participant keeps the number of packets that arrive between ``t_measure`` and ``t_end``, and the
arrival time of each packet with energy in it from ``t_measure`` to ``t_end + drain``. The process then
prints one JSON line with all of it, and closes its sockets and exits when stdin ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import sys
import time
from typing import Any

from bench.opus import Decoder, encode_tone
from stayhere.audio.rtp import FRAME, MULAW_TO_LINEAR, PCMU, RATE, RtpPeer, tone

TICK = FRAME / RATE  # 20 ms
# A packet "has energy" when its loudest sample reaches this (linear, full scale 32767): the bursts and the
# muted participants' tone are about 16,000; Janus' mix of nothing is mu-law zero.
LOUD = 2048
# mu-law byte -> its magnitude / 128, so the loudest sample of a payload is one C-level translate and max.
LEVEL = bytes(min(255, abs(sample) >> 7) for sample in MULAW_TO_LINEAR)
LOUD_LEVEL = LOUD >> 7
SILENCE = b"\xff" * FRAME  # mu-law zero
BURST_TONE = tone(400, 1)[0]  # 400 Hz: 20 samples a period, so one frame repeats without a seam
MUTED_TONE = tone(1000, 1)[0]  # 1000 Hz: 8 samples a period
OPUS = 111
OPUS_TICK_SAMPLES = 960  # 20 ms on Opus' 48 kHz RTP clock


class Listener(RtpPeer):
    """An RtpPeer that keeps only counts and the arrival times of packets with energy (cheap at 100 peers)."""

    measure_from: float = float("inf")
    measure_until: float = float("inf")  # packets are counted until here; energy is kept through the drain
    packets: int = 0
    loud: list[float]
    payload_type: int = PCMU
    decoder: Decoder | None = None  # Opus: each listener decodes its own mix

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        now = time.monotonic()
        if now < self.measure_from or len(data) < 12 or data[0] >> 6 != 2 or data[1] & 0x7F != self.payload_type:
            return
        start = 12 + 4 * (data[0] & 0x0F)
        if data[0] & 0x10 and len(data) >= start + 4:  # header extension
            start += 4 + 4 * int.from_bytes(data[start + 2 : start + 4], "big")
        payload = data[start:]
        if now < self.measure_until:
            self.packets += 1
        if self.decoder is not None:
            if payload and self.decoder.loudest(payload) >= LOUD:
                self.loud.append(now)
        elif payload and max(payload.translate(LEVEL)) >= LOUD_LEVEL:
            self.loud.append(now)

    def send_opus(self, payload: bytes) -> None:
        assert self.transport is not None and self.remote is not None
        header = struct.pack("!BBHII", 0x80, OPUS, self.sequence & 0xFFFF, self.timestamp & 0xFFFFFFFF, self.ssrc)
        self.transport.sendto(header + payload, self.remote)
        self.sequence += 1
        self.timestamp += OPUS_TICK_SAMPLES


async def open_listener() -> Listener:
    peer = Listener()
    peer.loud = []
    await asyncio.get_running_loop().create_datagram_endpoint(lambda: peer, local_addr=("127.0.0.1", 0))
    return peer


async def run(count: int, floor: bool, codec: str = "pcmu") -> None:
    peers = [await open_listener() for _ in range(count)]
    opus = codec == "opus"
    if opus:
        for peer in peers:
            peer.payload_type, peer.decoder = OPUS, Decoder()
    print(json.dumps({"addresses": [peer.address for peer in peers]}), flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    plan: dict[str, Any] = json.loads(line)
    for peer, remote in zip(peers, plan["remotes"], strict=True):
        peer.remote = (str(remote[0]), int(remote[1]))
        peer.measure_from = float(plan["t_measure"])
        peer.measure_until = float(plan["t_end"])
    t0, t_measure, t_end = (float(plan[k]) for k in ("t0", "t_measure", "t_end"))
    period, burst = float(plan["period"]), float(plan["burst"])
    period_ticks, burst_ticks = round(period / TICK), max(1, round(burst / TICK))
    holder = peers[0] if floor else None
    if opus:  # one period of the holder's stream, and a second of the others' tone, each encoded as one stream
        held = encode_tone(400, burst_ticks) + encode_tone(None, period_ticks - burst_ticks)
        muted = encode_tone(1000, 50)
    bursts: list[float] = []
    late_ticks = 0
    n = 0
    while True:
        due = t0 + n * TICK
        if due >= t_end:
            break
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -TICK:
            late_ticks += 1
        phase = n % period_ticks
        for peer in peers:
            if peer is holder:
                if phase == 0 and due >= t_measure:  # by the tick's due time: a timer may wake a little early
                    bursts.append(time.monotonic())
                if opus:
                    peer.send_opus(held[phase])
                else:
                    peer.send_frame(BURST_TONE if phase < burst_ticks else SILENCE)
            elif opus:
                peer.send_opus(muted[n % len(muted)])
            else:
                peer.send_frame(MUTED_TONE)
        n += 1
    await asyncio.sleep(float(plan["drain"]))
    result = {
        "bursts": bursts,
        "late_ticks": late_ticks,
        "ticks": n,
        "peers": [{"packets": peer.packets, "loud": peer.loud} for peer in peers],
    }
    print(json.dumps(result), flush=True)
    # The sockets stay open until bench.audio has destroyed the room (it then closes stdin), so Janus never
    # sends to a closed port.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for peer in peers:
        peer.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audio_clients")
    parser.add_argument("count", type=int)
    parser.add_argument("--floor", action="store_true", help="the first participant holds the floor")
    parser.add_argument("--codec", choices=("pcmu", "opus"), default="pcmu")
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.run(run(args.count, args.floor, args.codec))
    except ImportError:
        asyncio.run(run(args.count, args.floor, args.codec))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
