"""Sharing in Chromium: a member writes three entries, invites a sponsor, shares two; the sponsor (a journal of
their own, in another browser) reads exactly those two; the member unticks one and saves, and the sponsor can
no longer read it; the member stops sharing, and the sponsor reads nothing. The sponsor leaves a note back,
which the member reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import REPO, watch
from tests.browser.journal_steps import TIMEOUT_MS, create_journal, wait_for_status, write_entry
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser
PASSPHRASE = "green lantern hill road"


@pytest.fixture(scope="module")
def sharing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data, logs = tmp_path_factory.mktemp("sharing-data"), tmp_path_factory.mktemp("sharing-logs")
    with live_server(data, logs / "server.log", extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


def shared_titles(page: Any) -> list[str]:
    return [str(t) for t in page.locator("#shared-list .shared-entry h4").all_inner_texts()]


def reopen(page: Any, handle: str) -> None:
    page.goto("/journal/")
    page.locator("#journal-unlock").wait_for(state="visible", timeout=TIMEOUT_MS)
    page.fill("#unlock-handle", handle)
    page.fill("#unlock-passphrase", PASSPHRASE)
    page.click("#journal-unlock button[type=submit]")
    wait_for_status(page, "Your journal is open.")


def test_a_sponsor_reads_exactly_what_is_shared_and_nothing_after_it_is_revoked(
    browser: Any, sharing_server: LiveServer
) -> None:
    member_context = browser.new_context(base_url=sharing_server.url)
    sponsor_context = browser.new_context(base_url=sharing_server.url)
    try:
        member_watch, sponsor_watch = (
            watch(member_context, sharing_server.url),
            watch(sponsor_context, sharing_server.url),
        )
        member, sponsor = member_watch.page, sponsor_watch.page
        create_journal(member, "sharing-member", PASSPHRASE)
        write_entry(member, "Inventory one", "Resentments at work.", step="4")
        write_entry(member, "Inventory two", "Fears about money.", step="4")
        write_entry(member, "Private", "Not for anyone.")
        member.fill("#invite-name", "My sponsor")
        member.click("#invite-form button[type=submit]")
        wait_for_status(member, "The invitation link is ready")
        link = member.locator("#invite-link").input_value()
        assert "#invite=" in link
        assert "waiting for them" in member.locator("#shares-list").inner_text()

        sponsor.goto(link)
        sponsor.locator("#journal-invited").wait_for(state="visible", timeout=TIMEOUT_MS)
        create_journal(sponsor, "sharing-sponsor", PASSPHRASE, address=link)
        wait_for_status(sponsor, "You can now read what sharing-member shares with you")
        assert "#invite" not in sponsor.url
        assert "Nothing is shared with you yet." in sponsor.locator("#journal-shared").inner_text()
        assert "still repeat" not in sponsor.locator("#journal-shared").inner_text()  # that sentence is the member's
        assert "keep what you read to yourself" in sponsor.locator("#journal-shared").inner_text()

        reopen(member, "sharing-member")
        assert "My sponsor can read 0 entries" in member.locator("#shares-list").inner_text()
        for title in ("Inventory one", "Inventory two"):
            member.locator("#entries-list button", has_text=title).click()
            member.check("#entry-readers-list input[type=checkbox]")
            member.click("#entry-save")
            wait_for_status(member, "Saved, locked.")
        assert "My sponsor can read 2 entries" in member.locator("#shares-list").inner_text()

        reopen(sponsor, "sharing-sponsor")
        assert sorted(shared_titles(sponsor)) == ["Step 4 · Inventory one", "Step 4 · Inventory two"]
        assert "Resentments at work." in sponsor.locator("#shared-list").inner_text()
        assert "Not for anyone." not in sponsor.locator("#shared-list").inner_text()
        # No export: the only buttons are for notes back, and nothing offers a download.
        assert sponsor.locator("#journal-shared a[download]").count() == 0
        assert set(sponsor.locator("#journal-shared button").all_inner_texts()) == {"Send the note"}
        first = sponsor.locator(".shared-entry", has_text="Inventory one")
        first.locator("textarea").fill("Good work. Let us go over this on Thursday.")
        first.locator("button").click()
        wait_for_status(sponsor, "Your note is sealed and sent")
        reopen(member, "sharing-member")
        assert (
            "My sponsor's note on “Inventory one”: Good work. Let us go over this on Thursday."
            in member.locator("#shares-list").inner_text()
        )

        member.locator("#entries-list button", has_text="Inventory two").click()
        member.uncheck("#entry-readers-list input[type=checkbox]")
        member.click("#entry-save")
        wait_for_status(member, "Saved, locked.")
        assert "My sponsor can read 1 entry" in member.locator("#shares-list").inner_text()
        reopen(sponsor, "sharing-sponsor")
        assert shared_titles(sponsor) == ["Step 4 · Inventory one"]

        member.once("dialog", lambda dialog: dialog.accept())
        member.locator("#shares-list button", has_text="Stop sharing").click()
        wait_for_status(member, "My sponsor can no longer read anything of yours.")
        reopen(sponsor, "sharing-sponsor")
        assert shared_titles(sponsor) == []
        for watched in (member_watch, sponsor_watch):
            assert watched.foreign_requests() == []
            assert watched.csp_violations() == []
    finally:
        member_context.close()
        sponsor_context.close()
