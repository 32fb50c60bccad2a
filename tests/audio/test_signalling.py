"""The session API a browser's signalling is relayed through: offer in, answer out, candidates, keepalive, leave."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from stayhere.audio.floor import AudioFloor
from stayhere.audio.janus import JanusError, JanusSession
from stayhere.audio.process import EmbeddedJanus

BROWSER = "127.0.0.79"  # the address in the candidate the "browser" trickles: must not reach Janus' output


def browser_offer() -> dict[str, str]:
    """An audio-only offer shaped like a browser's (Janus answers it; no media flows in this test)."""
    fingerprint = ":".join(f"{b:02X}" for b in secrets.token_bytes(32))
    sdp = "\r\n".join(
        [
            "v=0",
            f"o=- {secrets.randbelow(10**15)} 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=msid-semantic: WMS",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            f"a=ice-ufrag:{secrets.token_hex(4)}",
            f"a=ice-pwd:{secrets.token_hex(12)}",
            "a=ice-options:trickle",
            f"a=fingerprint:sha-256 {fingerprint}",
            "a=setup:actpass",
            "a=mid:0",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:4242 cname:stayhere-test",
            "",
        ]
    )
    return {"type": "offer", "sdp": sdp}


def test_a_browser_offer_gets_an_answer_and_candidates_are_accepted(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        floor = AudioFloor(janus.admin())
        await floor.open("room-s")
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        try:
            handle = await session.attach()
            joined = await floor.join_seat(session, handle, "room-s", "seat-1", offer=browser_offer())
            assert joined.answer is not None and joined.answer["type"] == "answer"
            assert "m=audio" in joined.answer["sdp"] and "a=fingerprint:sha-256" in joined.answer["sdp"]
            candidate = f"candidate:1 1 udp 2122260223 {BROWSER} 50000 typ host"
            await session.trickle(handle, {"candidate": candidate, "sdpMid": "0", "sdpMLineIndex": 0})
            await session.trickle(handle, None)
            await session.keepalive()
            await session.configure(handle, muted=True)  # muting oneself is always allowed
            listed = await floor.admin.list_participants(floor.rooms["room-s"].audio)
            assert [(p["id"], p["muted"]) for p in listed] == [(joined.participant, True)]
            await session.leave(handle)
            await session.detach(handle)
        finally:
            await floor.close("room-s")
            await session.destroy()
        with pytest.raises(JanusError, match="session is closed"):
            await session.keepalive()

    asyncio.run(scenario())
    assert BROWSER not in "\n".join(janus.output)
    assert janus.addresses_blanked == 0


def test_a_join_needs_exactly_one_of_offer_or_rtp(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        floor = AudioFloor(janus.admin())
        audio = await floor.open("room-t")
        try:
            handle = await session.attach()
            with pytest.raises(ValueError, match="exactly one of offer"):
                await session.join(handle, audio)
            with pytest.raises(ValueError, match="jsep object"):
                await session.join(handle, audio, offer={"type": "answer", "sdp": "v=0"})
            with pytest.raises(ValueError, match="'candidate' string"):
                await session.trickle(handle, {"sdpMid": "0"})
        finally:
            await floor.close("room-t")
            await session.destroy()

    asyncio.run(scenario())
