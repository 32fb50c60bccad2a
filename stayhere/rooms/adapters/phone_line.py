"""The telephone edge's stayhere side: Kamailio's hooks, rtpengine's control and keypad events, one call each.

Kamailio (``stayhere.audio.sip``) answers a new INVITE only after asking ``/invite`` here: this module anchors
the call in rtpengine (``offer`` with the caller's SDP, ``answer`` for the meeting's side) and returns the SDP
Kamailio puts in its ``200 OK``. The call then hears the greeting, keys in the meeting's code and ``#`` (and the
passcode, if the meeting has one), and is seated through ``PhoneCall``: from there the keypad is the one
``PhoneCall.press`` knows and the room's prompts are played to the caller by rtpengine (``play media``). A BYE
from the caller comes in on ``/bye``; the call's end (the meeting ended, a host removed the caller, three wrong
codes) is a BYE sent by Kamailio (``tm.t_uac_dlg``).

The caller's number arrives in the INVITE hook and is only kept in this process's memory for the call (to hash
it for ``PhoneCall``, and in the From header a BYE must name): it is never stored, logged or sent elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from stayhere.audio.janus import RtpJoin
from stayhere.audio.kamailio_rpc import RpcError, send_bye
from stayhere.audio.rtpengine import NgClient, NgError
from stayhere.audio.sip import EdgeConfig
from stayhere.rooms.adapters.phone import PROMPTS, PhoneCall, PhoneRefused
from stayhere.rooms.live.root import LiveRooms

log = logging.getLogger("stayhere.rooms")

ATTEMPTS = 3  # wrong codes (or passcodes) before the call is ended, politely
KEY_TIMEOUT = 15.0  # seconds of silence on the keypad before a half-keyed code counts as a wrong one
STAR_TIMEOUT = 3.0  # seconds for the second key of a star command (*9, *6)
EVENT_KEYS = "0123456789*#"  # RFC 4733 events 0-11
# Calls still keying their code, at most, from one address and in all: what an INVITE flood that got past pike
# (or came through the trunk) can hold at once; beyond it new calls are answered 486 Busy Here, and calls
# already seated are untouched. A provider sends every caller from its few addresses, so the one-address
# limit is still room for a meeting's worth of people dialling in at the same minute.
MAX_UNSEATED_FROM_ONE = 25
MAX_UNSEATED = 60

# The edge's own prompts (the room's are PhoneCall's PROMPTS). English and Spanish, rendered at start-up.
LINE_PROMPTS = {
    "greeting": _("Welcome. Please enter your meeting code, then press pound."),
    "code_again": _("That code did not open a meeting. Please enter the meeting code again, then press pound."),
    "passcode": _("This meeting has a passcode. Please enter it, then press pound."),
    "passcode_again": _("That passcode was not right. Please enter it again, then press pound."),
    "goodbye_codes": _("Sorry, that did not work three times. Please check the code with your group and call again."),
    "closed": _("This meeting is not open now. Please call again at its time. Goodbye."),
    "locked": _("This meeting is locked by its hosts. Goodbye."),
    "no_line": _("This meeting cannot take phone calls right now. Goodbye."),
    "not_you": _("You cannot join this meeting. Goodbye."),
}
GREETING_LANGUAGES = ("en", "es")  # before the meeting is known, both; after, the meeting's language
REFUSAL_PROMPTS = {"closed": "closed", "locked": "locked", "removed": "not_you", "denied": "not_you"}


def all_prompts() -> dict[str, Any]:
    return {**PROMPTS, **LINE_PROMPTS}


@dataclass(frozen=True)
class Line:
    slug: str
    language: str


FindLine = Callable[[str], Awaitable[Line | None]]


def b_side_sdp(ip: str, port: int, version: int) -> str:
    """The meeting's side of the call, as rtpengine is to see it: Janus' plain RTP port, G.711 mu-law."""
    return (
        "v=0\r\n"
        f"o=stayhere 1 {version} IN IP4 {ip}\r\n"
        "s=stayhere\r\n"
        f"c=IN IP4 {ip}\r\n"
        "t=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-15\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n"
    )


def media_address(sdp: str) -> tuple[str, int]:
    """The audio address of an SDP body (connection line and audio port)."""
    ip = re.search(r"^c=IN IP[46] (\S+)", sdp, re.M)
    port = re.search(r"^m=audio (\d+) ", sdp, re.M)
    if ip is None or port is None:
        raise ValueError("an SDP without an audio address")
    return ip.group(1), int(port.group(1))


class LineCall:
    """One telephone call, from the greeting to its BYE."""

    def __init__(self, line: PhoneLine, invite: dict[str, str]) -> None:
        self.line = line
        self.call_id = invite["call_id"]
        self.from_tag = invite["from_tag"]
        self.to_tag = invite["to_tag"]
        self._caller: str | None = invite.get("caller") or None  # memory only, until the call is seated
        self._dialog = {k: invite.get(k, "") for k in ("from", "to", "contact", "source")}  # for the BYE
        self.source = self._dialog["source"].removeprefix("sip:").rpartition(":")[0]  # memory only, for the limits
        self.keys: asyncio.Queue[str] = asyncio.Queue()
        self.phone: PhoneCall | None = None
        self.language = "en"
        self.b_address: tuple[str, int] = ("", 0)
        self.answered_remote: tuple[str, int] | None = None
        self.version = 1
        self.playing = False
        self.played: list[str] = []  # the prompts' names, in order (tests, the benchmark): never what was said
        self.done = asyncio.Event()
        self.outcome = ""  # seated, codes, refused:<code>, hung_up, ended (tests, the benchmark)
        self.task: asyncio.Task[None] | None = None

    # -- media ---------------------------------------------------------------------------------------------------

    async def anchor(self, sdp: str) -> str:
        """rtpengine's offer and answer; returns the SDP for the caller."""
        ng = self.line.ng
        offered = await ng.command(
            "offer",
            call_id=self.call_id,
            from_tag=self.from_tag,
            sdp=sdp,
            replace=["origin", "session-connection"],
            ICE="remove",
            transport_protocol="RTP/AVP",
            codec={"transcode": ["PCMU"]},
            **self.line.directions,
        )
        self.b_address = media_address(str(offered["sdp"]))
        # Until the call is seated, the meeting's side is a discard port: the caller hears only the prompts.
        answer = await self._answer(self.line.config.settings.janus_ip, 9)
        await ng.command("block DTMF", call_id=self.call_id, from_tag=self.from_tag)  # no key tones into the mix
        return answer

    async def _answer(self, ip: str, port: int) -> str:
        self.version += 1
        answered = await self.line.ng.command(
            "answer",
            call_id=self.call_id,
            from_tag=self.from_tag,
            to_tag=self.to_tag,
            sdp=b_side_sdp(ip, port, self.version),
            replace=["origin", "session-connection"],
            ICE="remove",
        )
        return str(answered["sdp"])

    async def follow_janus(self) -> None:
        """Points rtpengine at the caller's Janus port whenever the seat's audio joins (or joins again)."""
        while not self.done.is_set():
            remote = self.phone.remote if self.phone is not None else None
            if remote is not None and remote != self.answered_remote:
                await self._answer(*remote)
                self.answered_remote = remote
            await asyncio.sleep(0.2)

    async def say(self, name: str, language: str | None = None, wait: bool = True) -> None:
        """Plays one prompt to the caller (in ``language``, default the call's) and, if ``wait``, until its end."""
        path = self.line.prompts.get((name, language or self.language))
        if path is None or self.done.is_set():
            return
        try:
            played = await self.line.ng.command(
                "play media", call_id=self.call_id, from_tag=self.from_tag, file=str(path)
            )
        except NgError as failure:
            log.warning("A phone prompt could not be played: %s", failure)
            return
        self.played.append(name)
        self.playing = True
        try:
            if wait:
                duration = int(played.get("duration", 0)) / 1000
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._barge_in(), duration + 0.2)
        finally:
            self.playing = False

    async def _barge_in(self) -> None:
        await self.done.wait()

    async def hush(self) -> None:
        """Stops a prompt that is playing (the caller started keying)."""
        if self.playing:
            with contextlib.suppress(NgError):
                await self.line.ng.command("stop media", call_id=self.call_id, from_tag=self.from_tag)

    # -- the keypad ---------------------------------------------------------------------------------------------

    def key(self, key: str) -> None:
        self.keys.put_nowait(key)

    async def keyed(self, greeting: list[tuple[str, str | None]]) -> str | None:
        """Plays the prompts (stopped by the first key) and returns the digits keyed before ``#`` (None: silence)."""
        player = asyncio.create_task(self._say_all(greeting))
        digits = ""
        try:
            while True:
                try:
                    key = await asyncio.wait_for(self.keys.get(), KEY_TIMEOUT + (20 if not digits else 0))
                except TimeoutError:
                    return digits or None
                if not player.done():
                    player.cancel()
                    await self.hush()
                if key == "#":
                    return digits
                if key.isdigit() and len(digits) < 20:
                    digits += key
        finally:
            player.cancel()

    async def _say_all(self, prompts: list[tuple[str, str | None]]) -> None:
        for name, language in prompts:
            await self.say(name, language)

    # -- the call -----------------------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            seated = await self._seat()
            if seated:
                await self._in_meeting()
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # one call's failure must not take the line down
            log.warning("A phone call failed: %s", type(failure).__name__)
        finally:
            await self.end()

    async def _seat(self) -> bool:
        both: list[tuple[str, str | None]] = [("greeting", lang) for lang in GREETING_LANGUAGES]
        prompt: list[tuple[str, str | None]] = list(both)
        for _attempt in range(ATTEMPTS):
            code = await self.keyed(prompt)
            prompt = [("code_again", lang) for lang in GREETING_LANGUAGES]
            if code is None:
                continue
            found = await self.line.find_line(code)
            if found is None:
                continue
            self.language = found.language
            passcode: str | None = None
            for _try in range(ATTEMPTS):
                try:
                    self.phone = await PhoneCall.dial(
                        self.line.rooms(), found.slug, RtpJoin(*self.b_address), caller=self._caller, passcode=passcode
                    )
                except PhoneRefused as refused:
                    if refused.code == "passcode":
                        passcode = await self.keyed([("passcode" if passcode is None else "passcode_again", None)])
                        continue
                    self.outcome = f"refused:{refused.code}"
                    await self.say(REFUSAL_PROMPTS.get(refused.code, "no_line"))
                    return False
                self._caller = None  # seated: the number's keyed hash is all the room has, and all this call keeps
                self.outcome = "seated"
                return True
            break
        self.outcome = "codes"
        await self.say("goodbye_codes", None)
        if self.language != "es":
            await self.say("goodbye_codes", "es")
        return False

    async def _in_meeting(self) -> None:
        phone = self.phone
        assert phone is not None
        follower = asyncio.create_task(self.follow_janus())
        speaker = asyncio.create_task(self._speak(phone))
        ended = asyncio.create_task(phone.ended.wait())
        hung = asyncio.create_task(self.done.wait())
        try:
            star = False
            while not phone.ended.is_set() and not self.done.is_set():
                getter = asyncio.create_task(self.keys.get())
                finished, _ = await asyncio.wait(
                    {getter, ended, hung}, timeout=STAR_TIMEOUT if star else None, return_when=asyncio.FIRST_COMPLETED
                )
                if getter not in finished:
                    getter.cancel()
                    if star:  # a lone star: nothing
                        star = False
                        await phone.press("*")
                    continue
                key = getter.result()
                if star:
                    star = False
                    await phone.press("*" + key)
                elif key == "*":
                    star = True
                else:
                    await phone.press(key)
            if phone.ended.is_set() and not self.done.is_set():
                self.outcome = "ended"
                await asyncio.sleep(0.3)  # the room's last prompt (removed, ended) is queued with the hang-up
                await self._drain(phone)
        finally:
            for task in (follower, speaker, ended, hung):
                task.cancel()

    async def _speak(self, phone: PhoneCall) -> None:
        while True:
            prompt = await phone.prompts.get()
            await self.say(prompt.name)

    async def _drain(self, phone: PhoneCall) -> None:
        while not phone.prompts.empty():
            await self.say(phone.prompts.get_nowait().name)

    async def end(self, by_caller: bool = False) -> None:
        """The call's end: the seat leaves, the media is deleted and (unless the caller hung up) a BYE is sent."""
        if self.done.is_set() and not by_caller:
            return
        first = not self.done.is_set()
        self.done.set()
        if by_caller and not self.outcome.startswith(("refused", "codes", "ended")):
            self.outcome = "hung_up"
        if self.phone is not None:
            await self.phone.hang_up()
        if not first:
            return
        self.line.calls.pop(self.call_id, None)
        if not by_caller:
            d = self._dialog
            try:
                await send_bye(
                    self.line.config.rpc_socket,
                    call_id=self.call_id,
                    local=d["to"],
                    local_tag=self.to_tag,
                    remote=d["from"],
                    remote_tag=self.from_tag,
                    target=d["contact"] or d["from"],
                    hop=d["source"] or ".",
                )
            except RpcError as failure:
                log.warning("A phone call's BYE was not sent: %s", failure)
        self._dialog = {}
        with contextlib.suppress(NgError):
            await self.line.ng.command("delete", call_id=self.call_id, from_tag=self.from_tag)
        self.line.ended.put_nowait(self)


class _Keypad(asyncio.DatagramProtocol):
    """rtpengine's keypad events (``--dtmf-log-dest``): one JSON datagram per key, passed to its call."""

    def __init__(self, line: PhoneLine) -> None:
        self.line = line

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        try:
            event = json.loads(data)
            call = self.line.calls.get(str(event["callid"]))
            number = int(event["event"])
        except (ValueError, KeyError, TypeError):
            return
        if call is not None and 0 <= number < len(EVENT_KEYS) and event.get("source_tag") == call.from_tag:
            call.key(EVENT_KEYS[number])


class PhoneLine:
    """The line: Kamailio's hooks on loopback HTTP, rtpengine's control and keypad socket, the calls under way."""

    def __init__(
        self,
        config: EdgeConfig,
        rooms: Callable[[], LiveRooms],
        prompts: dict[tuple[str, str], Path],
        find_line: FindLine,
    ) -> None:
        self.config, self.rooms, self.prompts, self.find_line = config, rooms, prompts, find_line
        self.ng = NgClient(("127.0.0.1", config.ng_port))
        self.calls: dict[str, LineCall] = {}
        self._answering: dict[str, LineCall] = {}  # INVITEs accepted, waiting on rtpengine to anchor them
        self.ended: asyncio.Queue[LineCall] = asyncio.Queue()  # finished calls (tests, the benchmark)
        self.started: asyncio.Queue[LineCall] = asyncio.Queue()
        self._server: asyncio.base_events.Server | None = None
        self._keypad: asyncio.DatagramTransport | None = None
        self._hooks: set[asyncio.StreamWriter] = set()
        s = config.settings
        self.max_calls = max(1, (s.rtp_ports.high - s.rtp_ports.low + 1) // 4)  # rtpengine's 4 ports a call
        two = s.janus_ip != s.caller_ip or bool(s.advertise)
        self.directions: dict[str, Any] = {"direction": ["pub", "janus"]} if two else {}

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.config.hook_port)
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Keypad(self), local_addr=("127.0.0.1", self.config.dtmf_port)
        )
        self._keypad = transport

    async def stop(self) -> None:
        for call in list(self.calls.values()):
            await call.end()
        if self._server is not None:
            self._server.close()
        for writer in list(self._hooks):
            writer.close()
        if self._keypad is not None:
            self._keypad.close()
        self.ng.close()

    # -- Kamailio's hooks ---------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._hooks.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = [*lines[0].split(" "), "", "", ""][:3]
                headers = {}
                for item in lines[1:]:
                    name, _, value = item.partition(":")
                    headers[name.strip().lower()] = value.strip()
                size = int(headers.get("content-length", "0") or 0)
                if size > 65536:
                    await self._reply(writer, 413, "")
                    return
                body = await reader.readexactly(size)
                if not hmac.compare_digest(headers.get("x-stayhere", ""), self.config.hook_token):
                    await self._reply(writer, 403, "")
                    return
                status, text = await self._hook(method, path, body)
                await self._reply(writer, status, text)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
            pass
        finally:
            self._hooks.discard(writer)
            writer.close()

    async def _reply(self, writer: asyncio.StreamWriter, status: int, text: str) -> None:
        body = text.encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        )
        await writer.drain()

    async def _hook(self, method: str, path: str, body: bytes) -> tuple[int, str]:
        if method != "POST":
            return 405, ""
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError
            fields = {str(k): str(v) for k, v in data.items()}
        except ValueError:
            return 400, ""
        if path == "/invite":
            return await self._invite(fields)
        if path == "/bye":
            call = self.calls.get(fields.get("call_id", ""))
            if call is not None:
                await call.end(by_caller=True)
            return 200, ""
        return 404, ""

    async def _invite(self, fields: dict[str, str]) -> tuple[int, str]:
        if not all(fields.get(k) for k in ("call_id", "from_tag", "to_tag", "sdp")):
            return 400, ""
        if fields["call_id"] in self.calls or fields["call_id"] in self._answering:
            return 486, ""  # a re-sent INVITE of a call under way
        source = fields.get("source", "").removeprefix("sip:").rpartition(":")[0]
        # Calls still being anchored count too: INVITEs arrive side by side, and each waits on rtpengine before
        # it is a call, so counting only the answered ones let a flood past every limit at once.
        unseated = [call for call in (*self.calls.values(), *self._answering.values()) if call.phone is None]
        from_there = sum(1 for call in unseated if call.source == source)
        held = len(self.calls) + len(self._answering)
        if held >= self.max_calls or len(unseated) >= MAX_UNSEATED or from_there >= MAX_UNSEATED_FROM_ONE:
            log.warning("A phone call was turned away: the line is full (%d calls).", held)
            return 486, ""
        call = LineCall(self, fields)
        self._answering[call.call_id] = call
        try:
            answer = await call.anchor(fields["sdp"])
        except (NgError, ValueError, KeyError) as failure:
            log.warning("A phone call could not be anchored: %s", type(failure).__name__)
            with contextlib.suppress(NgError):
                await self.ng.command("delete", call_id=call.call_id, from_tag=call.from_tag)
            return 503, ""
        finally:
            del self._answering[call.call_id]
        self.calls[call.call_id] = call
        call.task = asyncio.get_running_loop().create_task(self._after_answer(call))
        self.started.put_nowait(call)
        return 200, answer

    async def _after_answer(self, call: LineCall) -> None:
        await asyncio.sleep(0.3)  # the 200 OK goes out, the caller's ACK comes in
        await call.run()
