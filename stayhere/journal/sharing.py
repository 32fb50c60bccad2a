"""Sharing entries with a reader: invitations, their acceptance, the grants of entries' keys, and what a reader
receives. The server relays sealed keys; it never holds one that opens an entry (docs/journal.md, Sharing)."""

from __future__ import annotations

import hmac
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stayhere.journal import formats
from stayhere.journal.accounts import key_hash
from stayhere.journal.errors import JournalRefused
from stayhere.journal.models import Account, Entry, Grant, Note, Share

WRAPPED_FOR_READER_BYTES = 48 + 22 + 32  # crypto_box_seal of the entry id (22 characters) and its key
PUBLIC_KEY_BYTES = 32
NOTE_MAX_BYTES = 700  # a name of 60 characters of any script, the secret, and the seal
SHARES_MAX = 50
NOTE_SEALED_BUCKETS = frozenset(48 + 1024 * n for n in range(1, 17))  # a padded note of 1 to 16 KiB, sealed
NOTES_MAX = 200  # per share


def set_reader_key(account: Account, data: Any) -> None:
    """The journal's reading key pair: {public_key, secret_sealed}, set once."""
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the reading key as JSON."))
    formats.b64(data.get("public_key"), "public_key", PUBLIC_KEY_BYTES)
    formats.b64(data.get("secret_sealed"), "secret_sealed", formats.SEALED_KEY_BYTES)
    if account.reader_public_key:
        raise JournalRefused(_("This journal already has a reading key: reload the page."), status=409)
    account.reader_public_key, account.reader_secret_sealed = data["public_key"], data["secret_sealed"]
    account.save(update_fields=["reader_public_key", "reader_secret_sealed"])


def invite(owner: Account, data: Any) -> Share:
    """A new invitation: {id, note, accept_hash} (the note sealed in the owner's browser)."""
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the invitation as JSON."))
    share_id = formats.entry_id(data.get("id"))
    note = formats.b64(data.get("note"), "note")
    if not 1 + 24 + 16 < len(note) <= NOTE_MAX_BYTES:
        raise JournalRefused(_("The reader's name is too long: shorten it to a few words."))
    if not owner.reader_public_key:
        raise JournalRefused(_("Make your reading key first: reload the page and try again."), status=409)
    formats.b64(data.get("owner_key_mac"), "owner_key_mac", 32)
    accept_hash = data.get("accept_hash")
    if (
        not isinstance(accept_hash, str)
        or len(accept_hash) != 64
        or not all(c in "0123456789abcdef" for c in accept_hash)
    ):
        raise JournalRefused(_("The invitation is damaged: reload the page and make it again."))
    if Share.objects.filter(owner=owner).count() >= SHARES_MAX:
        raise JournalRefused(
            _("This journal has %(count)s invitations, as many as it may: withdraw some first.")
            % {"count": SHARES_MAX},
            status=409,
        )
    try:
        with transaction.atomic():
            return Share.objects.create(
                share_id=share_id,
                owner=owner,
                note=data["note"],
                accept_hash=accept_hash,
                owner_key_mac=data["owner_key_mac"],
            )
    except IntegrityError:
        raise JournalRefused(_("The invitation is damaged: reload the page and make it again."), status=409) from None


def accept(reader: Account, share_id_value: str, data: Any) -> Share:
    """The reader's acceptance: {accept_token, key_mac}; the reader's public key is the one its journal holds."""
    share_id = formats.entry_id(share_id_value)
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the acceptance as JSON."))
    token = formats.b64(data.get("accept_token"), "accept_token", 32)
    formats.b64(data.get("key_mac"), "key_mac", 32)
    if not 1 + 24 + 16 < len(formats.b64(data.get("reader_note"), "reader_note")) <= 140:  # sealed {"secret"}
        raise JournalRefused(_("The field reader_note is missing or damaged: reload the page and try again."))
    if not reader.reader_public_key:
        raise JournalRefused(_("Make your reading key first: reload the page and open the link again."), status=409)
    with transaction.atomic():
        share = Share.objects.select_for_update().filter(share_id=share_id).first()
        if share is None or not hmac.compare_digest(share.accept_hash, key_hash(token)):
            raise JournalRefused(_("This invitation link is not valid: ask for a new one."), status=404)
        if share.owner_id == reader.pk:
            raise JournalRefused(_("This is your own invitation: send the link to your reader instead."), status=409)
        if share.reader_id is not None:
            raise JournalRefused(_("This invitation was already accepted: ask for a new one."), status=409)
        share.reader, share.key_mac, share.reader_note = reader, data["key_mac"], data["reader_note"]
        share.save(update_fields=["reader", "key_mac", "reader_note"])
    return share


def owners_shares(owner: Account) -> list[dict[str, Any]]:
    shares = Share.objects.filter(owner=owner).select_related("reader").order_by("pk")
    notes: dict[int, list[dict[str, Any]]] = {}
    for share_pk, entry_id, sealed in (
        Note.objects.filter(share__owner=owner).order_by("pk").values_list("share_id", "entry__entry_id", "sealed")
    ):
        notes.setdefault(share_pk, []).append({"entry": entry_id, "sealed": sealed})
    granted: dict[int, list[str]] = {}
    for share_pk, entry_id in Grant.objects.filter(share__owner=owner).values_list("share_id", "entry__entry_id"):
        granted.setdefault(share_pk, []).append(entry_id)
    return [
        {
            "id": share.share_id,
            "note": share.note,
            "accepted": share.reader_id is not None,
            "reader_public_key": share.reader.reader_public_key if share.reader else None,
            "key_mac": share.key_mac or None,
            "entries": granted.get(share.pk, []),
            "notes": notes.get(share.pk, []),
        }
        for share in shares
    ]


def withdraw(owner: Account, share_id_value: str) -> None:
    """Ends a share: the reader and every key wrapped for them are dropped (the page re-seals the entries first)."""
    share_id = formats.entry_id(share_id_value)
    deleted, _rows = Share.objects.filter(owner=owner, share_id=share_id).delete()
    if not deleted:
        raise JournalRefused(_("There is no such invitation: reload the page."), status=404)


def grants_of(owner: Account, data: Any) -> dict[str, str]:
    """The {share id: wrapped key} of an entry's write, each for an accepted share of this journal."""
    value = data.get("grants", {}) if isinstance(data, dict) else {}
    if not isinstance(value, dict):
        raise JournalRefused(_("The entry's sharing is damaged: reload the page and try again."))
    for share_id, wrapped in value.items():
        formats.entry_id(share_id)
        formats.b64(wrapped, "grants", WRAPPED_FOR_READER_BYTES)
    return value


def replace_grants(owner: Account, entry: Entry, grants: dict[str, str]) -> None:
    """Inside the entry's write: its grants become exactly these (a new seal makes every old one useless)."""
    Grant.objects.filter(entry=entry).delete()
    if not grants:
        return
    shares = dict(
        Share.objects.filter(owner=owner, share_id__in=list(grants), reader__isnull=False).values_list("share_id", "pk")
    )
    missing = set(grants) - set(shares)
    if missing:
        raise JournalRefused(_("This entry was to be shared with a reader who is no longer invited: reload the page."))
    Grant.objects.bulk_create([Grant(share_id=shares[sid], entry=entry, wrapped=w) for sid, w in grants.items()])


def shared_with(reader: Account) -> list[dict[str, Any]]:
    """Everything shared with this reader, by share: the owner's handle and each entry's body and wrapped key."""
    shares = Share.objects.filter(reader=reader).select_related("owner").order_by("pk")
    out = []
    for share in shares:
        grants = Grant.objects.filter(share=share).select_related("entry").order_by("entry__revision")
        out.append(
            {
                "id": share.share_id,
                "owner": share.owner.handle,
                "owner_public_key": share.owner.reader_public_key,
                "owner_key_mac": share.owner_key_mac,
                "reader_note": share.reader_note,
                "entries": [
                    {
                        "id": g.entry.entry_id,
                        "version": g.entry.version,
                        "bucket": g.entry.bucket,
                        "body": g.entry.body,
                        "wrapped": g.wrapped,
                    }
                    for g in grants
                ],
            }
        )
    return out


def leave_note(reader: Account, share_id_value: str, data: Any) -> None:
    """A reader's note back on an entry shared with them: {entry, sealed} (sealed for the owner's key)."""
    share_id = formats.entry_id(share_id_value)
    if not isinstance(data, dict):
        raise JournalRefused(_("Send the note as JSON."))
    entry_id = formats.entry_id(data.get("entry"))
    sealed = formats.b64(data.get("sealed"), "sealed")
    if len(sealed) not in NOTE_SEALED_BUCKETS:
        raise JournalRefused(_("A note holds at most 16 KiB: shorten it."))
    grant = Grant.objects.filter(share__share_id=share_id, share__reader=reader, entry__entry_id=entry_id).first()
    if grant is None:
        raise JournalRefused(_("This entry is no longer shared with you, so no note can be left on it."), status=404)
    if Note.objects.filter(share_id=grant.share_id).count() >= NOTES_MAX:
        raise JournalRefused(_("You have left as many notes as this server keeps for one person."), status=409)
    Note.objects.create(share_id=grant.share_id, entry_id=grant.entry_id, sealed=data["sealed"])
