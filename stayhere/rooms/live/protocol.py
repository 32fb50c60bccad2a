"""The room protocol's messages: one schema per client message type, checked before the room sees it.

A message that fails gets a ``ProtocolError`` with a code and a sentence for the person; the room never sees
it. Frames out are written by ``stayhere.rooms.live.frames``. See docs/protocol.md.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import orjson

from stayhere.rooms.core.config import CHAT_POLICIES, MODES
from stayhere.rooms.core.names import clean_name
from stayhere.rooms.core.state import ASSIGNABLE_ROLES
from stayhere.rooms.core.words import _, filled

# The sentences a malformed message is answered with, in English: the writer of frames says them in the language
# of the connection's page (stayhere.rooms.live.frames.in_language); type and field names stay as the protocol has them.
TOO_LONG = filled(_("A message may be at most {limit} bytes."))
UNKNOWN_TYPE = filled(_("The room does not know the message type {kind}."))
NO_FIELD = filled(_("A {kind} message has no field {name}."))
BAD_FIELD = filled(_("In a {kind} message, {name} {problem}."), sentences=("problem",))
NEEDS = filled(_("A {kind} message needs {name}."))
AT_MOST = filled(_("must be at most {limit} characters"))
TEXT_AT_MOST = filled(_("must be text of at most {limit} characters"))
WHOLE_NUMBER = filled(_("must be a whole number from {low} to {high}"))
MUST_BE = filled(_("must be {what}"), sentences=("what",))
ONE_OF = filled(_("must be one of {options}"))

MAX_FRAME = 8 * 1024
SDP_MAX = MAX_FRAME - 100  # an audio-only offer is 2-4 KiB; the rest of the frame is its JSON wrapping
TEXT_MAX = 1000
SEAT_ID = re.compile(r"^s[A-Za-z0-9_-]{10}$")
KEY = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
PASSCODE = re.compile(r"^[0-9]{1,20}$")
COMMITMENT = re.compile(r"^[0-9a-f]{64}$")
SEAT_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


Check = Callable[[Any], Any]


class Sentence(ValueError):
    """A check's refusal that is already a whole sentence for the person (not a phrase to put after a field)."""


# Control characters other than line breaks and tabs, and the marks that reorder text (embeddings, overrides,
# isolates): a chat line or a report must read as it was typed ("evil.exe" shown as "exe.live").
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _text(limit: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_("must be text"))
        text = value.strip()
        if not text:
            raise ValueError(_("must not be empty"))
        if len(text) > limit:
            raise ValueError(AT_MOST.format(limit=limit))
        if _UNSHOWABLE.search(text):
            raise ValueError(_("has control characters or marks that reorder text; send plain text"))
        return text

    return check


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be text"))
    try:
        return clean_name(value)
    except ValueError as problem:
        raise Sentence(str(problem)) from None


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("must be true or false"))
    return value


def _int(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(WHOLE_NUMBER.format(low=low, high=high))
        return value

    return check


def _pattern(pattern: re.Pattern[str], what: str) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(MUST_BE.format(what=what))
        return value

    return check


def _choice(options: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(ONE_OF.format(options=", ".join(options)))
        return str(value)

    return check


def _sdp(value: Any) -> str:
    # Kept as sent (a session description ends with a line break); the frame limit bounds its size.
    if not isinstance(value, str) or not value.startswith("v=0"):
        raise ValueError(_("must be a session description (from the browser's createOffer)"))
    if len(value) > SDP_MAX:
        raise ValueError(AT_MOST.format(limit=SDP_MAX))
    return value


def _short(limit: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(TEXT_AT_MOST.format(limit=limit))
        return value

    return check


_seat = _pattern(SEAT_ID, _("a seat id"))
_ids = _int(0, 2**31)

# type -> {field: (check, required)}
SCHEMAS: dict[str, dict[str, tuple[Check, bool]]] = {
    "join": {
        "name": (_name, True),
        "passcode": (_pattern(PASSCODE, _("digits only")), False),
        "chair_key": (_pattern(KEY, _("the key from a chair link")), False),
        "link_key": (_pattern(KEY, _("the key from the room's members' link")), False),
    },
    "resume": {"seat": (_seat, True), "token": (_pattern(KEY, _("a resume token")), True), "last_seq": (_ids, True)},
    "rename": {"name": (_name, True)},
    "leave": {},
    "hand": {"up": (_bool, True)},
    "accept": {},
    "pass": {},
    "done": {},
    "share_text": {"text": (_text(TEXT_MAX), True)},
    "chat": {"text": (_text(TEXT_MAX), True), "to": (_seat, False)},
    "report": {"text": (_text(TEXT_MAX), True), "about": (_seat, False)},
    "segment": {"index": (_int(0, 200), True)},
    "call": {"seat": (_seat, False)},
    "extend": {"seconds": (_int(30, 1800), True)},
    "end_share": {},
    "mode": {"mode": (_choice(MODES), True), "once": (_bool, False)},
    "role": {"seat": (_seat, True), "role": (_choice(ASSIGNABLE_ROLES), True)},
    "hand_chair": {"seat": (_seat, True)},
    "admit": {"seat": (_seat, True)},
    "deny": {"seat": (_seat, True)},
    "admit_all": {},
    "deny_all": {},
    "lock": {"locked": (_bool, True), "clear_waiting": (_bool, False)},
    "waiting_list": {"from": (_int(0, 10_000), False)},
    "people_list": {"from": (_int(0, 10_000), False)},
    "mute": {"seat": (_seat, True)},
    "mute_all": {},
    "remove": {"seat": (_seat, True)},
    "unremove": {"removal": (_ids, True)},
    "delete_chat": {"id": (_ids, True)},
    "chat_policy": {"policy": (_choice(CHAT_POLICIES), True)},
    "open_floor": {"open": (_bool, True)},
    "end": {},
    "audio_offer": {"sdp": (_sdp, True)},
    # No candidate (or null): the browser has no more candidates.
    "audio_candidate": {
        "candidate": (_short(1000), False),
        "sdpMid": (_short(32), False),
        "sdpMLineIndex": (_int(0, 64), False),
    },
    "audio_mute": {"muted": (_bool, True)},
    "audio_ice": {},
    "slip": {"commitment": (_pattern(COMMITMENT, "64 hexadecimal digits (a SHA-256 hash)"), True)},
}


def decode(text: str | bytes | None) -> tuple[str, dict[str, Any]]:
    """A client frame as (type, checked fields); raises ProtocolError saying what is wrong."""
    if text is None:
        raise ProtocolError("bad_json", _("Send messages as JSON text."))
    # Measured in bytes, as the limit is stated: a text frame of multi-byte characters is longer than its length.
    size = len(text) if isinstance(text, bytes) or len(text) <= MAX_FRAME // 4 else len(text.encode())
    if size > MAX_FRAME:
        raise ProtocolError("too_long", TOO_LONG.format(limit=MAX_FRAME))
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("bad_json", _("That message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_message", _("A message must be a JSON object with a type."))
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("bad_message", _("A message must have a type."))
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise ProtocolError("unknown_type", UNKNOWN_TYPE.format(kind=repr(kind[:40])), kind[:40])
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name == "type":
            continue
        if name not in schema:
            raise ProtocolError("bad_message", NO_FIELD.format(kind=kind, name=repr(name[:40])), kind)
        if value is None and not schema[name][1]:
            continue
        try:
            fields[name] = schema[name][0](value)
        except Sentence as problem:
            raise ProtocolError("bad_message", str(problem), kind) from None
        except ValueError as problem:
            raise ProtocolError("bad_message", BAD_FIELD.format(kind=kind, name=name, problem=problem), kind) from None
    for name, (_check, required) in schema.items():
        if required and name not in fields:
            raise ProtocolError("bad_message", NEEDS.format(kind=kind, name=name), kind)
    return kind, fields


def new_seat_id() -> str:
    """A fresh random seat id (``s`` and ten letters or digits), for a browser's join or a phone call's."""
    return "s" + "".join(secrets.choice(SEAT_ID_ALPHABET) for _i in range(10))
