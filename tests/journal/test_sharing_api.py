"""Sharing over the API: an invitation, its acceptance by a reader's journal, entries' keys wrapped for the
reader, the reader receiving exactly those, and revoking by re-sealing. Real keys and blobs (PyNaCl)."""

from __future__ import annotations

import hashlib
import json
import os

import nacl.bindings as sodium
import pytest
from django.test import Client

from stayhere.journal.models import Grant, Share
from tests.journal import reference as ref
from tests.journal.test_api import fresh_counters, post  # noqa: F401  (the fixture resets the sign-in counters)

pytestmark = pytest.mark.django_db


class Journal:
    """A journal made through the API, with its keys in hand, as a browser would hold them."""

    def __init__(self, client: Client, handle: str) -> None:
        self.client, self.handle = client, handle
        self.auth, self.journal_key = os.urandom(32), os.urandom(32)
        unwrap, recovery_unwrap = os.urandom(32), os.urandom(32)
        body = {
            "handle": handle,
            "salt": ref.b64(os.urandom(16)),
            "kdf": {"alg": "argon2id13", "opslimit": 3, "memlimit": ref.MEMLIMIT},
            "auth_key": ref.b64(self.auth),
            "recovery_auth_key": ref.b64(os.urandom(32)),
            "wrapped_key": ref.b64(ref.wrap_journal_key(unwrap, self.journal_key, "passphrase")),
            "wrapped_key_recovery": ref.b64(ref.wrap_journal_key(recovery_unwrap, self.journal_key, "recovery")),
        }
        assert post(client, "accounts", body).status_code == 201
        self.revisions: dict[str, int] = {}
        self.public = self.secret = b""

    def call(self, path: str, body=None, method: str = "post"):
        return post(self.client, path, body, key=ref.b64(self.auth), handle=self.handle, method=method)

    def write(self, entry_id: str, content, readers: dict[str, bytes] | None = None):
        record = ref.seal_entry(self.journal_key, entry_id, content)
        grants = {sid: ref.share_entry(self.journal_key, record, pk)["wrapped"] for sid, pk in (readers or {}).items()}
        body = {**record, "base": self.revisions.get(entry_id, 0), "grants": grants}
        answer = self.call(f"entries/{entry_id}", body, method="put")
        assert answer.status_code == 200, answer.content
        self.revisions[entry_id] = answer.json()["revision"]
        return record

    def make_reader_key(self):
        self.public, self.secret = sodium.crypto_box_keypair()
        sealed = ref.b64(ref._seal(self.journal_key, self.secret, b"1|reader-secret|"))
        assert self.call("reader-key", {"public_key": ref.b64(self.public), "secret_sealed": sealed}).status_code == 200


def invite(owner: Journal) -> tuple[str, bytes]:
    if not owner.public:
        owner.make_reader_key()
    share_id, secret = ref.b64(os.urandom(16)), os.urandom(32)
    accept, mac_key = ref.invite_keys(secret)
    note = ref.b64(
        ref._seal(owner.journal_key, json.dumps({"name": "Sponsor"}).encode(), b"1|share|" + share_id.encode())
    )
    body = {
        "id": share_id,
        "note": note,
        "accept_hash": hashlib.sha256(accept).hexdigest(),
        "owner_key_mac": ref.b64(ref.key_mac(mac_key, owner.public)),
    }
    assert owner.call("shares", body).status_code == 201
    return share_id, secret


def accept(reader: Journal, share_id: str, secret: bytes):
    token, mac_key = ref.invite_keys(secret)
    kept = json.dumps({"secret": ref.b64(secret)}).encode()
    body = {
        "accept_token": ref.b64(token),
        "key_mac": ref.b64(ref.key_mac(mac_key, reader.public)),
        "reader_note": ref.b64(ref._seal(reader.journal_key, kept, b"1|reader-note|" + share_id.encode())),
    }
    return reader.call(f"shares/{share_id}/accept", body)


@pytest.fixture
def pair(client):
    member, sponsor = Journal(client, "member-one"), Journal(client, "sponsor-one")
    sponsor.make_reader_key()
    share_id, secret = invite(member)
    assert accept(sponsor, share_id, secret).json() == {"id": share_id, "owner": "member-one"}
    return member, sponsor, share_id, secret


def test_the_reader_receives_exactly_the_entries_shared_with_them_and_opens_them(pair):
    member, sponsor, share_id, _secret = pair
    ids = [ref.b64(bytes([n]) * 16) for n in (1, 2, 3)]
    for n, entry_id in enumerate(ids):
        readers = {share_id: sponsor.public} if n < 2 else None
        member.write(entry_id, {"title": f"entry {n}"}, readers)
    shared = sponsor.call("shared", method="get").json()["shares"]
    assert [s["owner"] for s in shared] == ["member-one"]
    received = shared[0]["entries"]
    assert sorted(e["id"] for e in received) == sorted(ids[:2])
    assert sorted(ref.open_shared(sponsor.public, sponsor.secret, e)["title"] for e in received) == [
        "entry 0",
        "entry 1",
    ]
    listing = member.call("shares", method="get").json()["shares"]
    assert listing[0]["accepted"] and sorted(listing[0]["entries"]) == sorted(ids[:2])
    _accept, mac_key = ref.invite_keys(pair[3])
    assert ref.key_mac(mac_key, ref.unb64(listing[0]["reader_public_key"])) == ref.unb64(listing[0]["key_mac"])


def test_revoking_reseals_the_entry_and_the_old_wrapped_key_no_longer_opens_it(pair):
    member, sponsor, share_id, _secret = pair
    entry_id = ref.b64(b"\x04" * 16)
    member.write(entry_id, {"title": "fifth step"}, {share_id: sponsor.public})
    old = sponsor.call("shared", method="get").json()["shares"][0]["entries"][0]
    member.write(entry_id, {"title": "fifth step"})  # re-sealed under a fresh key, for nobody
    assert sponsor.call("shared", method="get").json()["shares"][0]["entries"] == []
    new_body = member.call("journal", method="get").json()["entries"][0]["body"]
    with pytest.raises(ref.JournalCryptoError, match="no longer shared"):
        ref.open_shared(sponsor.public, sponsor.secret, {**old, "body": new_body})
    assert not Grant.objects.exists()


def test_withdrawing_an_invitation_drops_the_reader_and_every_key_wrapped_for_them(pair):
    member, sponsor, share_id, _secret = pair
    member.write(ref.b64(b"\x05" * 16), {"title": "x"}, {share_id: sponsor.public})
    assert member.call(f"shares/{share_id}", method="delete").json() == {"deleted": True}
    assert sponsor.call("shared", method="get").json()["shares"] == []
    assert not Share.objects.exists() and not Grant.objects.exists()


def test_an_invitation_accepts_once_with_its_token_only_and_never_by_its_owner(client, pair):
    member, sponsor, share_id, secret = pair
    again = accept(sponsor, share_id, secret)
    assert again.status_code == 409 and "already accepted" in again.json()["error"]
    other_id, other_secret = invite(member)
    wrong = accept(sponsor, other_id, os.urandom(32))
    assert wrong.status_code == 404 and "not valid" in wrong.json()["error"]
    own = accept(member, other_id, other_secret)
    assert own.status_code == 409 and "your own invitation" in own.json()["error"]
    stranger = Journal(client, "stranger-one")
    no_key = accept(stranger, other_id, other_secret)
    assert no_key.status_code == 409 and "reading key first" in no_key.json()["error"]


def test_an_entry_cannot_be_shared_with_an_invitation_not_yet_accepted_or_another_journals(client, pair):
    member, sponsor, share_id, _secret = pair
    waiting_id, _ = invite(member)
    entry_id = ref.b64(b"\x06" * 16)
    record = ref.seal_entry(member.journal_key, entry_id, {"title": "x"})
    wrapped = ref.share_entry(member.journal_key, record, sponsor.public)["wrapped"]
    refused = member.call(f"entries/{entry_id}", {**record, "base": 0, "grants": {waiting_id: wrapped}}, method="put")
    assert refused.status_code == 400 and "no longer invited" in refused.json()["error"]
    assert member.call("journal", method="get").json()["entries"] == []  # the whole write was refused
    damaged = member.call(f"entries/{entry_id}", {**record, "base": 0, "grants": {share_id: "AAAA"}}, method="put")
    assert damaged.status_code == 400 and "The field grants is missing or damaged" in damaged.json()["error"]


def test_a_reader_key_is_set_once(pair):
    _member, sponsor, _share_id, _secret = pair
    again = sponsor.call("reader-key", {"public_key": ref.b64(bytes(32)), "secret_sealed": ref.b64(bytes(73))})
    assert again.status_code == 409
    opened = sponsor.call("sign-in").json()
    assert opened["reader_public_key"] == ref.b64(sponsor.public) and opened["reader_secret_sealed"]


def test_a_reader_named_in_any_script_fits_and_invitations_are_limited(client, monkeypatch):
    member = Journal(client, "member-two")
    share_id, secret = ref.b64(os.urandom(16)), os.urandom(32)
    name = "私のスポンサー" * 8 + "🌱" * 4  # 60 characters, 188 bytes
    note_json = json.dumps({"name": name, "secret": ref.b64(secret)}, ensure_ascii=False).encode()
    note = ref.b64(ref._seal(member.journal_key, note_json, b"1|share|" + share_id.encode()))
    member.make_reader_key()
    body = {"id": share_id, "note": note, "accept_hash": hashlib.sha256(b"x").hexdigest(), "owner_key_mac": "A" * 43}
    assert member.call("shares", body).status_code == 201
    monkeypatch.setattr("stayhere.journal.sharing.SHARES_MAX", 2)
    invite(member)
    refused = member.call("shares", {**body, "id": ref.b64(os.urandom(16))})
    assert refused.status_code == 409 and "as many as it may" in refused.json()["error"]


def test_a_reader_leaves_a_note_sealed_for_the_owner_on_a_shared_entry_only(pair):
    member, sponsor, share_id, secret = pair
    shared_id, private_id = ref.b64(b"\x08" * 16), ref.b64(b"\x09" * 16)
    member.write(shared_id, {"title": "fourth step"}, {share_id: sponsor.public})
    member.write(private_id, {"title": "mine"})
    received = sponsor.call("shared", method="get").json()["shares"][0]
    _accept, mac_key = ref.invite_keys(secret)
    owner_public = ref.unb64(received["owner_public_key"])
    assert ref.key_mac(mac_key, owner_public) == ref.unb64(received["owner_key_mac"])
    text = json.dumps({"entry": shared_id, "text": "Thank you for trusting me with this."}).encode()
    sealed = ref.b64(sodium.crypto_box_seal(sodium.sodium_pad(text, 1024), owner_public))
    kept = sponsor.call(f"shares/{share_id}/notes", {"entry": shared_id, "sealed": sealed})
    assert kept.status_code == 201
    refused = sponsor.call(f"shares/{share_id}/notes", {"entry": private_id, "sealed": sealed})
    assert refused.status_code == 404 and "no longer shared with you" in refused.json()["error"]
    odd = sponsor.call(f"shares/{share_id}/notes", {"entry": shared_id, "sealed": ref.b64(os.urandom(100))})
    assert odd.status_code == 400 and "at most 16 KiB" in odd.json()["error"]
    notes = member.call("shares", method="get").json()["shares"][0]["notes"]
    assert [n["entry"] for n in notes] == [shared_id]
    opened = sodium.crypto_box_seal_open(ref.unb64(notes[0]["sealed"]), member.public, member.secret)
    assert json.loads(sodium.sodium_unpad(opened, 1024))["text"] == "Thank you for trusting me with this."
