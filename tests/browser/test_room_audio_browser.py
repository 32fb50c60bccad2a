"""The room page's audio in a real Chromium against a real server with its own Janus: joining the audio, the
"You are live" / "The meeting does not hear you" line, muting oneself. The signalling only: on a machine with
nothing but the loopback interface no media can flow (Janus gathers no loopback candidates; see docs/audio.md)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.audio.conftest import free_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, watch
from tests.browser.room_seed import SLUG
from tests.live_server import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.janus]

WAIT_MS = 10_000
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def audio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    if shutil.which("janus") is None:
        pytest.skip("Janus is not installed here (no `janus` on the PATH): apt-get install janus")
    data_dir = tmp_path_factory.mktemp("audio-room-data")
    output = tmp_path_factory.mktemp("audio-room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    env = {
        "PYTHONPATH": str(REPO),
        # Ports of its own: another test server may be running its Janus on the default ones.
        "STAYHERE_JANUS_HTTP_PORT": str(free_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_port()),
    }
    with live_server(data_dir, output, setup=[seed], extra_env=env) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    """A Chromium with a fake microphone, from the session's Playwright (one per thread is allowed)."""
    launched = browser.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield launched
    launched.close()


def test_the_chair_joins_the_audio_is_live_with_the_floor_and_can_mute(
    media_browser: Any, audio_server: tuple[LiveServer, str]
) -> None:
    server, chair_key = audio_server
    context = media_browser.new_context(base_url=server.url, permissions=["microphone"])
    try:
        watched = watch(context, server.url)
        page = watched.page
        page.goto(f"/meetings/{SLUG}/room/chair/{chair_key}")
        page.get_by_label("Your name in this meeting").fill("Pat")
        page.get_by_role("button", name="Join", exact=True).click()
        state = page.locator("#audio-state")
        expect(state).to_contain_text("Join audio", timeout=WAIT_MS)
        page.get_by_role("button", name="Join audio").click()
        # The chair holds the floor between shares: the server says this seat is live.
        expect(state).to_have_text("You are live: the meeting hears you.", timeout=WAIT_MS)
        mute = page.get_by_role("button", name="Mute me", exact=True)
        mute.click()
        expect(state).to_have_text(
            "The meeting does not hear you (you are muted). It is your turn: press “Unmute me” to speak.",
            timeout=WAIT_MS,
        )
        expect(page.get_by_role("button", name="Unmute me")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="Unmute me").click()
        expect(state).to_have_text("You are live: the meeting hears you.", timeout=WAIT_MS)
        page.get_by_role("button", name="Leave audio").click()
        expect(state).to_contain_text("Join audio", timeout=WAIT_MS)
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
        assert "Pat" not in server.log_text()
    finally:
        context.close()
