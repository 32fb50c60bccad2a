"""The journal in Chromium: a member makes a journal, writes, reloads, unlocks and reads; a wrong passphrase
gets a sentence; the recovery phrase opens it and sets a new passphrase. Nothing leaves the origin or breaks
the page's policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import REPO, watch
from tests.browser.journal_steps import (
    TIMEOUT_MS,
    create_journal,
    entry_titles,
    set_clean_date,
    status,
    unlock,
    unlock_by_recovery,
    wait_for_status,
    write_entry,
)
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser
PASSPHRASE = "blue kettle quiet harbour"


@pytest.fixture(scope="module")
def journal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data, logs = tmp_path_factory.mktemp("journal-data"), tmp_path_factory.mktemp("journal-logs")
    with live_server(data, logs / "server.log", extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


def test_a_member_writes_an_entry_reloads_unlocks_and_reads_it(browser: Any, journal_server: LiveServer) -> None:
    context = browser.new_context(base_url=journal_server.url)
    watched = watch(context, journal_server.url)
    page = watched.page
    try:
        page.goto("/journal/")
        promise = page.locator("#journal-promise").inner_text()
        assert "nothing in your journal can be read by anyone" in promise
        assert "not a crisis service" in page.locator("#journal-crisis").inner_text()
        phrase = create_journal(page, "reader-one", PASSPHRASE)
        assert len(phrase) == 39 and phrase.count("-") == 7
        page.select_option("#entry-kind", "4")
        prompts = page.locator("#entry-prompts").inner_text()
        assert "that harm is not your part" in prompts and "therapist" in prompts
        write_entry(page, "Morning pages", "Today I told the truth about the car.", step="4")
        write_entry(page, "Gratitude", "Coffee with M. after the meeting.")
        set_clean_date(page, "2024-02-29", "Europe/Lisbon")
        assert (
            "since 29 February 2024" in page.locator("#clean-summary").inner_text()
            or "since February 29, 2024" in page.locator("#clean-summary").inner_text()
        )

        page.reload()
        assert page.locator("#journal-open").is_hidden()
        unlock(page, "reader-one", PASSPHRASE)
        wait_for_status(page, "Your journal is open.")
        titles = entry_titles(page)
        assert len(titles) == 2
        assert any("Step 4 · Morning pages" in title for title in titles)
        page.locator("#entries-list button", has_text="Morning pages").click()
        assert page.locator("#entry-body").input_value() == "Today I told the truth about the car."
        assert page.locator("#entry-kind").input_value() == "4"
        assert page.locator("#clean-date").input_value() == "2024-02-29"
        assert page.locator("#clean-zone").input_value() == "Europe/Lisbon"
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
    finally:
        context.close()


def test_a_wrong_passphrase_gets_a_sentence_and_the_recovery_phrase_opens_and_sets_a_new_one(
    browser: Any, journal_server: LiveServer
) -> None:
    context = browser.new_context(base_url=journal_server.url)
    watched = watch(context, journal_server.url)
    page = watched.page
    try:
        phrase = create_journal(page, "reader-two", PASSPHRASE)
        write_entry(page, "Kept safe", "Only mine.")
        unlock(page, "reader-two", "not my passphrase at all")
        wait_for_status(page, "do not open a journal here")
        assert page.locator("#journal-open").is_hidden()

        unlock_by_recovery(page, "reader-two", phrase.lower().replace("-", " "))
        wait_for_status(page, "choose a new passphrase")
        assert any("Kept safe" in title for title in entry_titles(page))
        page.fill("#new-passphrase", "a brand new passphrase")
        page.fill("#new-passphrase2", "a brand new passphrase")
        page.click("#passphrase-form button[type=submit]")
        wait_for_status(page, "Your new passphrase is saved")

        unlock(page, "reader-two", PASSPHRASE)
        wait_for_status(page, "do not open a journal here")
        unlock(page, "reader-two", "a brand new passphrase")
        wait_for_status(page, "Your journal is open.")
        assert any("Kept safe" in title for title in entry_titles(page))
        page.click("#journal-lock")
        page.locator("#journal-doors").wait_for(state="visible", timeout=TIMEOUT_MS)
        assert entry_titles(page) == []
        assert "locked" in status(page)
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
    finally:
        context.close()


def test_two_devices_editing_one_entry_lose_neither_edit(browser: Any, journal_server: LiveServer) -> None:
    phone_context = browser.new_context(base_url=journal_server.url)
    laptop_context = browser.new_context(base_url=journal_server.url)
    try:
        phone, laptop = phone_context.new_page(), laptop_context.new_page()
        create_journal(phone, "reader-three", PASSPHRASE)
        write_entry(phone, "Tenth step", "Started on the phone.")
        unlock(laptop, "reader-three", PASSPHRASE)
        wait_for_status(laptop, "Your journal is open.")

        phone.fill("#entry-body", "Finished on the phone.")
        phone.click("#entry-save")
        wait_for_status(phone, "Saved, locked.")
        laptop.locator("#entries-list button", has_text="Tenth step").click()
        laptop.fill("#entry-body", "Finished on the laptop.")
        laptop.click("#entry-save")
        wait_for_status(laptop, "Both versions are kept")
        assert laptop.locator("#entry-title").input_value() == "Tenth step (this device's version)"

        unlock(phone, "reader-three", PASSPHRASE)
        wait_for_status(phone, "Your journal is open.")
        bodies = {}
        for index in range(len(entry_titles(phone))):
            phone.locator("#entries-list button").nth(index).click()
            bodies[phone.locator("#entry-title").input_value()] = phone.locator("#entry-body").input_value()
        assert bodies == {
            "Tenth step": "Finished on the phone.",
            "Tenth step (this device's version)": "Finished on the laptop.",
        }
    finally:
        phone_context.close()
        laptop_context.close()
