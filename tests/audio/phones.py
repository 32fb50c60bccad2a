"""Plain RTP "phones" joined to an AudioBridge room, and a helper that has them all talk at once."""

from __future__ import annotations

import asyncio
import time

from stayhere.audio.janus import AudioRoom, JanusSession, RtpJoin
from stayhere.audio.rtp import RtpPeer, tone


class Phone:
    """A plain RTP participant: its own UDP socket and AudioBridge handle."""

    def __init__(self, peer: RtpPeer, handle: int, participant: int) -> None:
        self.peer, self.handle, self.participant = peer, handle, participant

    @classmethod
    async def join(cls, session: JanusSession, room: AudioRoom, ip: str, name: str, muted: bool) -> Phone:
        peer = await RtpPeer.open(ip)
        handle = await session.attach()
        joined = await session.join(handle, room, display=name, rtp=RtpJoin(*peer.address), muted=muted)
        assert joined.rtp is not None
        peer.remote = (joined.rtp["ip"], joined.rtp["port"])
        return cls(peer, handle, joined.participant)


async def talk(a: Phone, b: Phone, warmup_frames: int = 50, frames: int = 50) -> tuple[list[int], list[int]]:
    """A plays 440 Hz and B 1000 Hz; returns what each heard after the warm-up (jitter buffers filling)."""
    await asyncio.gather(a.peer.play(tone(440, warmup_frames)), b.peer.play(tone(1000, warmup_frames)))
    start = time.monotonic()
    await asyncio.gather(a.peer.play(tone(440, frames)), b.peer.play(tone(1000, frames)))
    await asyncio.sleep(0.2)
    return a.peer.samples_since(start), b.peer.samples_since(start)


async def chorus(phones: dict[float, Phone], warmup_frames: int = 50, frames: int = 50) -> dict[float, list[int]]:
    """Each phone plays its own frequency; returns what each heard after the warm-up, by its frequency."""
    await asyncio.gather(*(p.peer.play(tone(f, warmup_frames)) for f, p in phones.items()))
    start = time.monotonic()
    await asyncio.gather(*(p.peer.play(tone(f, frames)) for f, p in phones.items()))
    await asyncio.sleep(0.2)
    return {f: p.peer.samples_since(start) for f, p in phones.items()}
