"""A phone caller in a meeting: a seat whose voice is a plain RTP join and whose hands are the keypad.

A SIP front end (docs/audio.md, "Phone dial-in") answers a call, learns which meeting it is for and takes its
audio to and from Janus as plain RTP. For each call it asks this module for a ``PhoneCall``: the caller is seated
in the room like a browser (the waiting room, the passcode, removals and the floor all apply), is named
"Phone caller" and a two-digit tag (never the number), joins the meeting's audio room muted and is heard only
while it holds the floor. The front end turns keypad digits into ``press`` and speaks the ``prompts`` the call
queues (recorded phrases: nothing the room says is read out, so no chat or names reach a phone line).

The caller's number, if the front end has one, is only used keyed and hashed, as a browser's cookie is: a caller
a host removed stays removed when they ring again. It is never stored, shown or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stayhere.audio.janus import RtpJoin
from stayhere.audio.relay import AudioRelay, SeatAudio
from stayhere.rooms.core.meeting import Join, Message
from stayhere.rooms.live.hub import RoomHub
from stayhere.rooms.live.protocol import new_seat_id
from stayhere.rooms.live.root import LiveRooms, RoomClosed

log = logging.getLogger("stayhere.rooms")

# Conference-bridge habits: *6 mute or unmute, *9 raise or lower the hand; 1 and 2 answer a turn; # ends a share.
KEYS = {
    "*9": "hand",
    "*6": "mute",
    "1": "accept",
    "2": "pass",
    "#": "done",
}


@dataclass(frozen=True)
class Prompt:
    """Something the front end tells the caller, by name (``code``: the room's error code, for ``refused``)."""

    name: str
    code: str = ""


# What each prompt's recording says (the front end's phrases, in the group's language; here for the docs and tests).
PROMPTS = {
    "waiting": _("You are in the waiting room. A host will let you in soon."),
    "admitted": _("You are in the meeting. You are muted. Press star 9 to raise your hand."),
    "your_turn": _("It is your turn to share. Press 1 to share, or 2 to pass."),
    "sharing": _("You are sharing. Press pound when you are done."),
    "live": _("You can be heard now."),
    "muted": _("You are muted."),
    "open_floor": _("The floor is open. Press star 6 to unmute, and again to mute."),
    "hand_up": _("Your hand is raised."),
    "hand_down": _("Your hand is lowered."),
    "time_nearly_up": _("Your time is nearly up."),
    "time_up": _("Your time is up."),
    "refused": _("That did not work."),
    "unknown_key": _("That key does nothing here."),
    "removed": _("A host removed you from this meeting."),
    "denied": _("The hosts did not let you in to this meeting."),
    "ended": _("The meeting has ended. Thank you for calling."),
}


NOT_SEATED = _("The meeting did not seat the call.")
NO_PHONE_AUDIO = _("This server has no meeting audio, so no phone line.")


class PhoneRefused(Exception):
    """The call could not be seated; ``code`` is the room's error code and the message its sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def caller_key(caller: str | None) -> str:
    """A keyed hash of the caller's number (the call's 'browser'), or a fresh random one for a withheld number."""
    digits = "".join(c for c in caller or "" if c.isdigit())
    if not digits:
        digits = "withheld-" + secrets.token_urlsafe(18)
    return hmac.new(settings.SECRET_KEY.encode(), b"phone:" + digits.encode(), hashlib.sha256).hexdigest()[:32]


def phone_name() -> str:
    return f"Phone caller {secrets.randbelow(90) + 10}"


class PhoneCall:
    """One call's seat in one meeting. A hub ``Connection``: the room's events become prompts, never text."""

    base_url = ""  # a phone follows no links

    def __init__(self, hub: RoomHub, relay: AudioRelay, room_id: str, seat: str, rtp: RtpJoin) -> None:
        self.hub, self.relay, self.room_id, self.seat, self.rtp = hub, relay, room_id, seat, rtp
        self.prompts: asyncio.Queue[Prompt] = asyncio.Queue()
        self.audio: SeatAudio | None = None
        self.admitted = False
        self.hand_up = False
        self.floor = (False, False)  # (live, open): the floor is this caller's, or open to all; no host muted it
        self.heard = False  # whether its participant is unmuted in Janus now, as far as the call knows
        self.errors: list[tuple[str, str]] = []  # (code, sentence) the room answered, newest last
        self.ended = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def dial(
        cls,
        rooms: LiveRooms,
        room_id: str,
        rtp: RtpJoin,
        *,
        caller: str | None = None,
        passcode: str | None = None,
    ) -> PhoneCall:
        """Seats a call in one of ``rooms`` (this process's, as the WebSocket consumer uses them) and, once it is
        admitted, joins its audio (``rtp``: where the front end takes the mix).

        Raises PhoneRefused when the room refuses the seat (closed, wrong passcode, locked, removed before), when
        this server has no meeting audio, or when Janus refuses the RTP join (a phone seat without a voice would be
        no use)."""
        hub, relay = rooms.hub, rooms.relay
        if not relay.available:
            raise PhoneRefused("audio_unavailable", str(NO_PHONE_AUDIO))
        seat = new_seat_id()
        call = cls(hub, relay, room_id, seat, rtp)
        join = Join(
            seat=seat,
            token=secrets.token_urlsafe(18),
            browser=caller_key(caller),
            name=phone_name(),
            passcode=passcode,
        )
        try:
            joined = await hub.join(room_id, call, join, partial(rooms.load_config, room_id))
        except RoomClosed as closed:
            raise PhoneRefused("closed", str(closed)) from None
        if not joined:
            raise PhoneRefused(*(call.errors[-1] if call.errors else ("refused", str(NOT_SEATED))))
        if call.admitted:
            await call._join_audio()
            if call.audio is None:  # Janus refused the join (the relay said why): no voice, so no seat either
                await call.hang_up()
                raise PhoneRefused(*call.errors[-1])
        return call

    @property
    def remote(self) -> tuple[str, int] | None:
        """Where the front end sends the caller's voice (Janus' RTP port for this participant), once joined."""
        return self.audio.remote if self.audio is not None else None

    # -- the keypad --------------------------------------------------------------------------------------------

    async def press(self, keys: str) -> None:
        """One keypad command (``KEYS``); anything else is answered with the ``unknown_key`` prompt."""
        if self.ended.is_set():
            return
        action = KEYS.get(keys)
        if action is None:
            self._say("unknown_key")
            return
        if action == "mute":
            await self._toggle_mute()
        elif action == "hand":
            await self.hub.handle(self.room_id, Message(self.seat, "hand", {"up": not self.hand_up}))
        else:
            await self.hub.handle(self.room_id, Message(self.seat, action, {}))

    async def _toggle_mute(self) -> None:
        if self.audio is None:
            self._say("refused", "audio_not_started")
            return
        mute = self.heard
        refused = len(self.errors)
        await self.hub.handle(self.room_id, Message(self.seat, "audio_mute", {"muted": mute}))
        await self.relay.voiced(self.room_id, self.seat)  # Janus has it (or refused it, and the call heard why)
        if len(self.errors) == refused:
            self.heard = not mute
            self._say("muted" if mute else "live")

    async def hang_up(self) -> None:
        """The caller hung up: the seat leaves at once (a phone cannot resume) and its audio with it."""
        if self.ended.is_set():
            return
        self.ended.set()
        await self._stop_audio()
        await self.hub.handle(self.room_id, Message(self.seat, "leave", {}))

    # -- Connection, for the hub -------------------------------------------------------------------------------

    def push(self, text: str) -> None:
        event: dict[str, Any] = json.loads(text)
        kind = event.get("type")
        mine = event.get("seat") == self.seat
        if kind == "welcome":
            self.admitted = bool((event.get("snapshot") or {}).get("admitted"))
        elif kind == "waiting":
            self._say("waiting")
        elif kind == "admitted":
            self.admitted = True
            self._say("admitted")
            self._background(self._join_audio())
        elif kind == "offer" and mine:
            self._say("your_turn")
        elif kind == "share" and mine:
            self._say("sharing")
        elif kind == "queue":
            up = self.seat in (event.get("queue") or [])
            if up != self.hand_up:
                self.hand_up = up
                self._say("hand_up" if up else "hand_down")
        elif kind == "live":
            floor = (bool(event.get("live")), bool(event.get("open")))
            if floor != self.floor:  # (the same again answers the caller's own *6: already said)
                self.floor = floor
                # The floor coming to a seat unmutes it; an open floor starts with everyone muted.
                self.heard = floor == (True, False)
                self._say("live" if self.heard else "open_floor" if floor[1] else "muted")
        elif kind == "share_warning" and mine:
            self._say("time_nearly_up")
        elif kind == "time_up" and mine:
            self._say("time_up")
        elif kind in ("removed", "denied", "ended"):
            self._say(kind)
        elif kind == "error":
            self.errors.append((str(event.get("code", "")), str(event.get("message", ""))))
            self._say("refused", str(event.get("code", "")))

    def hangup(self, code: int) -> None:
        """The room sent the seat away (removed, denied, the meeting ended): the front end ends the call."""
        if not self.ended.is_set():
            self.ended.set()
            self._background(self._stop_audio())

    # -- internals ---------------------------------------------------------------------------------------------

    def _say(self, name: str, code: str = "") -> None:
        self.prompts.put_nowait(Prompt(name, code))

    async def _join_audio(self) -> None:
        if self.ended.is_set():
            return
        self.audio = await self.relay.join_phone(self, self.room_id, self.seat, self.rtp, self.audio)

    async def _stop_audio(self) -> None:
        audio, self.audio = self.audio, None
        if audio is not None:
            await self.relay.stop(audio)

    def _background(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as failure:  # a phone's audio change must not take the room's delivery down
                log.warning("A phone call's audio change failed: %s", type(failure).__name__)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Waits for the call's audio changes under way (tests, the front end before it reports the call up)."""
        while self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.gather(*list(self._tasks))
