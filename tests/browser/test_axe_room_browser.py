"""axe-core on the meeting room in each of its states, as the chair and as a member sees it, on a phone (412 px)
and a desktop (1280 px), in English and in Spanish: no violation of the WCAG 2.2 A and AA rules.

The states, in the order a meeting passes through them: the waiting room; admitted, with each folded panel opened
on a phone (the people, the chat, the format, "You", the chair's service tools); a hand in the queue; called on;
sharing; a typed share on the screen; and the meeting ended. One chair and one member, two pages reused
throughout: each state is audited on both pages at both widths by resizing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import violations
from tests.browser.conftest import REPO, watch
from tests.browser.room_seed import SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
PHONE, DESKTOP = {"width": 412, "height": 800}, {"width": 1280, "height": 800}
LANGUAGES = {"en": "en-US", "es": "es-ES"}
PANELS = ("r-people", "r-chat", "r-format", "r-me")


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    data_dir = tmp_path_factory.mktemp("axe-room-data")
    output = tmp_path_factory.mktemp("axe-room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


class Audit:
    """What axe-core found, by where: a page in a state at a width (and with a panel open)."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def check(self, page: Any, where: str) -> None:
        seen = violations(page)
        if seen:
            self.found[where] = seen

    def state(self, state: str, pages: dict[str, Any], panels: tuple[str, ...] = ()) -> None:
        """Each page at 1280 px, then at 412 px with every panel of ``panels`` opened in turn; back to 1280."""
        for who, page in pages.items():
            page.set_viewport_size(DESKTOP)
            self.check(page, f"{state}, {who}, 1280 px")
            page.set_viewport_size(PHONE)
            self.check(page, f"{state}, {who}, 412 px")
            for panel in panels:
                button = page.locator(f'#panel-nav [data-panel="{panel}"]')
                if button.is_hidden():
                    continue
                button.click()
                expect(button).to_have_attribute("aria-expanded", "true")
                self.check(page, f"{state}, {who}, 412 px, {panel} open")
                button.click()
            page.set_viewport_size(DESKTOP)

    def report(self) -> str:
        return "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in self.found.items())


def join(page: Any, path: str, name: str) -> None:
    page.goto(path)
    page.locator("#j-name").fill(name)
    page.locator("#join-button").click()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_room_state_keeps_the_wcag_a_and_aa_rules_on_a_phone_and_a_desktop(
    browser: Any, room_server: tuple[LiveServer, str], language: str
) -> None:
    server, chair_key = room_server
    contexts = [
        browser.new_context(base_url=server.url, viewport=DESKTOP, locale=LANGUAGES[language]) for _ in range(2)
    ]
    audit = Audit()
    try:
        chair, member = (watch(context, server.url).page for context in contexts)
        both = {"chair": chair, "member": member}
        join(chair, f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
        expect(chair.locator("#seg-h")).not_to_have_text("", timeout=WAIT_MS)
        expect(chair.locator("html")).to_have_attribute("lang", language)

        join(member, f"/meetings/{SLUG}/room", "Ana")
        expect(member.locator("#room-waiting")).to_be_visible(timeout=WAIT_MS)
        expect(chair.locator("#h-waiting")).to_contain_text("Ana", timeout=WAIT_MS)
        audit.state("the waiting room", both, panels=("host-slot",))

        chair.locator('#h-waiting [data-act="admit"]').first.click()
        expect(member.locator("#seg-h")).not_to_have_text("", timeout=WAIT_MS)
        expect(member.locator("#people-list")).to_contain_text("Pat", timeout=WAIT_MS)
        audit.state("admitted, the opening reading", both, panels=("host-slot", *PANELS))

        chair.locator('[data-act="seg-next"]').click()
        member.locator("#b-hand").click()
        expect(member.locator("#b-hand")).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
        expect(chair.locator("#queue-list")).to_contain_text("Ana", timeout=WAIT_MS)
        audit.state("a hand in the queue", both)

        chair.locator('[data-act="call-next"]').click()
        expect(member.locator("#my-offer")).to_be_visible(timeout=WAIT_MS)
        audit.state("called on", both)

        member.locator("#b-accept").click()
        expect(member.locator("#my-share")).to_be_visible(timeout=WAIT_MS)
        expect(chair.locator("#floor-timer")).to_be_visible(timeout=WAIT_MS)
        audit.state("sharing", both)

        member.locator("#type-share").fill("Words typed for the room")
        member.locator("#type-share-form button[type=submit]").click()
        expect(chair.locator("#typed-share")).to_contain_text("Words typed for the room", timeout=WAIT_MS)
        audit.state("a typed share", both)

        member.locator("#b-done").click()
        expect(chair.locator("#my-share")).to_be_hidden(timeout=WAIT_MS)
        expect(chair.locator("#typed-share")).to_be_hidden(timeout=WAIT_MS)
        chair.locator('[data-act="end"]').click()
        expect(chair.locator("#h-end-confirm")).to_be_visible()
        audit.state("the chair asked to confirm the end", {"chair": chair})
        chair.locator('[data-act="confirm-end"]').click()
        expect(member.locator("#room-closed")).to_be_visible(timeout=WAIT_MS)
        expect(chair.locator("#room-closed")).to_be_visible(timeout=WAIT_MS)
        audit.state("the meeting ended", both)
    finally:
        for context in contexts:
            context.close()
    assert audit.found == {}, f"axe-core found WCAG A/AA violations in the room ({language}):\n{audit.report()}"
