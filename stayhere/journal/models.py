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
    # This journal's reading key pair (X25519), made when it first accepts an invitation: the public half, and
    # the secret half sealed under the journal key.
    reader_public_key = models.CharField(max_length=43, blank=True)
    reader_secret_sealed = models.CharField(max_length=160, blank=True)

    def __str__(self) -> str:
        return f"journal {self.pk}"


class Share(models.Model):
    """An invitation from one journal to a reader (a sponsor, a therapist), and once accepted, that reader.

    The invitation's secret is in the link only (its fragment, which browsers never send); the server keeps the
    hash of a token derived from it, and the owner's note (the reader's name and the secret) sealed under the
    owner's journal key. ``key_mac`` is the reader's public key signed with a key derived from the secret, so
    the owner's browser can check the server did not put in a key of its own."""

    share_id = models.CharField(max_length=22, unique=True)  # 16 random bytes, base64url, the owner's browser chose
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="shares")
    note = models.CharField(max_length=1000)  # sealed under the owner's journal key
    accept_hash = models.CharField(max_length=64)  # sha256 hex of the accept token
    reader = models.ForeignKey(Account, on_delete=models.CASCADE, null=True, blank=True, related_name="readings")
    key_mac = models.CharField(max_length=43, blank=True)
    # The owner's public key signed the same way, so the reader's browser can check whom its notes are sealed
    # for; and the reader's own copy of the invitation's secret, sealed under the reader's journal key.
    owner_key_mac = models.CharField(max_length=43)
    reader_note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"share {self.share_id}"


class Note(models.Model):
    """A reader's note back on an entry shared with them, sealed for the owner's public key (crypto_box_seal)."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="notes")
    entry = models.ForeignKey("Entry", on_delete=models.CASCADE, related_name="notes")
    sealed = models.TextField()

    def __str__(self) -> str:
        return f"note {self.pk}"


class Grant(models.Model):
    """One entry's key, wrapped for one share's reader (crypto_box_seal). Every new seal of the entry replaces
    its grants: the old wrapped key opens nothing new."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="grants")
    entry = models.ForeignKey("Entry", on_delete=models.CASCADE, related_name="grants")
    wrapped = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["share", "entry"], name="journal_grant_unique")]

    def __str__(self) -> str:
        return f"grant {self.pk}"


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
