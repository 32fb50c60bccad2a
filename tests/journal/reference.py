"""The journal's format in Python (PyNaCl), written from its description in stayhere/static/stayhere/journal_crypto.js.

The server never opens a journal: this lives in the tests, to pin the browser's format from a second
implementation (the cross-language vectors in tests/data/journal_vectors/) and to let the canary tests write
real ciphertext. ``python -m tests.journal.reference`` rewrites tests/data/journal_vectors/python.json.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

import nacl.bindings as sodium
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.pwhash.argon2id as argon2id

VERSION = 1
OPSLIMIT = 3
MEMLIMIT = 64 * 1024 * 1024
NONCE = 24
TAG = 16
BUCKETS = [1024 * 2**i for i in range(11)]
BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VECTORS = Path(__file__).resolve().parents[1] / "data" / "journal_vectors"


class JournalCryptoError(Exception):
    def __init__(self, code: str, sentence: str) -> None:
        super().__init__(sentence)
        self.code = code


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _subkey(root: bytes, context: str) -> bytes:
    return nacl.hash.blake2b(context.encode(), digest_size=32, key=root, encoder=nacl.encoding.RawEncoder)


def keys_from_passphrase(passphrase: str, salt: bytes) -> tuple[bytes, bytes]:
    """(auth key, unwrap key)."""
    root = argon2id.kdf(32, unicodedata.normalize("NFC", passphrase).encode(), salt, OPSLIMIT, MEMLIMIT)
    return _subkey(root, "stayhere journal v1 sign-in"), _subkey(root, "stayhere journal v1 unwrap")


def recovery_bytes(phrase: str) -> bytes:
    clean = phrase.upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    if len(clean) != 32 or any(c not in BASE32 for c in clean):
        raise JournalCryptoError("recovery", "A recovery phrase is 32 letters and digits in eight groups of four.")
    number = 0
    for c in clean:
        number = number << 5 | BASE32.index(c)
    return number.to_bytes(20, "big")


def keys_from_recovery(phrase: str) -> tuple[bytes, bytes]:
    raw = recovery_bytes(phrase)
    return _subkey(raw, "stayhere journal v1 recovery sign-in"), _subkey(raw, "stayhere journal v1 recovery unwrap")


def _ad(purpose: str, entry_id: str) -> bytes:
    return f"{VERSION}|{purpose}|{entry_id}".encode()


def _seal(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return bytes([VERSION]) + nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)


def _open(key: bytes, blob: bytes, ad: bytes, failure: JournalCryptoError) -> bytes:
    if len(blob) < 1 + NONCE + TAG:
        raise failure
    if blob[0] != VERSION:
        raise JournalCryptoError("version", "This was written by a newer version of stayhere.")
    try:
        return bytes(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[1 + NONCE :], ad, blob[1 : 1 + NONCE], key))
    except nacl.exceptions.CryptoError:
        raise failure from None


WRONG_PASSPHRASE = "This passphrase does not open this journal: check it and try again, or use your recovery phrase."
WRONG_RECOVERY = "This recovery phrase does not open this journal: check each group of four and try again."
DAMAGED = (
    "This entry was changed or damaged after it was written, so it cannot be opened; "
    "your other entries are not affected."
)


def wrap_journal_key(unwrap_key: bytes, journal_key: bytes, which: str) -> bytes:
    return _seal(unwrap_key, journal_key, _ad(f"journal-key:{which}", ""))


def unwrap_journal_key(unwrap_key: bytes, blob: bytes, which: str) -> bytes:
    failure = JournalCryptoError(f"wrong-{which}", WRONG_PASSPHRASE if which == "passphrase" else WRONG_RECOVERY)
    return _open(unwrap_key, blob, _ad(f"journal-key:{which}", ""), failure)


def seal_entry(journal_key: bytes, entry_id: str, content: Any) -> dict[str, Any]:
    plain = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    bucket = next(size for size in BUCKETS if size > len(plain))
    entry_key = os.urandom(32)
    return {
        "id": entry_id,
        "version": VERSION,
        "bucket": bucket,
        "key": b64(_seal(journal_key, entry_key, _ad("entry-key", entry_id))),
        "body": b64(_seal(entry_key, sodium.sodium_pad(plain, bucket), _ad("entry", entry_id))),
    }


def open_entry(journal_key: bytes, record: dict[str, Any]) -> Any:
    damaged = JournalCryptoError("damaged", DAMAGED)
    entry_key = _open(journal_key, unb64(record["key"]), _ad("entry-key", record["id"]), damaged)
    padded = _open(entry_key, unb64(record["body"]), _ad("entry", record["id"]), damaged)
    if len(padded) != record["bucket"]:
        raise damaged
    try:
        return json.loads(sodium.sodium_unpad(padded, record["bucket"]).decode())
    except (ValueError, nacl.exceptions.CryptoError):
        raise damaged from None


def invite_keys(secret: bytes) -> tuple[bytes, bytes]:
    """(accept token, MAC key) from an invitation's secret."""
    return (
        _subkey(secret, "stayhere journal v1 invitation accept"),
        _subkey(secret, "stayhere journal v1 invitation key mac"),
    )


def key_mac(mac_key: bytes, public_key: bytes) -> bytes:
    return nacl.hash.blake2b(public_key, digest_size=32, key=mac_key, encoder=nacl.encoding.RawEncoder)


def share_entry(journal_key: bytes, record: dict[str, Any], reader_public: bytes) -> dict[str, Any]:
    """What a reader receives of a shared entry: the body, and the entry's key wrapped for the reader."""
    entry_key = _open(journal_key, unb64(record["key"]), _ad("entry-key", record["id"]), JournalCryptoError("x", "x"))
    wrapped = sodium.crypto_box_seal(record["id"].encode() + entry_key, reader_public)
    return {"id": record["id"], "bucket": record["bucket"], "body": record["body"], "wrapped": b64(wrapped)}


def open_shared(reader_public: bytes, reader_secret: bytes, shared: dict[str, Any]) -> Any:
    gone = JournalCryptoError("revoked", "This entry is no longer shared with you.")
    try:
        message = sodium.crypto_box_seal_open(unb64(shared["wrapped"]), reader_public, reader_secret)
    except nacl.exceptions.CryptoError:
        raise gone from None
    entry_id = shared["id"].encode()
    if len(message) != len(entry_id) + 32 or not message.startswith(entry_id):
        raise gone
    padded = _open(message[len(entry_id) :], unb64(shared["body"]), _ad("entry", shared["id"]), gone)
    return json.loads(sodium.sodium_unpad(padded, shared["bucket"]).decode())


# The inputs both vector files share: a known passphrase, salt and recovery phrase.
PASSPHRASE = "correct horse, naïve battery staple"
SALT = bytes(range(16))
RECOVERY = "7K2M-Q9XD-4RTV-H8PW-3NZC-6JYB-1FGE-5SA0"
INVITE_SECRET = bytes(range(32, 64))
CONTENT = {"kind": "step", "step": 4, "title": "Résumé of fears", "body": "I was afraid of — everything. 🌱"}


def make_vectors() -> dict[str, Any]:
    auth, unwrap = keys_from_passphrase(PASSPHRASE, SALT)
    recovery_auth, recovery_unwrap = keys_from_recovery(RECOVERY)
    journal_key = os.urandom(32)
    entry_id = b64(os.urandom(16))
    entry = seal_entry(journal_key, entry_id, CONTENT)
    reader_public, reader_secret = sodium.crypto_box_keypair()
    accept, mac_key = invite_keys(INVITE_SECRET)
    return {
        "made_by": "python",
        "passphrase": PASSPHRASE,
        "salt": b64(SALT),
        "kdf": {"alg": "argon2id13", "opslimit": OPSLIMIT, "memlimit": MEMLIMIT},
        "auth_key": b64(auth),
        "unwrap_key": b64(unwrap),
        "recovery": RECOVERY,
        "recovery_auth_key": b64(recovery_auth),
        "recovery_unwrap_key": b64(recovery_unwrap),
        "wrapped_passphrase": b64(wrap_journal_key(unwrap, journal_key, "passphrase")),
        "wrapped_recovery": b64(wrap_journal_key(recovery_unwrap, journal_key, "recovery")),
        "entry": entry,
        "content": CONTENT,
        "invite_secret": b64(INVITE_SECRET),
        "accept_token": b64(accept),
        "reader_public": b64(reader_public),
        "reader_secret": b64(reader_secret),
        "key_mac": b64(key_mac(mac_key, reader_public)),
        "shared": share_entry(journal_key, entry, reader_public),
    }


if __name__ == "__main__":
    VECTORS.mkdir(parents=True, exist_ok=True)
    (VECTORS / "python.json").write_text(json.dumps(make_vectors(), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.write(f"wrote {VECTORS / 'python.json'}\n")


def key_hash_hex(key: bytes) -> str:
    """What the server keeps of a sign-in key (stayhere.journal.accounts.key_hash)."""
    import hashlib

    return hashlib.sha256(key).hexdigest()
