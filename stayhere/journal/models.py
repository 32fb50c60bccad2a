"""The journal's two tables. Everything a member writes arrives sealed by their browser; the server keeps it
without being able to open it (docs/SECURITY.md, "The journal").

No column holds a title, a date of an entry, a step number, a count or any time at all: the order of writes is a
counter per account (``revision``), so two devices can tell what changed without the server knowing when.
"""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    """A pseudonymous journal: a handle the member chose, and what the browser needs to open the journal again.

    ``salt`` and ``kdf`` are the inputs of the member's passphrase derivation (public by design: the server
    answers them for any handle, see ``accounts.begin``); the two ``*_auth_hash`` columns are SHA-256 of keys
    derived from the passphrase and from the recovery phrase; the two ``wrapped_*`` columns are the journal's
    key sealed under keys the server never sees."""

    handle = models.CharField(max_length=40, unique=True)  # casefolded, [a-z0-9._-]
    salt = models.CharField(max_length=32)  # 16 bytes, base64url
    kdf = models.JSONField()  # {"alg": "argon2id13", "opslimit": 3, "memlimit": 67108864}
    auth_hash = models.CharField(max_length=64)  # sha256 hex of the passphrase's sign-in key
    recovery_auth_hash = models.CharField(max_length=64)  # sha256 hex of the recovery phrase's sign-in key
    wrapped_key = models.CharField(max_length=160)  # the journal key, sealed under the passphrase's unwrap key
    wrapped_key_recovery = models.CharField(max_length=160)  # the same key, sealed under the recovery phrase's
    revision = models.PositiveBigIntegerField(default=0)  # counts the writes to this journal

    def __str__(self) -> str:
        return f"journal {self.pk}"


class Entry(models.Model):
    """One sealed entry: a random id the browser chose, the version of its format, the padded size, and the
    ciphertext (the entry's own key, sealed under the journal key; the body, sealed under the entry's key)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(max_length=22)  # 16 random bytes, base64url
    version = models.PositiveSmallIntegerField()
    bucket = models.PositiveIntegerField()  # the padded plaintext's length: a power of two, 1 KiB to 1 MiB
    key = models.CharField(max_length=160)  # the entry's key, sealed (base64url)
    body = models.TextField()  # the padded entry, sealed (base64url)
    revision = models.PositiveBigIntegerField()  # the account's revision when this entry was last written

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "entry_id"], name="journal_entry_id_unique")]

    def __str__(self) -> str:
        return f"entry {self.entry_id}"
