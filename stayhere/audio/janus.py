"""Asyncio clients for Janus: the Admin API's ``message_plugin`` (rooms, mutes) and the session API (joins).

Every request is built here from typed arguments; nothing a browser sends is passed through as a Janus body,
so no client can ask for recording, RTP forwarding or another room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from stayhere.audio.http import JanusError, JanusRefused, JanusUnavailable, request_json

__all__ = [
    "AudioRoom",
    "JanusAdmin",
    "JanusError",
    "JanusEvent",
    "JanusRefused",
    "JanusSession",
    "JanusUnavailable",
    "Joined",
    "RtpJoin",
]

PLUGIN = "janus.plugin.audiobridge"
GONE = (404, 458)  # Janus' answers for a session it no longer has: HTTP 404 on GET, error 458 on POST
log = logging.getLogger("stayhere.audio")


def _transaction() -> str:
    return secrets.token_hex(8)


def _new_id() -> int:
    # Below 2**53, so the ids survive a trip through JavaScript's numbers.
    return secrets.randbelow(2**53 - 1) + 1


def _check(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise JanusError(f"Janus answered {what} with something that is not a JSON object.")
    if answer.get("janus") == "error":
        error = answer.get("error") or {}
        raise JanusRefused(
            f"Janus refused {what}: {error.get('reason', 'no reason given')} (code {error.get('code')}).",
            error.get("code"),
        )
    return answer


def _plugin_result(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise JanusError(f"The AudioBridge answered {what} with no data.")
    if "error_code" in data or (data.get("audiobridge") == "event" and "error" in data):
        raise JanusRefused(
            f"The AudioBridge refused {what}: {data.get('error', 'no reason given')} (code {data.get('error_code')}).",
            data.get("error_code"),
        )
    return data


@dataclass(frozen=True)
class AudioRoom:
    """A room on the AudioBridge and the secrets stayhere keeps from every client."""

    room: int
    secret: str
    pin: str


class JanusAdmin:
    """The Admin API: needs no session; stayhere alone holds the admin secret and the AudioBridge admin key."""

    def __init__(self, admin_url: str, admin_secret: str, admin_key: str, timeout: float = 5.0) -> None:
        self.admin_url = admin_url
        self.admin_secret = admin_secret
        self.admin_key = admin_key
        self.timeout = timeout

    async def call(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        payload = {"transaction": _transaction(), "admin_secret": self.admin_secret, **body}
        return _check(await request_json("POST", self.admin_url, payload, self.timeout), what)

    async def ping(self) -> bool:
        return (await self.call({"janus": "ping"}, "a ping")).get("janus") == "pong"

    async def message_plugin(self, request: dict[str, Any]) -> dict[str, Any]:
        what = f"the request {request.get('request')!r}"
        answer = await self.call({"janus": "message_plugin", "plugin": PLUGIN, "request": request}, what)
        return _plugin_result(answer.get("response"), what)

    async def create_room(
        self,
        *,
        room: int | None = None,
        sampling_rate: int = 16000,
        allow_rtp_participants: bool = False,
        audiolevel_event: bool = True,
        given: AudioRoom | None = None,
    ) -> AudioRoom:
        """Creates a room with a fresh secret and pin (or ``given`` ones, which every worker sharing this Janus
        derives alike); nobody is heard until unmuted, nothing is recorded."""
        made = given or AudioRoom(room or _new_id(), secrets.token_urlsafe(24), secrets.token_urlsafe(24))
        await self.message_plugin(
            {
                "request": "create",
                "admin_key": self.admin_key,
                "room": made.room,
                "secret": made.secret,
                "pin": made.pin,
                "is_private": True,
                "permanent": False,
                "sampling_rate": sampling_rate,
                "record": False,
                "mjrs": False,
                "allow_rtp_participants": allow_rtp_participants,
                "audiolevel_ext": True,
                "audiolevel_event": audiolevel_event,
                "audio_active_packets": 50,
                "audio_level_average": 40,
                "default_prebuffering": 6,
            }
        )
        return made

    async def destroy_room(self, room: AudioRoom) -> None:
        await self.message_plugin({"request": "destroy", "room": room.room, "secret": room.secret, "permanent": False})

    async def exists(self, room: int) -> bool:
        return bool((await self.message_plugin({"request": "exists", "room": room})).get("exists"))

    async def list_participants(self, room: AudioRoom) -> list[dict[str, Any]]:
        answer = await self.message_plugin({"request": "listparticipants", "room": room.room})
        participants = answer.get("participants", [])
        return participants if isinstance(participants, list) else []

    async def mute(self, room: AudioRoom, participant: int) -> None:
        await self.message_plugin({"request": "mute", "room": room.room, "secret": room.secret, "id": participant})

    async def unmute(self, room: AudioRoom, participant: int) -> None:
        await self.message_plugin({"request": "unmute", "room": room.room, "secret": room.secret, "id": participant})

    async def kick(self, room: AudioRoom, participant: int) -> None:
        await self.message_plugin({"request": "kick", "room": room.room, "secret": room.secret, "id": participant})

    async def allow_tokens(self, room: AudioRoom, tokens: list[str], action: str = "add") -> None:
        """Per-seat tokens: ``enable`` (only these may join), ``add``, ``remove`` or ``disable`` the check."""
        if action not in {"enable", "add", "remove", "disable"}:
            raise ValueError(f"allow_tokens action {action!r} must be enable, add, remove or disable.")
        body: dict[str, Any] = {"request": "allowed", "room": room.room, "secret": room.secret, "action": action}
        if action != "disable":
            body["allowed"] = tokens
        await self.message_plugin(body)


@dataclass(frozen=True)
class RtpJoin:
    """Where a plain RTP participant (a phone bridge, a test) receives the room's mix."""

    ip: str
    port: int
    codec: str = "pcmu"  # pcmu, pcma or opus
    payload_type: int = 0


@dataclass(frozen=True)
class Joined:
    participant: int
    answer: dict[str, Any] | None  # the jsep answer for a WebRTC join
    rtp: dict[str, Any] | None  # for an RTP join: {"ip", "port", "payload_type"} to send audio to


@dataclass(frozen=True)
class JanusEvent:
    """Something Janus said about a handle outside a request: talking, webrtcup, hangup, a kick..."""

    handle: int | None
    kind: str  # the ``janus`` field (event, webrtcup, media, hangup, slowlink, detached), or gone: session ended
    data: dict[str, Any] = field(default_factory=dict)  # plugindata.data for events, else the whole message


class JanusSession:
    """One Janus session (one per browser connection, or one for many RTP participants).

    A background long-poll collects Janus' events: those answering a request wake it, the rest go to
    ``events``. A long-poll does not count as activity for Janus (measured: a session with only long-polls
    timed out), so a second task sends a keepalive every ``keepalive_every`` seconds (Janus ends a session
    after 60 quiet seconds).
    """

    def __init__(self, http_url: str, api_secret: str, session_id: int, timeout: float = 10.0) -> None:
        self.http_url = http_url
        self.api_secret = api_secret
        self.session_id = session_id
        self.timeout = timeout
        self.events: asyncio.Queue[JanusEvent] = asyncio.Queue(maxsize=1000)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None
        self.closed = False

    @classmethod
    async def create(
        cls, http_url: str, api_secret: str, timeout: float = 10.0, keepalive_every: float = 25.0
    ) -> JanusSession:
        body = {"janus": "create", "transaction": _transaction(), "apisecret": api_secret}
        answer = _check(await request_json("POST", http_url, body, timeout), "creating a session")
        session = cls(http_url, api_secret, int(answer["data"]["id"]), timeout)
        session._poller = asyncio.create_task(session._poll())
        session._pinger = asyncio.create_task(session._keep_alive(keepalive_every))
        return session

    async def _keep_alive(self, every: float) -> None:
        while not self.closed:
            await asyncio.sleep(every)
            if self.closed:
                return
            try:
                await self.keepalive()
            except JanusRefused:
                return  # the session is gone; _post has said so in ``events``
            except JanusError as exc:
                log.warning("Janus keepalive failed: %s", exc)

    @property
    def url(self) -> str:
        return f"{self.http_url}/{self.session_id}"

    async def _post(self, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        if self.closed:
            raise JanusError(f"The Janus session is closed; cannot send {what}. Start a new session.")
        payload = {"transaction": _transaction(), "apisecret": self.api_secret, **body}
        try:
            return _check(await request_json("POST", path, payload, self.timeout), what)
        except JanusRefused as exc:
            if exc.code in GONE:
                self._gone(str(exc))
                message = f"Janus no longer knows this session, so {what} failed: start a new session."
                raise JanusRefused(message, exc.code) from None
            raise

    async def _poll(self) -> None:
        while not self.closed:
            url = f"{self.url}?maxev=10&apisecret={self.api_secret}"
            try:
                answer = await request_json("GET", url, None, 45.0)
            except JanusError as exc:
                if self.closed:
                    return
                if isinstance(exc, JanusRefused) and exc.code in GONE:
                    self._gone(str(exc))
                    return
                log.warning("Janus event poll failed: %s", exc)
                for waiter in self._waiting.values():
                    if not waiter.done():
                        waiter.set_exception(JanusUnavailable(f"Janus stopped answering events: {exc}"))
                await asyncio.sleep(1.0)
                continue
            if isinstance(answer, dict) and answer.get("janus") == "error":
                self._gone(str((answer.get("error") or {}).get("reason", "no reason given")))
                return
            for message in answer if isinstance(answer, list) else [answer]:
                if isinstance(message, dict):
                    self._dispatch(message)

    def _gone(self, reason: str) -> None:
        """Janus no longer knows the session (timed out, destroyed elsewhere): nothing more will come."""
        self.closed = True
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(JanusRefused(f"Janus ended the session ({reason}); start a new one."))
        with contextlib.suppress(asyncio.QueueFull):
            self.events.put_nowait(JanusEvent(None, "gone", {"reason": reason}))

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = str(message.get("janus", ""))
        if kind == "keepalive":
            return
        waiter = self._waiting.get(str(message.get("transaction", "")))
        if waiter is not None and kind in {"event", "error"} and not waiter.done():
            waiter.set_result(message)
            return
        handle = message.get("sender")
        data = message.get("plugindata", {}).get("data", {}) if kind == "event" else message
        event = JanusEvent(int(handle) if handle is not None else None, kind, data if isinstance(data, dict) else {})
        if kind == "event" and message.get("jsep"):
            event.data["jsep"] = message["jsep"]
        with contextlib.suppress(asyncio.QueueFull):  # nobody reads: drop the oldest news, not the session
            self.events.put_nowait(event)

    async def attach(self) -> int:
        """Attaches an AudioBridge handle and returns its id."""
        answer = await self._post(self.url, {"janus": "attach", "plugin": PLUGIN}, "attaching the AudioBridge")
        return int(answer["data"]["id"])

    async def _message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None, what: str
    ) -> dict[str, Any]:
        """Sends a plugin message and waits for its event (AudioBridge answers joins and configures later)."""
        transaction = _transaction()
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = waiter
        payload: dict[str, Any] = {"janus": "message", "transaction": transaction, "body": body}
        if jsep is not None:
            payload["jsep"] = jsep
        try:
            payload["apisecret"] = self.api_secret
            first = _check(await request_json("POST", f"{self.url}/{handle}", payload, self.timeout), what)
            if first.get("janus") == "success":  # answered at once
                message = first
            else:
                async with asyncio.timeout(self.timeout):
                    message = _check(await waiter, what)
        except TimeoutError:
            raise JanusUnavailable(f"Janus did not answer {what} within {self.timeout:g} s.") from None
        finally:
            self._waiting.pop(transaction, None)
        data = _plugin_result(message.get("plugindata", {}).get("data"), what)
        if message.get("jsep"):
            data = {**data, "jsep": message["jsep"]}
        return data

    async def join(
        self,
        handle: int,
        room: AudioRoom,
        *,
        display: str = "",
        participant: int | None = None,
        muted: bool = True,
        offer: dict[str, Any] | None = None,
        rtp: RtpJoin | None = None,
        token: str | None = None,
        quality: int | None = None,
        bitrate: int | None = None,
    ) -> Joined:
        """Joins the room muted (unless told otherwise): with a WebRTC ``offer`` or as a plain ``rtp`` peer.

        ``quality`` (Opus complexity, 1-10) and ``bitrate`` (bits/s) are for the Opus encoder of the mix this
        participant is sent; None leaves Janus' own (complexity 4, bitrate chosen by libopus)."""
        if (offer is None) == (rtp is None):
            raise ValueError("join needs exactly one of offer (a WebRTC jsep) or rtp (a plain RTP peer).")
        if offer is not None and (offer.get("type") != "offer" or not isinstance(offer.get("sdp"), str)):
            raise ValueError("The offer must be a jsep object: {'type': 'offer', 'sdp': '...'}.")
        body: dict[str, Any] = {
            "request": "join",
            "room": room.room,
            "pin": room.pin,
            "id": participant or _new_id(),
            "display": display,
            "muted": muted,
        }
        if token:
            body["token"] = token
        if quality is not None:
            body["quality"] = quality
        if bitrate is not None:
            body["bitrate"] = bitrate
        if rtp is not None:
            body["codec"] = rtp.codec
            body["rtp"] = {"ip": rtp.ip, "port": rtp.port, "payload_type": rtp.payload_type}
        jsep = {"type": "offer", "sdp": offer["sdp"]} if offer is not None else None
        data = await self._message(handle, body, jsep, "joining the audio room")
        answer = data.get("jsep")
        return Joined(int(data.get("id", body["id"])), answer if isinstance(answer, dict) else None, data.get("rtp"))

    async def configure(self, handle: int, *, muted: bool | None = None, offer: dict[str, Any] | None = None) -> Joined:
        """Changes this participant's own mute (the relay must only ever pass ``muted=True`` from a browser)
        or renegotiates with a new offer (an ICE restart)."""
        body: dict[str, Any] = {"request": "configure"}
        if muted is not None:
            body["muted"] = muted
        jsep = None
        if offer is not None:
            if offer.get("type") != "offer" or not isinstance(offer.get("sdp"), str):
                raise ValueError("The offer must be a jsep object: {'type': 'offer', 'sdp': '...'}.")
            jsep = {"type": "offer", "sdp": offer["sdp"]}
        data = await self._message(handle, body, jsep, "configuring the audio")
        answer = data.get("jsep")
        return Joined(int(data.get("id", 0)), answer if isinstance(answer, dict) else None, None)

    async def leave(self, handle: int) -> None:
        await self._message(handle, {"request": "leave"}, None, "leaving the audio room")

    async def trickle(self, handle: int, candidate: dict[str, Any] | None) -> None:
        """Passes one ICE candidate ({candidate, sdpMid, sdpMLineIndex}); None says gathering is complete."""
        if candidate is None:
            body: dict[str, Any] = {"completed": True}
        else:
            if not isinstance(candidate.get("candidate"), str):
                raise ValueError("A trickle candidate needs a 'candidate' string.")
            body = {k: candidate[k] for k in ("candidate", "sdpMid", "sdpMLineIndex") if k in candidate}
        await self._post(f"{self.url}/{handle}", {"janus": "trickle", "candidate": body}, "an ICE candidate")

    async def keepalive(self) -> None:
        await self._post(self.url, {"janus": "keepalive"}, "a keepalive")

    async def detach(self, handle: int) -> None:
        await self._post(f"{self.url}/{handle}", {"janus": "detach"}, "detaching the handle")

    async def destroy(self) -> None:
        """Ends the session (Janus detaches its handles, so its participants leave their rooms)."""
        was_open, self.closed = not self.closed, True  # first, so the event poll stops asking
        try:
            if was_open:
                payload = {"janus": "destroy", "transaction": _transaction(), "apisecret": self.api_secret}
                _check(await request_json("POST", self.url, payload, self.timeout), "ending the session")
        finally:
            for task in (self._poller, self._pinger):
                if task is not None and task is not asyncio.current_task():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
