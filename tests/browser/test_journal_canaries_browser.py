"""A journal leaves no plaintext at the server: not an entry's title or text, not the clean date, not the name
a member gives their reader, not a reader's note back, not the passphrase, the recovery phrase or the sign-in key.

A real server runs on the embedded default with logging at DEBUG. In Chromium a member makes a journal, sets a
clean date, writes a free entry and a fourth-step entry with canary titles and texts, edits one, deletes
another, locks, opens the journal again with the passphrase and then with the recovery phrase, invites a sponsor
(who accepts in another browser) and shares an entry, which the sponsor reads and answers with a note. After the server
stops, every file under the data directory (the SQLite database and its journal files) and everything the server
printed are searched for each canary, and the database is read to check it holds what docs/SECURITY.md says.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import REPO, watch
from tests.browser.journal_steps import (
    create_journal,
    set_clean_date,
    unlock,
    unlock_by_recovery,
    wait_for_status,
    write_entry,
)
from tests.confidentiality.test_finder_canaries import hits_in
from tests.journal import reference as ref
from tests.live_server import live_server

pytestmark = pytest.mark.browser

HANDLE = "canary-journal"
PASSPHRASE = "PassCanaryOkapi lantern 4417"
TITLES = ["TitleCanaryNarwhal", "TitleCanaryAxolotl", "TitleCanaryGone"]
BODIES = ["BodyCanaryPangolin resentment list", "BodyCanaryTapir fears", "BodyCanaryDeleted", "BodyCanaryEdited"]
CLEAN_DATE = "1993-11-07"
READER_NAME = "NoteCanaryIbis"  # the member's name for their sponsor, sealed in the invitation's note
NOTE_BACK = "NoteBackCanaryHeron, see you Thursday"  # the sponsor's note back, sealed for the member


def share_with_a_sponsor(page: Any, browser: Any, url: str) -> None:
    """The member invites a sponsor, who accepts in another browser; the first entry is shared and read."""
    page.fill("#invite-name", READER_NAME)
    page.click("#invite-form button[type=submit]")
    wait_for_status(page, "The invitation link is ready")
    link = page.locator("#invite-link").input_value()
    sponsor_context = browser.new_context(base_url=url)
    try:
        sponsor = sponsor_context.new_page()
        create_journal(sponsor, "canary-sponsor", PASSPHRASE, address=link)
        wait_for_status(sponsor, "You can now read what")
        unlock(page, HANDLE, PASSPHRASE)
        wait_for_status(page, "Your journal is open.")
        page.locator("#entries-list button", has_text=TITLES[0]).click()
        page.check("#entry-readers-list input[type=checkbox]")
        page.click("#entry-save")
        wait_for_status(page, "Saved, locked.")
        unlock(sponsor, "canary-sponsor", PASSPHRASE)
        wait_for_status(sponsor, "Your journal is open.")
        assert BODIES[0] in sponsor.locator("#shared-list").inner_text()
        sponsor.locator(".shared-entry textarea").fill(NOTE_BACK)
        sponsor.locator(".shared-entry button").click()
        wait_for_status(sponsor, "Your note is sealed and sent")
        unlock(page, HANDLE, PASSPHRASE)
        wait_for_status(page, "Your journal is open.")
        assert NOTE_BACK in page.locator("#shares-list").inner_text()
    finally:
        sponsor_context.close()


def test_a_journal_leaves_no_title_text_date_passphrase_or_key_behind(browser: Any, tmp_path: Path) -> None:
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    with live_server(data_dir, output, extra_env={"PYTHONPATH": str(REPO)}) as server:
        context = browser.new_context(base_url=server.url)
        page = watch(context, server.url).page
        try:
            phrase = create_journal(page, HANDLE, PASSPHRASE)
            set_clean_date(page, CLEAN_DATE, "America/Chicago")
            write_entry(page, TITLES[0], BODIES[0], step="4")
            write_entry(page, TITLES[1], BODIES[1])
            page.fill("#entry-body", BODIES[3])  # an edit of the entry just saved
            page.click("#entry-save")
            wait_for_status(page, "Saved, locked.")
            write_entry(page, TITLES[2], BODIES[2])
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("#entry-delete")
            wait_for_status(page, "The entry is deleted")
            page.click("#journal-lock")
            unlock(page, HANDLE, PASSPHRASE)
            wait_for_status(page, "Your journal is open.")
            unlock_by_recovery(page, HANDLE, phrase)
            wait_for_status(page, "choose a new passphrase")
            share_with_a_sponsor(page, browser, server.url)
        finally:
            context.close()

    # The server has stopped: its database and output are complete.
    database = sqlite3.connect(next(data_dir.rglob("*.sqlite3")))
    handle, salt, kdf, auth_hash = database.execute(
        "select handle, salt, kdf, auth_hash from journal_account"
    ).fetchone()
    entries = database.execute("select entry_id, version, bucket, key, body from journal_entry").fetchall()
    database.close()
    assert handle == HANDLE  # the handle is kept, by design (docs/SECURITY.md)
    auth, unwrap = ref.keys_from_passphrase(PASSPHRASE, ref.unb64(salt))
    assert auth_hash == ref.key_hash_hex(auth) and json.loads(kdf) == {
        "alg": "argon2id13",
        "opslimit": 3,
        "memlimit": 64 * 1024 * 1024,
    }
    assert len(entries) == 3  # the clean date, two entries; the deleted one is gone (the sponsor wrote none)
    assert {bucket for _id, _v, bucket, _k, _b in entries} == {1024}

    recovery = phrase.replace("-", "")
    keys = [ref.b64(auth), ref.b64(unwrap), base64.b64encode(auth).decode()]
    canaries = [*TITLES, *BODIES, "TitleCanary", "BodyCanary", PASSPHRASE, "PassCanaryOkapi", phrase, recovery]
    canaries += [CLEAN_DATE, "America/Chicago", READER_NAME, NOTE_BACK, "NoteBackCanary", *keys]
    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, canaries)]
    assert found == [], "the journal left plaintext or a key behind: " + "; ".join(found)
    # The search is not vacuous: it finds the handle, which is kept, in the database's file; and the server did
    # log these requests at DEBUG.
    assert any(hits_in(path, [HANDLE]) for path in data_dir.rglob("*.sqlite3*"))
    log = output.read_text()
    assert "PUT /journal/api/entries/<str:entry_id> 200" in log and "POST /journal/api/sign-in 200" in log
