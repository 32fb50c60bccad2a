"""Two-step sign-in for servants: a time-based code from an authenticator app (TOTP, RFC 6238, through
django-otp's TOTPDevice), asked after the password when the servant has turned it on.

Enrolment draws a key, shows it once as a QR code and as text, and turns the step on only when a code made from
it is typed back. A wrong code counts against the same sign-in limits as a wrong password; django-otp also
slows repeated failures on the device itself.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from stayhere.service.models import RecoveryCode

NAME = "authenticator app"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_FORM = re.compile(r"^[a-z0-9]{5}-[a-z0-9]{5}$")


def confirmed_device(user: Any) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def enrolment(user: Any) -> TOTPDevice:
    """The servant's unconfirmed device, drawn now when there is none."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app's "enter a key" field wants it: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth link as an SVG QR code in a data: URI (the page's CSP allows images from data:)."""
    uri: str = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return uri


class CodeRefused(Exception):
    """The code was not accepted; the message is a sentence saying what to do."""


def check(device: TOTPDevice, code: str) -> None:
    """Accepts the code once (CodeRefused when it is wrong, or when wrong codes came too fast just before)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        until = (details or {}).get("locked_until")
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
        raise CodeRefused(
            _("Several wrong codes in a row: wait %(seconds)d seconds, then type the code the app shows then.")
            % {"seconds": seconds}
        )
    if not device.verify_token(code.strip()):
        raise CodeRefused(_("That code is not the one your authenticator app shows now: type the current one."))


def confirm(device: TOTPDevice, code: str) -> None:
    """Turns the step on when the code is right (CodeRefused otherwise); the servant's other devices go."""
    check(device, code)
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def turn_off(user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def _code_hash(code: str) -> str:
    normal = code.strip().lower()
    return hmac.new(settings.SECRET_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(user: Any) -> list[str]:
    """Draws the servant's recovery codes afresh (the old ones stop working) and returns them, to be shown once."""
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _part in range(2))
        for _code in range(RECOVERY_CODES)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_code_hash(code)) for code in codes])
    return codes


def is_recovery_code(text: str) -> bool:
    return bool(RECOVERY_FORM.match(text.strip().lower()))


def use_recovery_code(user: Any, code: str) -> None:
    """Accepts an unused recovery code of this servant once (CodeRefused otherwise)."""
    with transaction.atomic():
        kept = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_code_hash(code), used_at__isnull=True)
            .first()
        )
        if kept is None:
            raise CodeRefused(_("That recovery code is not one of yours, or it has been used: try another."))
        kept.used_at = timezone.now()
        kept.save(update_fields=["used_at"])


def verify(user: Any, code: str) -> None:
    """Accepts the code for the servant's confirmed device (CodeRefused otherwise)."""
    device = confirmed_device(user)
    if device is None:
        raise CodeRefused(_("Two-step sign-in is not on for this account."))
    check(device, code)
