"""Verdicts on a slip: is it whole, signed by a key of this server, was the key in force, does the name match.

Each verdict has a code for programs and a sentence for the officer reading it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from django.utils.translation import gettext as _

from stayhere.slips import keystore
from stayhere.slips.models import SigningKey
from stayhere.slips.signing import DOMAIN, FIELDS, PREFIX, canonical, commitment_of, parse_salt

MAX_TOKEN = 4000


@dataclass(frozen=True)
class Verdict:
    valid: bool
    code: str  # valid | malformed | forged | altered | revoked | expired_key
    message: str
    slip: dict[str, Any] = field(default_factory=dict)
    key: dict[str, Any] = field(default_factory=dict)
    name: str = ""  # "" (not checked) | match | wrong_name | bad_salt

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "code": self.code,
            "message": self.message,
            "slip": self.slip,
            "key": self.key,
            "name": self.name,
        }


@dataclass(frozen=True)
class NameCheck:
    code: str  # match | wrong_name | bad_salt
    message: str


def extract_token(text: str) -> str:
    """The compact slip out of what was pasted or uploaded: the token, a verify link, or a slip file (JSON)."""
    text = (text or "").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return ""
        return str(data.get("token", "")) if isinstance(data, dict) else ""
    if "#" in text:
        text = unquote(text.rsplit("#", 1)[1])
    return text.strip()


def _malformed() -> Verdict:
    return Verdict(
        False,
        "malformed",
        _("This is not a whole slip: it may be cut short or damaged. Scan the QR code again, or upload the slip file."),
    )


def _decode(token: str) -> tuple[dict[str, Any], bytes, bytes] | None:
    parts = token.split(".")
    if len(token) > MAX_TOKEN or len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        body, signature = keystore.unb64(parts[1]), keystore.unb64(parts[2])
        payload = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(payload, dict) or set(payload) != set(FIELDS) or len(signature) != 64:
        return None
    return payload, body, signature


def _instant(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def key_summary(key: SigningKey) -> dict[str, Any]:
    def when(moment: dt.datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")

    return {
        "id": key.key_id,
        "group": key.group.slug,
        "group_name": key.group.name,
        "public_key": key.public_key,
        "algorithm": "Ed25519",
        "created": when(key.created_at),
        "retired": when(key.retired_at),
        "revoked": when(key.revoked_at),
    }


def verify_token(token: str) -> Verdict:
    """The verdict on a compact slip, without the name (see ``check_name``)."""
    decoded = _decode(extract_token(token))
    if decoded is None:
        return _malformed()
    payload, body, signature = decoded
    issued = _instant(payload.get("issued"))
    if issued is None:
        return _malformed()
    key = SigningKey.objects.select_related("group").filter(key_id=str(payload.get("key"))).first()
    if key is None:
        return Verdict(
            False,
            "forged",
            _("Forged: this slip names a key that no group on this server has. It was not made here."),
            slip=payload,
        )
    summary = key_summary(key)
    try:
        keystore.public_key_of(key).verify(signature, DOMAIN + body)
    except InvalidSignature:
        return Verdict(
            False,
            "altered",
            _(
                "Altered or forged: the signature does not match what the slip says. Something on it was changed "
                "after it was signed, or it was never signed by this group."
            ),
            slip=payload,
            key=summary,
        )
    if body != canonical(payload) or payload.get("group") != key.group.slug:
        return Verdict(False, "altered", _("Altered: the slip is not in the form this server signs."), payload, summary)
    if key.revoked_at is not None:
        return Verdict(
            False,
            "revoked",
            _(
                "Not valid: the group withdrew (revoked) the key that signed this slip on %(date)s, so the signature "
                "proves nothing. Ask the attendee to speak to the group."
            )
            % {"date": summary["revoked"]},
            payload,
            summary,
        )
    if issued < key.created_at - dt.timedelta(minutes=1) or (key.retired_at is not None and issued > key.retired_at):
        return Verdict(
            False,
            "expired_key",
            _(
                "Not valid: the key that signed this slip was not in force on the slip's date (it was replaced on "
                "%(retired)s). A real slip from that date would carry the group's newer key."
            )
            % {"retired": summary["retired"] or summary["created"]},
            payload,
            summary,
        )
    return Verdict(
        True,
        "valid",
        _("Valid: signed by the group %(group)s with its key %(key)s, which was in force on that date.")
        % {"group": key.group.name, "key": key.key_id},
        payload,
        summary,
    )


def check_name(commitment: str, name: str, salt_text: str) -> NameCheck:
    """Whether ``name`` and the salt printed on the slip make the slip's commitment."""
    try:
        salt = parse_salt(salt_text)
    except ValueError as error:
        return NameCheck("bad_salt", str(error))
    if hmac.compare_digest(commitment_of(name, salt), str(commitment)):
        return NameCheck("match", _("The name matches: this slip was made for the name you typed."))
    return NameCheck(
        "wrong_name",
        _(
            "The name does not match: this slip was not made for that name (or the salt was typed wrongly). "
            "Check the spelling of both against the slip."
        ),
    )


def verify_with_name(token: str, name: str, salt_text: str) -> Verdict:
    verdict = verify_token(token)
    if not verdict.slip:
        return verdict
    check = check_name(str(verdict.slip.get("commitment", "")), name, salt_text)
    message = f"{verdict.message} {check.message}"
    return Verdict(
        verdict.valid and check.code == "match", verdict.code, message, verdict.slip, verdict.key, check.code
    )
