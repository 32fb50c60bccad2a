"""Signing attendance slips: the canonical payload, the compact encoding a QR code carries, and ``issue_slip``.

A slip is a JSON object (see docs/slips.md) signed with the group's Ed25519 key over
``DOMAIN + canonical JSON`` (keys sorted, no spaces, UTF-8). It carries a commitment to the attendee's name,
never the name. The server returns the slip and keeps nothing: no copy, no log line, no count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from typing import Any

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils.translation import gettext as _

from stayhere.directory import schedule
from stayhere.directory.models import Meeting
from stayhere.directory.occurrences import occurrence_clock
from stayhere.rooms.core.config import CLOSES_AFTER_S, OPENS_BEFORE_S
from stayhere.slips import keystore
from stayhere.slips.errors import SlipRefused
from stayhere.slips.models import SigningKey

VERSION = 1
DOMAIN = b"stayhere attendance slip v1\n"
PREFIX = "SH1"  # the compact encoding: SH1.<base64url canonical payload>.<base64url signature>
COMMITMENT = re.compile(r"^[0-9a-f]{64}$")
FIELDS = (
    "v",
    "group",
    "group_name",
    "meeting",
    "meeting_name",
    "date",
    "start",
    "end",
    "tz",
    "minutes",
    "via",
    "commitment",
    "key",
    "issued",
)
VIA = ("room", "in_person")


def normalize_name(name: str) -> str:
    """The form of a name that is committed to: NFC, trimmed, inner spaces collapsed, lower case."""
    return " ".join(unicodedata.normalize("NFC", name).split()).lower()


def parse_salt(text: str) -> bytes:
    """The salt as printed (hex digits, spaces or dashes allowed between groups); ValueError if it is not one."""
    digits = re.sub(r"[\s-]", "", text or "").lower()
    if not re.fullmatch(r"[0-9a-f]{16,64}", digits) or len(digits) % 2:
        raise ValueError(_("The salt is the group of letters and digits printed next to the name on the slip."))
    return bytes.fromhex(digits)


def commitment_of(name: str, salt: bytes) -> str:
    """hex(SHA-256(utf8(normalized name) || 0x00 || salt)): the same construction as the browser's."""
    return hashlib.sha256(normalize_name(name).encode("utf-8") + b"\x00" + salt).hexdigest()


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(payload: dict[str, Any], private: Ed25519PrivateKey) -> str:
    return keystore.b64(private.sign(DOMAIN + canonical(payload)))


def compact(payload: dict[str, Any], signature: str) -> str:
    return f"{PREFIX}.{keystore.b64(canonical(payload))}.{signature}"


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` (no XML declaration, scalable, no inline style)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, svgclass="slip-qr", lineclass=None, omitsize=True
    )
    return out.getvalue().decode("utf-8")


def verify_url(base_url: str, token: str) -> str:
    """Where the QR code leads: the verify page, with the slip after '#' so it is never sent to the server."""
    return f"{base_url.rstrip('/')}/verify#{token}" if base_url else token


def build_payload(
    meeting: Meeting, key: SigningKey, commitment: str, minutes: int, now: float, via: str
) -> dict[str, Any]:
    """The slip's fields for the occurrence of ``meeting`` running at ``now``; SlipRefused when none is."""
    clock = occurrence_clock(meeting, now, OPENS_BEFORE_S, CLOSES_AFTER_S)
    if not clock.scheduled:
        raise SlipRefused(_("This meeting is not being held now by its schedule, so a slip cannot name its date."))
    zone = schedule.zone(meeting.timezone)
    start = dt.datetime.fromtimestamp(clock.starts_at, dt.UTC).astimezone(zone)
    end = dt.datetime.fromtimestamp(clock.ends_at, dt.UTC).astimezone(zone)
    assert meeting.group is not None
    return {
        "v": VERSION,
        "group": meeting.group.slug,
        "group_name": meeting.group.name,
        "meeting": meeting.slug,
        "meeting_name": meeting.name,
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "tz": meeting.timezone,
        "minutes": int(minutes),
        "via": via,
        "commitment": commitment,
        "key": key.key_id,
        # to the minute: enough to check the key was in force, no finer
        "issued": dt.datetime.fromtimestamp(now - now % 60, dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
    }


def signing_context(meeting_slug: str) -> tuple[Meeting, SigningKey, int]:
    """The meeting, its group's active key and the minimum minutes; SlipRefused with a sentence otherwise."""
    meeting = Meeting.objects.select_related("group").filter(slug=meeting_slug).first()
    if meeting is None:
        raise SlipRefused(_("There is no meeting at this address. Find it again from the meeting list."))
    group = meeting.group
    slip_settings = None if group is None else keystore.settings_of(group)
    if group is None or slip_settings is None or not slip_settings.enabled:
        raise SlipRefused(_("This group does not give attendance slips. Ask the chair what the group does."))
    key = keystore.active_key(group)
    if key is None:
        raise SlipRefused(_("This group has no signing key yet. Ask the group's secretary to turn slips on again."))
    return meeting, key, slip_settings.minimum_minutes


def issue_slip(
    meeting_slug: str, commitment: str, minutes_present: int, now: float, *, via: str = "room", base_url: str = ""
) -> dict[str, Any]:
    """Signs a slip for the occurrence of the meeting running at ``now``.

    Returns ``{"slip": payload, "signature", "token", "url", "qr_svg"}``; raises SlipRefused with a sentence
    for the person who asked. The caller has already checked the minutes present (the room does, from its own
    join times). Nothing is written anywhere."""
    if not isinstance(commitment, str) or not COMMITMENT.match(commitment):
        raise SlipRefused(_("The slip request is damaged: reload the page and ask again."))
    if via not in VIA:
        raise SlipRefused(_("The slip request is damaged: reload the page and ask again."))
    meeting, key, minimum = signing_context(meeting_slug)
    if minutes_present < minimum:
        raise SlipRefused(
            _("A slip needs %(needed)d minutes in the meeting; you have been here %(minutes)d.")
            % {"needed": minimum, "minutes": minutes_present}
        )
    payload = build_payload(meeting, key, commitment, minutes_present, now, via)
    signature = sign(payload, keystore.private_key_of(key))
    token = compact(payload, signature)
    url = verify_url(base_url, token)
    return {"slip": payload, "signature": signature, "token": token, "url": url, "qr_svg": qr_svg(url)}


def room_slip_settings(meeting_slug: str) -> tuple[bool, int]:
    """For the room's config: (slips on, minimum minutes). Off when the group has no settings or no key."""
    meeting = Meeting.objects.select_related("group").filter(slug=meeting_slug).first()
    group = None if meeting is None else meeting.group
    found = None if group is None else keystore.settings_of(group)
    if group is None or found is None or not found.enabled or keystore.active_key(group) is None:
        return False, found.minimum_minutes if found else 45
    return True, found.minimum_minutes
