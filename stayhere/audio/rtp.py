"""A plain RTP participant in pure Python (asyncio UDP, G.711 mu-law): the phone side of an audio room.

Tests and the benchmark join AudioBridge rooms with it (``rtp`` in the join), stream a generated tone and
measure the energy of the mix Janus sends back. A SIP front end for phones would do the same per call.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import cast

RATE = 8000
FRAME = 160  # 20 ms at 8 kHz
PCMU = 0
_BIAS = 0x84
_CLIP = 32635


def mulaw_encode(sample: int) -> int:
    """One 16-bit linear sample to its G.711 mu-law byte."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(-sample if sample < 0 else sample, _CLIP) + _BIAS
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _decode(byte: int) -> int:
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + _BIAS) << ((byte >> 4) & 0x07)
    return _BIAS - magnitude if byte & 0x80 else magnitude - _BIAS


MULAW_TO_LINEAR = tuple(_decode(b) for b in range(256))


def mulaw_decode(payload: bytes) -> list[int]:
    return [MULAW_TO_LINEAR[b] for b in payload]


def tone(frequency: float, frames: int, amplitude: float = 0.5, start: int = 0) -> list[bytes]:
    """``frames`` 20 ms mu-law frames of a sine tone (amplitude 1.0 is full scale)."""
    out = []
    for n in range(frames):
        base = start + n * FRAME
        out.append(
            bytes(
                mulaw_encode(int(amplitude * 32000 * math.sin(2 * math.pi * frequency * (base + i) / RATE)))
                for i in range(FRAME)
            )
        )
    return out


def rms(samples: list[int]) -> float:
    """Root mean square of linear samples: 0 for silence, about 11300 for a half-scale sine."""
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def tone_power(samples: list[int], frequency: float) -> float:
    """The amplitude of one frequency in the samples (Goertzel), on the same scale as ``rms``."""
    if not samples:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * frequency / RATE)
    s1 = s2 = 0.0
    for sample in samples:
        s1, s2 = sample + coeff * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return math.sqrt(max(power, 0.0)) * math.sqrt(2) / len(samples)


@dataclass
class Received:
    payload: bytes
    arrived: float  # time.monotonic()
    sequence: int


@dataclass
class RtpPeer(asyncio.DatagramProtocol):
    """A UDP socket that sends mu-law RTP to Janus and keeps what Janus sends back."""

    ssrc: int = field(default_factory=lambda: secrets.randbits(32))
    received: list[Received] = field(default_factory=list)
    transport: asyncio.DatagramTransport | None = None
    remote: tuple[str, int] | None = None
    sequence: int = 0
    timestamp: int = 0

    @classmethod
    async def open(cls, host: str = "127.0.0.1") -> RtpPeer:
        peer = cls()
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: peer, local_addr=(host, 0))
        return peer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if len(data) < 12 or data[0] >> 6 != 2:
            return
        count = data[0] & 0x0F
        start = 12 + 4 * count
        if data[0] & 0x10 and len(data) >= start + 4:  # header extension (audio level)
            start += 4 + 4 * struct.unpack("!H", data[start + 2 : start + 4])[0]
        if data[1] & 0x7F == PCMU:
            sequence = struct.unpack("!H", data[2:4])[0]
            self.received.append(Received(data[start:], time.monotonic(), sequence))

    def send_frame(self, payload: bytes) -> None:
        if self.transport is None or self.remote is None:
            raise RuntimeError("The RTP peer has nowhere to send: set remote to the address Janus gave the join.")
        header = struct.pack("!BBHII", 0x80, PCMU, self.sequence & 0xFFFF, self.timestamp & 0xFFFFFFFF, self.ssrc)
        self.transport.sendto(header + payload, self.remote)
        self.sequence += 1
        self.timestamp += len(payload)

    async def play(self, frames: list[bytes]) -> None:
        """Sends the frames paced in real time, one every 20 ms."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, frame in enumerate(frames):
            self.send_frame(frame)
            delay = start + (index + 1) * FRAME / RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)

    def samples_since(self, moment: float) -> list[int]:
        """The linear samples of everything that arrived after ``moment`` (time.monotonic())."""
        out: list[int] = []
        for item in self.received:
            if item.arrived >= moment:
                out.extend(mulaw_decode(item.payload))
        return out

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
