"""What faces the network is Kamailio: malformed SIP and INVITE floods stop there and never reach stayhere."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Iterator

import pytest

from stayhere.audio.process import EmbeddedJanus
from stayhere.audio.relay import AudioRelay
from stayhere.rooms.adapters.phone_line import MAX_UNSEATED_FROM_ONE, PhoneLine
from stayhere.rooms.live.root import LiveRooms
from tests.audio.conftest import janus  # noqa: F401  (the module's Janus)
from tests.phone.conftest import Edge
from tests.phone.test_dial_in import find_line
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_consumer import run
from tests.rooms.test_phone import on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.janus, pytest.mark.phone]


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


@pytest.fixture
def relay(janus: EmbeddedJanus, fresh_rooms: LiveRooms) -> AudioRelay:  # noqa: F811
    made = AudioRelay(janus, fresh_rooms.hub)
    fresh_rooms.use_relay(made)
    return made


def invite(edge: Edge, source: tuple[str, int], *, cseq: str = "1 INVITE", length: int | None = None) -> bytes:
    host, port = source
    target = f"{edge.config.settings.sip_ip}:{edge.config.settings.sip_port}"
    sdp = f"v=0\r\no=x 1 1 IN IP4 {host}\r\ns=x\r\nc=IN IP4 {host}\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n"
    return (
        f"INVITE sip:stayhere@{target} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{secrets.token_hex(8)}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:15550107777@{host}>;tag={secrets.token_hex(4)}\r\n"
        f"To: <sip:stayhere@{target}>\r\n"
        f"Call-ID: {secrets.token_hex(10)}\r\n"
        f"CSeq: {cseq}\r\n"
        f"Contact: <sip:15550107777@{host}:{port}>\r\n"
        "Content-Type: application/sdp\r\n"
        f"Content-Length: {len(sdp) if length is None else length}\r\n\r\n{sdp}"
    ).encode()


def options(edge: Edge, source: tuple[str, int]) -> bytes:
    host, port = source
    target = f"{edge.config.settings.sip_ip}:{edge.config.settings.sip_port}"
    return (
        f"OPTIONS sip:stayhere@{target} SIP/2.0\r\nVia: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{secrets.token_hex(8)}"
        f"\r\nMax-Forwards: 70\r\nFrom: <sip:probe@{host}>;tag=1\r\nTo: <sip:stayhere@{target}>\r\n"
        f"Call-ID: {secrets.token_hex(8)}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def sender(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    sock.settimeout(2)
    return sock


def answers(sock: socket.socket, message: bytes, edge: Edge) -> str:
    sock.sendto(message, (edge.config.settings.sip_ip, edge.config.settings.sip_port))
    try:
        while True:
            reply = sock.recv(4000).decode(errors="replace")
            if not reply.startswith("SIP/2.0 100"):
                return reply.split("\r\n", 1)[0]
    except TimeoutError:
        return ""


def test_malformed_sip_is_refused_by_kamailio_and_never_reaches_stayhere(edge: Edge, relay: AudioRelay) -> None:
    async def scenario() -> None:
        line = PhoneLine(edge.config, lambda: on(relay), edge.prompts, find_line)
        await line.start()
        try:
            sock = sender("127.0.0.61")
            source = sock.getsockname()
            bad = [
                invite(edge, source, cseq="1 BYE"),  # the CSeq's method is not the request's
                invite(edge, source, cseq="x INVITE"),  # a CSeq number that is not one
                invite(edge, source, length=4000),  # a body shorter than its Content-Length
                b"INVITE sip:stayhere SIP/2.0\r\nVia: nonsense\r\n\r\n",  # no From, To, Call-ID, CSeq
                b"\x00\x01\x02 not SIP at all \xff",
                b"INVITE <script> SIP/9.9\r\n\r\n",
            ]
            replies = [await asyncio.to_thread(answers, sock, message, edge) for message in bad]
            assert line.started.empty(), f"a malformed message reached stayhere ({replies})"
            assert all(reply == "" or reply.split(" ")[1].startswith("4") for reply in replies), replies
            assert edge.engines.kamailio.running
            assert (await asyncio.to_thread(answers, sock, options(edge, source), edge)).startswith("SIP/2.0 200")
            sock.close()
        finally:
            await line.stop()

    run(scenario)


def test_an_invite_flood_from_one_address_is_cut_off_by_pike_and_others_still_get_through(
    edge: Edge, relay: AudioRelay
) -> None:
    async def scenario() -> None:
        line = PhoneLine(edge.config, lambda: on(relay), edge.prompts, find_line)
        await line.start()
        try:
            flood = sender("127.0.0.62")
            source = flood.getsockname()
            for _ in range(150):
                flood.sendto(invite(edge, source), (edge.config.settings.sip_ip, edge.config.settings.sip_port))
                await asyncio.sleep(0.005)
            await asyncio.sleep(2.0)
            reached = line.started.qsize()
            print("calls accepted from the flood:", reached, "of 150")
            # pike drops most; stayhere holds at most MAX_UNSEATED_FROM_ONE unseated calls from one address.
            assert 0 < reached <= 60, f"{reached} of 150 INVITEs from one address reached stayhere"
            assert len(line.calls) <= MAX_UNSEATED_FROM_ONE
            other = sender("127.0.0.63")
            reply = await asyncio.to_thread(answers, other, invite(edge, other.getsockname()), edge)
            assert reply.startswith("SIP/2.0 200"), "another caller is not blocked by the flood"
            flood.close()
            other.close()
        finally:
            await line.stop()

    run(scenario)
