"""What a member does on the journal page, as steps the journal's browser tests share."""

from __future__ import annotations

from typing import Any

TIMEOUT_MS = 30_000  # Argon2id with 64 MiB in WebAssembly takes about a second here; the bound is generous


def status(page: Any) -> str:
    return str(page.locator("#journal-status").inner_text())


def wait_for_status(page: Any, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('journal-status').textContent.includes(text)", arg=text, timeout=TIMEOUT_MS
    )


def create_journal(page: Any, handle: str, passphrase: str, address: str = "/journal/") -> str:
    """Makes a journal (on the page at ``address``: an invitation link, say) and returns the recovery phrase the
    page showed once."""
    page.goto(address)
    page.locator("#journal-create").wait_for(state="visible", timeout=TIMEOUT_MS)
    page.fill("#create-handle", handle)
    page.fill("#create-passphrase", passphrase)
    page.fill("#create-passphrase2", passphrase)
    page.click("#journal-create button[type=submit]")
    page.locator("#journal-recovery").wait_for(state="visible", timeout=TIMEOUT_MS)
    phrase = str(page.locator("#recovery-phrase").inner_text())
    assert page.locator("#recovery-done").is_disabled()
    page.check("#recovery-kept")
    page.click("#recovery-done")
    page.locator("#journal-open").wait_for(state="visible", timeout=TIMEOUT_MS)
    return phrase


def write_entry(page: Any, title: str, body: str, step: str = "free") -> None:
    page.click("#entry-new")
    page.select_option("#entry-kind", step)
    page.fill("#entry-title", title)
    page.fill("#entry-body", body)
    page.click("#entry-save")
    wait_for_status(page, "Saved, locked.")


def set_clean_date(page: Any, date: str, zone: str) -> None:
    page.fill("#clean-date", date)
    page.fill("#clean-zone", zone)
    page.click("#clean-form button[type=submit]")
    wait_for_status(page, "Your clean date is kept")


def unlock(page: Any, handle: str, passphrase: str) -> None:
    page.goto("/journal/")
    page.locator("#journal-unlock").wait_for(state="visible", timeout=TIMEOUT_MS)
    page.fill("#unlock-handle", handle)
    page.fill("#unlock-passphrase", passphrase)
    page.click("#journal-unlock button[type=submit]")


def unlock_by_recovery(page: Any, handle: str, phrase: str) -> None:
    page.goto("/journal/")
    page.locator("#journal-unlock").wait_for(state="visible", timeout=TIMEOUT_MS)
    page.fill("#unlock-handle", handle)
    page.click("#unlock-recovery-box summary")
    page.fill("#unlock-recovery", phrase)
    page.click("#unlock-by-recovery")


def entry_titles(page: Any) -> list[str]:
    return [str(text) for text in page.locator("#entries-list li").all_inner_texts()]
