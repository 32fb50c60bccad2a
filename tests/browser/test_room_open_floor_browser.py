"""The open floor on the room page, in real Chromium against a real server with its own Janus: the chair's
console opens and closes it, everyone reads that the floor is open, a member's Unmute is accepted while it is and
the meeting growing past the group's limit closes it. The signalling only (no media flows on a loopback-only
machine; see tests/browser/test_room_audio_browser.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.audio.conftest import free_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, watch
from tests.browser.room_seed import OPEN_FLOOR_MAX, OPEN_FLOOR_SLUG
from tests.live_server import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.janus]

WAIT_MS = 10_000
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
MUTED = "The meeting does not hear you: only the person with the floor is heard. When it is your turn, you are heard."
OPEN_MUTED = "The meeting does not hear you (you are muted). The floor is open: press “Unmute me” to speak."
LIVE = "You are live: the meeting hears you."


@pytest.fixture(scope="module")
def open_floor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    if shutil.which("janus") is None:
        pytest.skip("Janus is not installed here (no `janus` on the PATH): apt-get install janus")
    data_dir = tmp_path_factory.mktemp("open-floor-data")
    output = tmp_path_factory.mktemp("open-floor-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    env = {
        "PYTHONPATH": str(REPO),
        "STAYHERE_JANUS_HTTP_PORT": str(free_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_port()),
    }
    with live_server(data_dir, output, setup=[seed], extra_env=env) as running:
        lines = running.log_text().splitlines()
        keys = [line.split()[1] for line in lines if line.startswith("OPEN-FLOOR-CHAIR-KEY ")]
        assert keys, "the seed printed no chair key for the open floor's room"
        yield running, keys[-1]


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    launched = browser.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield launched
    launched.close()


def join(context: Any, server: LiveServer, path: str, name: str) -> Any:
    watched = watch(context, server.url)
    page = watched.page
    page.goto(path)
    page.get_by_label("Your name in this meeting").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)
    return watched


def test_the_chair_opens_the_floor_a_member_unmutes_and_a_larger_meeting_closes_it(
    media_browser: Any, open_floor_server: tuple[LiveServer, str]
) -> None:
    server, chair_key = open_floor_server
    contexts = [media_browser.new_context(base_url=server.url, permissions=["microphone"]) for _ in range(3)]
    try:
        chair = join(contexts[0], server, f"/meetings/{OPEN_FLOOR_SLUG}/room/chair/{chair_key}", "Pat").page
        watched = join(contexts[1], server, f"/meetings/{OPEN_FLOOR_SLUG}/room", "Alex")
        member = watched.page
        state = member.locator("#audio-state")
        member.get_by_role("button", name="Join audio").click()
        expect(state).to_have_text(MUTED, timeout=WAIT_MS)
        # Not heard because it is not their turn, not because they muted themselves: the button says so.
        expect(member.get_by_role("button", name="Mute me", exact=True)).to_have_attribute("aria-pressed", "false")
        expect(member.get_by_role("button", name="Open the floor to everyone")).to_have_count(0)

        opener = chair.get_by_role("button", name="Open the floor to everyone")
        expect(chair.locator("#h-open-floor-hint")).to_contain_text(f"up to {OPEN_FLOOR_MAX} people")
        opener.click()
        expect(member.locator("#floor-open")).to_have_text("The floor is open: unmute to speak.", timeout=WAIT_MS)
        expect(state).to_have_text(OPEN_MUTED, timeout=WAIT_MS)
        member.get_by_role("button", name="Unmute me").click()
        expect(state).to_have_text(LIVE, timeout=WAIT_MS)
        expect(member.locator("#audio-note")).to_have_text("")  # no refusal

        closer = chair.get_by_role("button", name="Close the open floor")
        expect(closer).to_have_attribute("aria-pressed", "true")
        closer.click()
        expect(member.locator("#floor-open")).to_have_text("", timeout=WAIT_MS)
        expect(member.locator("#room-status")).to_contain_text("The chair closed the open floor", timeout=WAIT_MS)
        expect(state).to_have_text(MUTED, timeout=WAIT_MS)

        # Open again, then a third person comes in: past the group's limit of two, the floor closes by itself.
        chair.get_by_role("button", name="Open the floor to everyone").click()
        expect(member.locator("#floor-open")).to_have_text("The floor is open: unmute to speak.", timeout=WAIT_MS)
        join(contexts[2], server, f"/meetings/{OPEN_FLOOR_SLUG}/room", "Cy")
        expect(member.locator("#room-status")).to_contain_text(f"larger than {OPEN_FLOOR_MAX} people", timeout=WAIT_MS)
        expect(member.locator("#floor-open")).to_have_text("")
        expect(chair.get_by_role("button", name="Open the floor to everyone")).to_be_visible()
        chair.get_by_role("button", name="Open the floor to everyone").click()
        expect(chair.locator("#room-status")).to_contain_text("An open floor is for meetings of up to 2 people")
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
        assert "Alex" not in server.log_text()
    finally:
        for context in contexts:
            context.close()
