"""Cross-language vectors: Python (PyNaCl) opens what the browser's journal_crypto.js sealed, and the browser
opens Python's (tests/js/journal_crypto.test.mjs); a wrong passphrase or a tampered byte gives a sentence."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.journal import reference as ref

ROOT = Path(__file__).resolve().parents[2]
JS = json.loads((ref.VECTORS / "js.json").read_text())
PY = json.loads((ref.VECTORS / "python.json").read_text())


def test_python_derives_the_same_keys_as_the_browser():
    auth, unwrap = ref.keys_from_passphrase(JS["passphrase"], ref.unb64(JS["salt"]))
    assert (ref.b64(auth), ref.b64(unwrap)) == (JS["auth_key"], JS["unwrap_key"])
    recovery_auth, recovery_unwrap = ref.keys_from_recovery(JS["recovery"])
    assert (ref.b64(recovery_auth), ref.b64(recovery_unwrap)) == (JS["recovery_auth_key"], JS["recovery_unwrap_key"])
    assert JS["kdf"] == {"alg": "argon2id13", "opslimit": ref.OPSLIMIT, "memlimit": ref.MEMLIMIT}


def test_python_opens_what_the_browser_sealed_by_passphrase_and_by_recovery_phrase():
    _auth, unwrap = ref.keys_from_passphrase(JS["passphrase"], ref.unb64(JS["salt"]))
    key = ref.unwrap_journal_key(unwrap, ref.unb64(JS["wrapped_passphrase"]), "passphrase")
    _rauth, recovery_unwrap = ref.keys_from_recovery(JS["recovery"])
    assert ref.unwrap_journal_key(recovery_unwrap, ref.unb64(JS["wrapped_recovery"]), "recovery") == key
    assert ref.open_entry(key, JS["entry"]) == JS["content"]


def test_a_wrong_passphrase_gives_a_sentence():
    _auth, unwrap = ref.keys_from_passphrase("the wrong passphrase", ref.unb64(JS["salt"]))
    with pytest.raises(ref.JournalCryptoError, match="This passphrase does not open this journal") as caught:
        ref.unwrap_journal_key(unwrap, ref.unb64(JS["wrapped_passphrase"]), "passphrase")
    assert caught.value.code == "wrong-passphrase"


@pytest.mark.parametrize(("field", "index"), [("body", 1), ("body", 30), ("body", 600), ("key", 40)])
def test_a_tampered_byte_in_the_browsers_entry_gives_a_sentence(field, index):
    key = ref.unwrap_journal_key(ref.unb64(JS["unwrap_key"]), ref.unb64(JS["wrapped_passphrase"]), "passphrase")
    blob = bytearray(ref.unb64(JS["entry"][field]))
    blob[index] ^= 1
    with pytest.raises(ref.JournalCryptoError, match="changed or damaged after it was written"):
        ref.open_entry(key, {**JS["entry"], field: ref.b64(bytes(blob))})


def test_the_committed_python_vectors_still_open_here():
    key = ref.unwrap_journal_key(ref.unb64(PY["unwrap_key"]), ref.unb64(PY["wrapped_passphrase"]), "passphrase")
    assert ref.open_entry(key, PY["entry"]) == PY["content"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (scripts/js_checks.sh installs it)")
def test_python_opens_what_the_browser_seals_now_and_the_browser_opens_what_python_seals_now(tmp_path):
    """The same, with fresh ciphertext from both sides (random nonces, keys and ids)."""
    script = (
        "import { makeVectors } from './tests/js/make_journal_vectors.mjs';"
        "process.stdout.write(JSON.stringify(await makeVectors()));"
    )
    fresh = json.loads(
        subprocess.run(
            ["node", "--input-type=module", "-e", script],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    )
    key = ref.unwrap_journal_key(ref.unb64(fresh["unwrap_key"]), ref.unb64(fresh["wrapped_passphrase"]), "passphrase")
    assert ref.open_entry(key, fresh["entry"]) == fresh["content"]

    ours = ref.make_vectors()
    opener = (
        "import * as jc from './stayhere/static/stayhere/journal_crypto.js';"
        "import { readFileSync } from 'node:fs'; await jc.ready();"
        "const v = JSON.parse(readFileSync(process.argv[1], 'utf8'));"
        "const k = jc.unwrapJournalKey(jc.fromB64(v.unwrap_key), jc.fromB64(v.wrapped_passphrase), 'passphrase');"
        "process.stdout.write(JSON.stringify(jc.openEntry(k, v.entry)));"
    )
    path = tmp_path / "python.json"
    path.write_text(json.dumps(ours))
    opened = subprocess.run(
        ["node", "--input-type=module", "-e", opener, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert json.loads(opened) == ours["content"]


def test_python_opens_what_the_browser_shared_with_a_reader_and_checks_its_key_mac():
    reader_public, reader_secret = ref.unb64(JS["reader_public"]), ref.unb64(JS["reader_secret"])
    assert ref.open_shared(reader_public, reader_secret, JS["shared"]) == JS["content"]
    accept, mac_key = ref.invite_keys(ref.unb64(JS["invite_secret"]))
    assert ref.b64(accept) == JS["accept_token"] == PY["accept_token"]
    assert ref.b64(ref.key_mac(mac_key, reader_public)) == JS["key_mac"]


def test_a_shared_entry_does_not_open_for_another_reader():
    import nacl.bindings

    other_public, other_secret = nacl.bindings.crypto_box_keypair()
    with pytest.raises(ref.JournalCryptoError, match="no longer shared with you"):
        ref.open_shared(other_public, other_secret, JS["shared"])
