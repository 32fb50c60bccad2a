"""Signing keys at rest: made, encrypted with a key derived from SECRET_KEY, rotated and revoked.

Why encrypt: a copy of the database alone (a backup, a dump handed to someone) must not let anyone sign slips.
Changing SECRET_KEY makes the stored private keys unreadable; the group then rotates to a new key, and the old
public keys still verify the slips they signed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction

from stayhere.directory.models import Group
from stayhere.slips.models import SigningKey, SlipSettings


class KeyProblem(Exception):
    """A key operation that cannot be done; the message says what to do."""


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Decodes base64url with or without padding; raises ValueError on anything else."""
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fernet() -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"stayhere.slips", info=b"signing keys at rest").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_raw(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def private_key_of(key: SigningKey) -> Ed25519PrivateKey:
    try:
        raw = _fernet().decrypt(key.private_key.encode("ascii"))
    except InvalidToken as error:
        raise KeyProblem(
            f"The private key {key.key_id} cannot be read with this server's SECRET_KEY (was it changed?). "
            f"Rotate the group's key: stayhere slip_keys {key.group.slug} --rotate"
        ) from error
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_of(key: SigningKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(key.public_key))


def code_secret(key: SigningKey) -> bytes:
    """The per-key secret of the in-person minute codes, derived from the private key (nothing more stored)."""
    return hmac.new(private_raw(private_key_of(key)), b"stayhere in-person minute codes", hashlib.sha256).digest()


def new_key(group: Group, now: dt.datetime, private: Ed25519PrivateKey | None = None) -> SigningKey:
    private = private or Ed25519PrivateKey.generate()
    raw = public_raw(private)
    return SigningKey.objects.create(
        group=group,
        key_id=key_id_of(raw),
        public_key=b64(raw),
        private_key=_fernet().encrypt(private_raw(private)).decode("ascii"),
        created_at=now,
    )


def active_key(group: Group) -> SigningKey | None:
    return group.signing_keys.filter(retired_at=None, revoked_at=None).order_by("-created_at").first()


def settings_of(group: Group) -> SlipSettings | None:
    return SlipSettings.objects.filter(group=group).first()


def enable(group: Group, now: dt.datetime, minimum_minutes: int | None = None) -> SigningKey:
    """Turns slips on for the group, with a key (a new one if it has no active key)."""
    with transaction.atomic():
        slip_settings, _ = SlipSettings.objects.get_or_create(group=group)
        slip_settings.enabled = True
        if minimum_minutes is not None:
            slip_settings.minimum_minutes = minimum_minutes
        slip_settings.save()
        return active_key(group) or new_key(group, now)


def disable(group: Group) -> None:
    SlipSettings.objects.filter(group=group).update(enabled=False)


def rotate(group: Group, now: dt.datetime) -> SigningKey:
    """A new key signs from now; the old one is retired and still verifies the slips it signed."""
    with transaction.atomic():
        group.signing_keys.filter(retired_at=None, revoked_at=None).update(retired_at=now)
        return new_key(group, now)


def revoke(group: Group, key_id: str, now: dt.datetime) -> SigningKey:
    """Withdraws a key: slips it signed no longer verify. If it was the active key, a new one takes over."""
    with transaction.atomic():
        key = group.signing_keys.filter(key_id=key_id).first()
        if key is None:
            known = ", ".join(group.signing_keys.values_list("key_id", flat=True)) or "none"
            raise KeyProblem(f"The group {group.slug} has no key {key_id!r}. Its keys: {known}.")
        if key.revoked_at is not None:
            raise KeyProblem(f"The key {key_id} is already revoked; nothing changed.")
        was_active = key.active
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
        if was_active:
            new_key(group, now)
        return key
