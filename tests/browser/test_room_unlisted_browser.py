"""An unlisted room in a real browser: its members' link lets a person in; its plain address does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO
from tests.browser.test_room_browser import WAIT_MS, Person
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

SLUG = "unlisted-browser-room"
SEED = f"""
from stayhere.rooms.web import keys
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Quiet Unlisted Room", "{SLUG}"), unlisted=True, waiting_room=False)
print("LINK-KEY", keys.rotate_link_key(room.settings))
"""


@pytest.fixture
def unlisted_server(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    setup = [["shell", "-c", SEED]]
    with live_server(
        tmp_path / "data", tmp_path / "server.log", setup=setup, extra_env={"PYTHONPATH": str(REPO)}
    ) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("LINK-KEY ")]
        yield running, keys[-1]


def test_the_members_link_lets_a_person_in_and_the_plain_address_is_not_found(
    browser: Any, unlisted_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, link_key = unlisted_server
    ana = Person(browser, server, "ana", tmp_path)
    try:
        answer = ana.page.goto(f"/meetings/{SLUG}/room")
        assert answer is not None and answer.status == 404
        listing = ana.page.goto(f"/meetings/{SLUG}")
        assert listing is not None and listing.status == 200
        expect(ana.page.get_by_role("link", name="Join the meeting room")).to_have_count(0)
        expect(ana.page.locator("main")).to_contain_text("unlisted room")
        ana.join(f"/meetings/{SLUG}/room/link/{link_key}", "Ana")
        expect(ana.page.locator("#people-list")).to_contain_text("Ana (you)", timeout=WAIT_MS)
        assert ana.watched.foreign_requests() == [] and ana.watched.csp_violations() == []
    finally:
        ana.context.close()
