"""What the server checks of what a browser sends: the shapes of handles, keys and sealed blobs.

The server cannot open a blob, so it checks only that each has the length its format gives it
(stayhere/static/stayhere/journal_crypto.js): a version byte, a 24-byte nonce, the sealed bytes, a 16-byte tag.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from django.utils.translation import gettext as _

from stayhere.journal.errors import JournalRefused

VERSION = 1
BUCKETS = frozenset(1024 * 2**i for i in range(11))  # 1 KiB ... 1 MiB
SEALED_KEY_BYTES = 1 + 24 + 32 + 16
SALT_BYTES = 16
AUTH_KEY_BYTES = 32
ENTRY_ID_BYTES = 16
# Argon2id no weaker than OWASP's minimum (19 MiB, 2 passes), and no heavier than a phone can bear.
KDF_ALG = "argon2id13"
KDF_OPSLIMIT = (2, 20)
KDF_MEMLIMIT = (19 * 1024 * 1024, 1024 * 1024 * 1024)
DEFAULT_KDF = {"alg": KDF_ALG, "opslimit": 3, "memlimit": 64 * 1024 * 1024}

HANDLE = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
B64URL = re.compile(r"[A-Za-z0-9_-]*")


def sealed_length(bucket: int) -> int:
    return 1 + 24 + bucket + 16


def handle(value: Any) -> str:
    text = value.strip().casefold() if isinstance(value, str) else ""
    if not HANDLE.fullmatch(text):
        raise JournalRefused(
            _(
                "A handle is 3 to 40 letters, digits, dots, dashes or underscores, starting with a letter or a "
                "digit, and no name of yours: choose one like that."
            )
        )
    return text


def b64(value: Any, what: str, length: int | None = None) -> bytes:
    """The bytes of a base64url field (no padding) of an exact length, or a sentence naming the field."""
    if isinstance(value, str) and B64URL.fullmatch(value) and len(value) % 4 != 1:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        if length is None or len(raw) == length:
            return raw
    raise JournalRefused(
        _("The field %(field)s is missing or damaged: reload the page and try again; nothing was changed.")
        % {"field": what}
    )


def kdf(value: Any) -> dict[str, Any]:
    ok = (
        isinstance(value, dict)
        and set(value) == {"alg", "opslimit", "memlimit"}
        and value["alg"] == KDF_ALG
        and all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in ("opslimit", "memlimit"))
        and KDF_OPSLIMIT[0] <= value["opslimit"] <= KDF_OPSLIMIT[1]
        and KDF_MEMLIMIT[0] <= value["memlimit"] <= KDF_MEMLIMIT[1]
    )
    if not ok:
        raise JournalRefused(
            _(
                "The passphrase's key derivation must be Argon2id with at least 19 MiB of memory and 2 passes: "
                "reload the page to get the current version, and try again."
            )
        )
    return {"alg": value["alg"], "opslimit": value["opslimit"], "memlimit": value["memlimit"]}


def entry_id(value: Any) -> str:
    b64(value, "id", ENTRY_ID_BYTES)
    return str(value)


def base(data: Any) -> int:
    """The entry revision a write was made from ("base"): 0 for a new entry."""
    value = data.get("base") if isinstance(data, dict) else None
    if isinstance(value, str) and value.isdigit():  # from a query string
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise JournalRefused(
            _('Say which version of the entry this change was made from ("base"): reload the page and try again.')
        )
    return value


def entry(data: Any) -> dict[str, Any]:
    """A sealed entry as the browser sends it: {version, bucket, key, body}, each checked."""
    if not isinstance(data, dict):
        raise JournalRefused(_('Send the entry as JSON: {"version", "bucket", "key", "body"}.'))
    if data.get("version") != VERSION:
        raise JournalRefused(
            _("This entry's format (version %(version)s) is not one this server keeps: reload the page.")
            % {"version": str(data.get("version"))[:10]}
        )
    bucket = data.get("bucket")
    if not isinstance(bucket, int) or isinstance(bucket, bool) or bucket not in BUCKETS:
        raise JournalRefused(_("The entry's size is not one of the padded sizes: reload the page and try again."))
    b64(data.get("key"), "key", SEALED_KEY_BYTES)
    b64(data.get("body"), "body", sealed_length(bucket))
    return {"version": VERSION, "bucket": bucket, "key": data["key"], "body": data["body"]}


def b64_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
