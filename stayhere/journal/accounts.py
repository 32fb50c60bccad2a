"""Journal accounts: made, signed in to and deleted by proving knowledge of a key, never a passphrase.

The browser derives two keys from the passphrase (journal_crypto.js): the sign-in key, sent with every request
(``Authorization: Journal <handle>:<key>``), and the unwrapping key, which never leaves it. The server keeps
SHA-256 of the sign-in key: that key is 256 random-looking bits, so a fast hash is as strong as a slow one, and
guessing passphrases against a stolen database costs an Argon2id per guess, as the salt and parameters say.

Each request is a sign-in: a wrong key counts as a failed sign-in, with the operators' limits
(stayhere.core.signin, per handle and overall), and refused attempts check no key at all. No session is kept:
the page holds the key in memory, and a reload asks for the passphrase again.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stayhere.core import cache, signin
from stayhere.journal import formats
from stayhere.journal.errors import JournalRefused
from stayhere.journal.models import Account

SCHEME = "Journal"
DUMMY_HASH = "0" * 64


def key_hash(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def _limit_name(handle: str) -> str:
    return f"journal:{handle}"


def begin(handle_value: Any) -> dict[str, Any]:
    """The salt and KDF parameters for a handle, so the browser can derive its keys. A handle that has no journal
    gets a salt of its own all the same (a keyed hash of the handle, the same every time), so this answer never
    tells whether a handle is taken."""
    handle = formats.handle(handle_value)
    account = Account.objects.filter(handle=handle).only("salt", "kdf").first()
    if account is not None:
        return {"salt": account.salt, "kdf": account.kdf}
    fake = hmac.new(settings.SECRET_KEY.encode(), f"journal salt:{handle}".encode(), hashlib.sha256).digest()[:16]
    return {"salt": formats.b64_text(fake), "kdf": formats.DEFAULT_KDF}


def create(data: Any) -> Account:
    """A new journal from {handle, salt, kdf, auth_key, recovery_auth_key, wrapped_key, wrapped_key_recovery}."""
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the new journal as JSON."))
    handle = formats.handle(data.get("handle"))
    formats.b64(data.get("salt"), "salt", formats.SALT_BYTES)
    kdf = formats.kdf(data.get("kdf"))
    auth = formats.b64(data.get("auth_key"), "auth_key", formats.AUTH_KEY_BYTES)
    recovery = formats.b64(data.get("recovery_auth_key"), "recovery_auth_key", formats.AUTH_KEY_BYTES)
    formats.b64(data.get("wrapped_key"), "wrapped_key", formats.SEALED_KEY_BYTES)
    formats.b64(data.get("wrapped_key_recovery"), "wrapped_key_recovery", formats.SEALED_KEY_BYTES)
    _count_signup()
    try:
        with transaction.atomic():
            return Account.objects.create(
                handle=handle,
                salt=data["salt"],
                kdf=kdf,
                auth_hash=key_hash(auth),
                recovery_auth_hash=key_hash(recovery),
                wrapped_key=data["wrapped_key"],
                wrapped_key_recovery=data["wrapped_key_recovery"],
            )
    except IntegrityError:
        raise JournalRefused(_("This handle is taken: choose another one."), status=409) from None


def _count_signup() -> None:
    """New journals per window, over the whole server: a flood of accounts is refused, not stored."""
    index = int(time.time() // settings.SIGNIN_WINDOW_SECONDS)
    key = f"journal:signups:{index}"
    try:
        count: int = cache.use(lambda: django_cache.get(key, 0))
        if count >= settings.JOURNAL_SIGNUPS_PER_WINDOW:
            raise JournalRefused(
                _("Too many new journals on this server just now: try again in a quarter of an hour."),
                status=429,
                retry_after=settings.SIGNIN_WINDOW_SECONDS,
            )
        cache.use(lambda: _count(key))
    except cache.CacheDown:
        raise _unavailable() from None


def _unavailable() -> JournalRefused:
    return JournalRefused(signin.unavailable_sentence(), status=503, retry_after=signin.UNAVAILABLE_RETRY_S)


def _count(key: str) -> None:
    timeout = 2 * settings.SIGNIN_WINDOW_SECONDS
    if not django_cache.add(key, 1, timeout=timeout):
        try:
            django_cache.incr(key)
        except ValueError:  # expired between add and incr
            django_cache.set(key, 1, timeout=timeout)


@dataclass(frozen=True)
class SignedIn:
    account: Account
    by: str  # "passphrase" or "recovery"


def authenticate(header: str) -> SignedIn:
    """The account whose key this Authorization header carries, or JournalRefused (401, 429 or 503)."""
    scheme, _space, credentials = header.partition(" ")
    handle_text, _colon, key_text = credentials.partition(":")
    if scheme != SCHEME or not key_text:
        raise JournalRefused(_("Sign in to your journal first: reload the page."), status=401)
    handle = formats.handle(handle_text)
    key = formats.b64(key_text, "key", formats.AUTH_KEY_BYTES)
    name = _limit_name(handle)
    try:
        refused = signin.refusal(name)
    except cache.CacheDown:
        raise _unavailable() from None
    if refused is not None:
        raise JournalRefused(refused.sentence(), status=429, retry_after=refused.retry_after)
    account = Account.objects.filter(handle=handle).first()
    given = key_hash(key)
    passphrase_ok = hmac.compare_digest(given, account.auth_hash if account else DUMMY_HASH)
    recovery_ok = hmac.compare_digest(given, account.recovery_auth_hash if account else DUMMY_HASH)
    if account is not None and (passphrase_ok or recovery_ok):
        return SignedIn(account, "passphrase" if passphrase_ok else "recovery")
    try:
        signin.record_failure(name)
    except cache.CacheDown:
        raise _unavailable() from None
    raise JournalRefused(
        _("This handle and passphrase (or recovery phrase) do not open a journal here: check both and try again."),
        status=401,
    )


def opening(signed_in: SignedIn) -> dict[str, Any]:
    """What the browser needs after signing in: the journal key sealed for the secret it used."""
    account = signed_in.account
    wrapped = account.wrapped_key if signed_in.by == "passphrase" else account.wrapped_key_recovery
    return {
        "by": signed_in.by,
        "wrapped_key": wrapped,
        "revision": account.revision,
        "reader_public_key": account.reader_public_key or None,
        "reader_secret_sealed": account.reader_secret_sealed or None,
    }


def change_passphrase(account: Account, data: Any) -> None:
    """A new passphrase ({salt, kdf, auth_key, wrapped_key}), as after signing in with the recovery phrase.
    The recovery phrase keeps working."""
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the new passphrase's keys as JSON."))
    formats.b64(data.get("salt"), "salt", formats.SALT_BYTES)
    kdf = formats.kdf(data.get("kdf"))
    auth = formats.b64(data.get("auth_key"), "auth_key", formats.AUTH_KEY_BYTES)
    formats.b64(data.get("wrapped_key"), "wrapped_key", formats.SEALED_KEY_BYTES)
    account.salt, account.kdf, account.auth_hash = data["salt"], kdf, key_hash(auth)
    account.wrapped_key = data["wrapped_key"]
    account.save(update_fields=["salt", "kdf", "auth_hash", "wrapped_key"])
