"""Every feature that touches people, in real browsers, then a search for what they said everywhere it could be.

One server on the embedded default (SQLite; Janus too, where installed) logging at DEBUG. In Debian's
Chromium: a search with words and a position; a meeting with canary display names, a wrong then a right
passcode, chat, a report, a rename, a removal, an attendance slip with a canary name, and the end of the
meeting. Afterwards every canary is searched for in every file under the data directory (the database and its
write-ahead log included), in everything the server and its Janus printed, and in the temp directory.
Zero hits, or the test fails naming where. (The client's address is checked by the socket-level canary test,
tests/confidentiality/test_room_canaries.py, which can choose its source address; a browser cannot.)
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, watch
from tests.confidentiality.test_finder_canaries import hits_in
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
SLUG = "canary-browser-room"
PASSCODE = "1357"
SEARCH = "SearchCanaryQuoll"
CHAIR, MEMBER, INTRUDER, RENAMED = (
    "ChairCanaryPlatypus",
    "MemberCanaryNumbat",
    "IntruderCanaryDugong",
    "RenamedCanaryBilby",
)
CHAT = "ChatCanaryKookaburra said something private"
REPORT = "ReportCanaryWallaby keeps interrupting"
WRONG_PASSCODE = "86420975"
SLIP_NAME = "SlipCanaryAxolotl Jones"
CANARIES = [SEARCH, CHAIR, MEMBER, INTRUDER, RENAMED, "ChatCanaryKookaburra", "ReportCanaryWallaby", WRONG_PASSCODE]
CANARIES += ["SlipCanaryAxolotl", "41.8781", "-87.6297"]
SEED = f"""
import datetime as dt
from stayhere.slips import keystore
from tests.browser.room_seed import FORMAT, running_now
from tests.rooms.factories import make_room
meeting = running_now("Canary Browser Room", "{SLUG}")
room = make_room(meeting, waiting_room=True, chat_policy="open", passcode="{PASSCODE}", format=FORMAT)
keystore.enable(meeting.group, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), minimum_minutes=0)
print("CHAIR-KEY", room.chair_key)
"""


@contextlib.contextmanager
def canary_server(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    setup = [["load_demo", "--meetings", "60", "--seed", "3"], ["shell", "-c", SEED]]
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    with live_server(data_dir, tmp_path / "server.log", setup=setup, extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        yield running, keys[-1]


def join(page: Any, path: str, name: str, passcode: str = "") -> None:
    page.goto(path)
    page.get_by_label("Your name in this meeting").fill(name)
    if passcode:
        page.get_by_label("Passcode, if the meeting has one").fill(passcode)
    page.get_by_role("button", name="Join", exact=True).click()


def test_every_feature_that_touches_people_leaves_no_canary_anywhere(browser: Any, tmp_path: Path) -> None:
    with canary_server(tmp_path) as (server, chair_key):
        use_every_feature(browser, server, chair_key)

    # The server has stopped: its database, write-ahead log and output (Janus' included) are complete.
    found: list[str] = []
    for path in [p for p in server.data_dir.rglob("*") if p.is_file()] + [server.output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES)]
    for path in Path(tempfile.gettempdir()).glob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size < 50_000_000:
                found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES)]
    assert found == [], "canaries were kept: " + "; ".join(found)
    assert "stayhere is running" in server.log_text(), "the server's output was captured"


def use_every_feature(browser: Any, server: LiveServer, chair_key: str) -> None:
    geo = {"geolocation": {"latitude": 41.878113, "longitude": -87.629799}, "permissions": ["geolocation"]}
    contexts = [browser.new_context(base_url=server.url, **geo)] + [
        browser.new_context(base_url=server.url) for _ in range(3)
    ]
    seeker, chair, member, intruder = (watch(context, server.url) for context in contexts)
    try:
        # A search with words and the device's position.
        seeker.page.goto("/")
        seeker.page.get_by_role("button", name="Use my position").click()
        expect(seeker.page.locator("#f-position")).to_have_value("41.88,-87.63")
        seeker.page.get_by_label("Name, group, place or words in the notes").fill(SEARCH)
        seeker.page.get_by_role("button", name="Find meetings").click()
        seeker.page.wait_for_url(re.compile(r"near=41\.88"))

        # The meeting: the chair opens it; a wrong passcode, then the right one; the waiting room.
        join(chair.page, f"/meetings/{SLUG}/room/chair/{chair_key}", CHAIR)
        expect(chair.page.locator("#seg-h")).to_contain_text("Opening", timeout=WAIT_MS)
        join(member.page, f"/meetings/{SLUG}/room", MEMBER, WRONG_PASSCODE)
        expect(member.page.locator("#join-error")).to_contain_text("passcode is not right", timeout=WAIT_MS)
        member.page.get_by_label("Passcode, if the meeting has one").fill(PASSCODE)
        member.page.get_by_role("button", name="Join", exact=True).click()
        join(intruder.page, f"/meetings/{SLUG}/room", INTRUDER, PASSCODE)
        chair.page.get_by_role("button", name="Admit all").click()
        expect(member.page.locator("#seg-h")).to_contain_text("Opening", timeout=WAIT_MS)

        # Chat, a rename, a report about the intruder, and the intruder's removal.
        member.page.locator("#chat-text").fill(CHAT)
        member.page.locator("#chat-form button").click()
        expect(chair.page.locator("#chat-list")).to_contain_text(CHAT, timeout=WAIT_MS)
        member.page.get_by_label("Change your name").fill(RENAMED)
        member.page.get_by_role("button", name="Rename").click()
        expect(chair.page.locator("#people-list")).to_contain_text(RENAMED, timeout=WAIT_MS)
        member.page.locator("#report-text").fill(REPORT)
        member.page.get_by_role("button", name="Send to the hosts").click()
        expect(chair.page.locator("#h-reports")).to_contain_text(REPORT, timeout=WAIT_MS)
        chair.page.get_by_role("button", name=f"Manage {INTRUDER}").click()
        chair.page.get_by_role("button", name="Remove…").click()
        chair.page.get_by_role("button", name="Yes, remove").click()
        expect(intruder.page.locator("#room-closed")).to_contain_text("removed you", timeout=WAIT_MS)

        # The closing: an attendance slip with a name that stays in the browser; then the end.
        chair.page.get_by_role("button", name="Go to “Closing”").click()
        expect(member.page.locator("#seg-h")).to_contain_text("Closing", timeout=WAIT_MS)
        member.page.get_by_label("Your name for the slip").fill(SLIP_NAME)
        member.page.get_by_role("button", name="Get my attendance slip").click()
        expect(member.page.locator("#slip")).to_contain_text(SLIP_NAME, timeout=WAIT_MS)
        chair.page.get_by_role("button", name="End meeting…").click()
        chair.page.get_by_role("button", name="Yes, end the meeting").click()
        expect(member.page.locator("#room-closed")).to_contain_text("The meeting has ended", timeout=WAIT_MS)
        for watched in (seeker, chair, member, intruder):
            assert watched.foreign_requests() == []
            assert watched.csp_violations() == []
    finally:
        for context in contexts:
            context.close()
