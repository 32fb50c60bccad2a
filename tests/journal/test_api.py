"""The journal's JSON API: pseudonymous accounts, sign-in by a key with the sign-in limits, sealed entries kept
as they came, and a sentence for every refusal. The keys and blobs are real ones (tests/data/journal_vectors)."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from stayhere.journal.models import Account, Entry
from tests.journal import reference as ref
from tests.signin_counts import forget_counters

pytestmark = pytest.mark.django_db

V = json.loads((ref.VECTORS / "js.json").read_text())
API = "/journal/api/"


@pytest.fixture(autouse=True)
def fresh_counters():
    forget_counters()
    index = int(time.time() // 900)
    cache.delete_many([f"journal:signups:{i}" for i in (index - 1, index, index + 1)])
    yield
    forget_counters()


def new_journal(client: Client, handle: str = "quiet-river") -> dict:
    body = {
        "handle": handle,
        "salt": V["salt"],
        "kdf": V["kdf"],
        "auth_key": V["auth_key"],
        "recovery_auth_key": V["recovery_auth_key"],
        "wrapped_key": V["wrapped_passphrase"],
        "wrapped_key_recovery": V["wrapped_recovery"],
    }
    return body


def post(client: Client, path: str, body=None, key: str | None = None, handle: str = "quiet-river", method="post"):
    headers = {"Authorization": f"Journal {handle}:{key}"} if key else {}
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(API + path, data=data, content_type="application/json", headers=headers)


def make(client: Client, handle: str = "quiet-river") -> None:
    response = post(client, "accounts", new_journal(client, handle))
    assert response.status_code == 201, response.content


def sealed(entry_id: str | None = None, content=None, base: int = 0) -> dict:
    """A sealed entry as the page sends it, written from the entry revision ``base`` (0: a new entry)."""
    key = ref.unwrap_journal_key(ref.unb64(V["unwrap_key"]), ref.unb64(V["wrapped_passphrase"]), "passphrase")
    record = ref.seal_entry(key, entry_id or ref.b64(bytes(16)), content or {"body": "x"})
    return {**record, "base": base}


def test_a_journal_is_made_with_a_handle_and_keys_only_and_keeps_no_key_itself(client):
    make(client, "Quiet-River")
    account = Account.objects.get()
    assert account.handle == "quiet-river"
    assert account.auth_hash == ref.key_hash_hex(ref.unb64(V["auth_key"]))
    assert V["auth_key"] not in json.dumps([account.auth_hash, account.recovery_auth_hash])


def test_a_taken_handle_is_refused_with_a_sentence_and_the_first_journal_is_untouched(client):
    make(client)
    body = {**new_journal(client), "wrapped_key": V["wrapped_recovery"]}
    response = post(client, "accounts", body)
    assert response.status_code == 409
    assert response.json() == {"error": "This handle is taken: choose another one."}
    assert Account.objects.get().wrapped_key == V["wrapped_passphrase"]


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("handle", "a", "A handle is 3 to 40 letters"),
        ("handle", "me@example.org", "A handle is 3 to 40 letters"),
        ("salt", "c2hvcnQ", "The field salt is missing or damaged"),
        ("auth_key", None, "The field auth_key is missing or damaged"),
        ("kdf", {"alg": "argon2id13", "opslimit": 1, "memlimit": 67108864}, "at least 19 MiB of memory and 2 passes"),
        ("kdf", {"alg": "argon2id13", "opslimit": 3, "memlimit": 1024}, "at least 19 MiB of memory and 2 passes"),
        ("wrapped_key", "!!!", "The field wrapped_key is missing or damaged"),
    ],
)
def test_a_bad_new_journal_is_refused_with_a_sentence_naming_what_is_wrong(client, field, value, sentence):
    response = post(client, "accounts", {**new_journal(client), field: value})
    assert response.status_code == 400
    assert sentence in response.json()["error"]
    assert not Account.objects.exists()


def test_begin_answers_the_same_shape_for_a_handle_that_has_no_journal_and_the_same_salt_every_time(client):
    make(client)
    known = post(client, "begin", {"handle": "quiet-river"}).json()
    assert known == {"salt": V["salt"], "kdf": V["kdf"]}
    unknown = post(client, "begin", {"handle": "nobody-here"}).json()
    assert set(unknown) == {"salt", "kdf"} and unknown["kdf"] == V["kdf"]
    assert len(ref.unb64(unknown["salt"])) == 16
    assert post(client, "begin", {"handle": "Nobody-Here"}).json() == unknown


def test_signing_in_by_passphrase_key_or_recovery_key_gives_the_key_sealed_for_that_secret(client):
    make(client)
    by_passphrase = post(client, "sign-in", key=V["auth_key"]).json()
    assert by_passphrase == {
        "by": "passphrase",
        "wrapped_key": V["wrapped_passphrase"],
        "revision": 0,
        "reader_public_key": None,
        "reader_secret_sealed": None,
    }
    by_recovery = post(client, "sign-in", key=V["recovery_auth_key"]).json()
    assert by_recovery["by"] == "recovery" and by_recovery["wrapped_key"] == V["wrapped_recovery"]


def test_a_wrong_key_and_an_unknown_handle_get_the_same_sentence(client):
    make(client)
    wrong = post(client, "sign-in", key=V["unwrap_key"])
    unknown = post(client, "sign-in", key=V["auth_key"], handle="nobody-here")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "do not open a journal here" in wrong.json()["error"]
    assert post(client, "journal", method="get").status_code == 401


def test_failed_sign_ins_are_limited_per_handle_and_a_refused_one_checks_no_key(client, settings):
    make(client)
    for _attempt in range(settings.SIGNIN_FAILURES_PER_NAME):
        assert post(client, "sign-in", key=V["unwrap_key"]).status_code == 401
    refused = post(client, "sign-in", key=V["auth_key"])  # the right key, but no key is checked now
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account name" in refused.json()["error"]
    assert int(refused["Retry-After"]) > 0
    make(client, "other-handle")
    assert post(client, "sign-in", key=V["auth_key"], handle="other-handle").status_code == 200


@override_settings(JOURNAL_SIGNUPS_PER_WINDOW=2)
def test_new_journals_are_limited_over_the_whole_server(client):
    make(client, "first-one")
    make(client, "second-one")
    response = post(client, "accounts", new_journal(client, "third-one"))
    assert response.status_code == 429
    assert "Too many new journals" in response.json()["error"]
    assert Account.objects.count() == 2


def test_an_entry_is_kept_exactly_as_sealed_and_listed_back_with_revisions(client):
    make(client)
    first = sealed(ref.b64(b"\x01" * 16), {"title": "one", "body": "first"})
    second = sealed(ref.b64(b"\x02" * 16), {"title": "two", "body": "second"})
    for record in (first, second):
        response = post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
        assert response.status_code == 200, response.content
    listing = post(client, "journal", key=V["auth_key"], method="get").json()
    assert listing["revision"] == 2
    assert [e["id"] for e in listing["entries"]] == [first["id"], second["id"]]
    key = ref.unwrap_journal_key(ref.unb64(V["unwrap_key"]), ref.unb64(V["wrapped_passphrase"]), "passphrase")
    assert [ref.open_entry(key, e)["body"] for e in listing["entries"]] == ["first", "second"]
    row = Entry.objects.get(entry_id=first["id"])
    assert (row.version, row.bucket, row.key, row.body) == (1, 1024, first["key"], first["body"])


def test_rewriting_an_entry_replaces_it_and_deleting_it_leaves_nothing(client):
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    newer = sealed(record["id"], {"body": "changed " * 300}, base=1)
    assert post(client, f"entries/{record['id']}", newer, key=V["auth_key"], method="put").json()["revision"] == 2
    assert Entry.objects.get().bucket == 4096
    assert post(client, f"entries/{record['id']}?base=2", key=V["auth_key"], method="delete").json()["revision"] == 3
    assert not Entry.objects.exists()
    gone = post(client, f"entries/{record['id']}?base=2", key=V["auth_key"], method="delete")
    assert gone.status_code == 404 and "no such entry" in gone.json()["error"]


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"version": 2}, "This entry's format (version 2) is not one this server keeps"),
        ({"bucket": 1000}, "The entry's size is not one of the padded sizes"),
        ({"bucket": 2048}, "The field body is missing or damaged"),
        ({"key": "AAAA"}, "The field key is missing or damaged"),
        ({"body": None}, "The field body is missing or damaged"),
    ],
)
def test_a_malformed_entry_is_refused_with_a_sentence_and_the_stored_one_is_kept(client, change, sentence):
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    response = post(client, f"entries/{record['id']}", {**record, "base": 1, **change}, key=V["auth_key"], method="put")
    assert response.status_code == 400
    assert response.json()["error"].startswith(sentence)
    assert Entry.objects.get().body == record["body"]


def test_an_entry_id_that_is_not_16_random_bytes_is_refused(client):
    make(client)
    response = post(client, "entries/my-fourth-step", sealed(), key=V["auth_key"], method="put")
    assert response.status_code == 400 and "The field id is missing or damaged" in response.json()["error"]


def test_not_json_gets_a_sentence(client):
    make(client)
    response = client.put(
        API + "entries/" + ref.b64(bytes(16)),
        data="{nope",
        content_type="application/json",
        headers={"Authorization": f"Journal quiet-river:{V['auth_key']}"},
    )
    assert response.status_code == 400 and response.json()["error"].startswith("Send JSON")


@override_settings(JOURNAL_ENTRIES_MAX=1)
def test_a_full_journal_refuses_a_new_entry_but_still_takes_a_rewrite(client):
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    other = sealed(ref.b64(b"\x07" * 16))
    refused = post(client, f"entries/{other['id']}", other, key=V["auth_key"], method="put")
    assert refused.status_code == 409 and "as many as this server keeps" in refused.json()["error"]
    assert (
        post(
            client, f"entries/{record['id']}", sealed(record["id"], base=1), key=V["auth_key"], method="put"
        ).status_code
        == 200
    )


def test_one_journal_cannot_reach_anothers_entries(client):
    make(client)
    make(client, "someone-else")
    Account.objects.filter(handle="someone-else").update(auth_hash=ref.key_hash_hex(b"\x09" * 32))
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    other_key = ref.b64(b"\x09" * 32)
    assert post(client, "journal", key=other_key, handle="someone-else", method="get").json()["entries"] == []
    gone = post(client, f"entries/{record['id']}?base=1", key=other_key, handle="someone-else", method="delete")
    assert gone.status_code == 404
    assert Entry.objects.count() == 1


def test_a_new_passphrase_after_recovery_replaces_the_old_one_and_the_recovery_phrase_keeps_working(client):
    make(client)
    new_auth = b"\x05" * 32
    body = {
        "salt": ref.b64(b"\x06" * 16),
        "kdf": V["kdf"],
        "auth_key": ref.b64(new_auth),
        "wrapped_key": V["wrapped_passphrase"],
    }
    assert post(client, "passphrase", body, key=V["recovery_auth_key"]).status_code == 200
    assert post(client, "sign-in", key=V["auth_key"]).status_code == 401
    assert post(client, "sign-in", key=ref.b64(new_auth)).json()["by"] == "passphrase"
    assert post(client, "sign-in", key=V["recovery_auth_key"]).json()["by"] == "recovery"
    assert post(client, "begin", {"handle": "quiet-river"}).json()["salt"] == ref.b64(b"\x06" * 16)


def test_deleting_the_journal_deletes_every_entry(client):
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    assert post(client, "journal", key=V["auth_key"], method="delete").json() == {"deleted": True}
    assert not Account.objects.exists() and not Entry.objects.exists()


def test_the_page_allows_webassembly_and_nothing_else_beyond_the_site_policy(client):
    response = client.get("/journal/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "unsafe-inline" not in policy and "'unsafe-eval'" not in policy
    assert response["Cache-Control"] == "no-store"
    assert "set-cookie" not in {h.lower() for h in response.headers}


def test_a_write_from_an_older_version_is_refused_with_the_stored_entry_and_overwrites_nothing(client):
    """Two devices: both opened revision 1; the first saves (revision 2); the second's save is refused, with
    what is stored, so its page can keep both."""
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    first = sealed(record["id"], {"body": "from the phone"}, base=1)
    assert post(client, f"entries/{record['id']}", first, key=V["auth_key"], method="put").status_code == 200
    second = sealed(record["id"], {"body": "from the laptop"}, base=1)
    refused = post(client, f"entries/{record['id']}", second, key=V["auth_key"], method="put")
    assert refused.status_code == 409
    answer = refused.json()
    assert "changed or deleted on another device" in answer["error"]
    assert answer["current"]["body"] == first["body"] and answer["current"]["revision"] == 2
    assert Entry.objects.get().body == first["body"]
    stale_delete = post(client, f"entries/{record['id']}?base=1", key=V["auth_key"], method="delete")
    assert stale_delete.status_code == 409 and Entry.objects.exists()


def test_a_new_entry_whose_id_is_taken_and_an_edit_of_a_deleted_entry_are_conflicts(client):
    make(client)
    record = sealed()
    post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    again = post(client, f"entries/{record['id']}", sealed(record["id"]), key=V["auth_key"], method="put")
    assert again.status_code == 409 and again.json()["current"]["revision"] == 1
    post(client, f"entries/{record['id']}?base=1", key=V["auth_key"], method="delete")
    edit = post(client, f"entries/{record['id']}", sealed(record["id"], base=1), key=V["auth_key"], method="put")
    assert edit.status_code == 409 and edit.json()["current"] is None
    assert not Entry.objects.exists()


def test_a_write_without_its_base_is_refused_with_a_sentence(client):
    make(client)
    record = {k: v for k, v in sealed().items() if k != "base"}
    response = post(client, f"entries/{record['id']}", record, key=V["auth_key"], method="put")
    assert response.status_code == 400 and "which version of the entry" in response.json()["error"]
