"""Five Chromiums in one audio meeting (stayhere and its Janus in a network namespace of the test's own): every
page sends the same loud tone, yet only the floor holder's reaches the other four, and the floor holder hears
nothing; when the floor moves to a member who accepted a share, the other four hear that member and the
member hears nothing.

Shares the namespace and server fixtures of ``test_room_audio_media`` (a fresh server and meeting for this
module). Needs root (``ip netns``), Janus and Chromium; skipped otherwise.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, watch
from tests.browser.room_seed import SLUG
from tests.browser.test_room_audio_media import (  # noqa: F401 - the fixtures, for a server of this module's own
    LEVEL_JS,
    LOUD,
    QUIET,
    WAIT_MS,
    inside,
    netns,
    tone_file,
)

pytestmark = [pytest.mark.browser, pytest.mark.janus]

MEMBERS = ("Ana", "Ben", "Cy", "Dee")
# Keeps each page's peer connections where getStats can reach them (the page's own script keeps its private).
KEEP_CONNECTIONS = """
(() => {
  const Original = window.RTCPeerConnection;
  window.__connections = [];
  window.RTCPeerConnection = function (...args) {
    const connection = new Original(...args);
    window.__connections.push(connection);
    return connection;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"""
# Audio RTP packets this page has sent to Janus and received from it, from getStats.
PACKETS_JS = """
async () => {
  let sent = 0, received = 0;
  for (const connection of window.__connections || []) {
    (await connection.getStats()).forEach((report) => {
      if (report.kind !== 'audio') return;
      if (report.type === 'outbound-rtp') sent += report.packetsSent || 0;
      if (report.type === 'inbound-rtp') received += report.packetsReceived || 0;
    });
  }
  return { sent, received };
}
"""
LIVE = "You are live: the meeting hears you."
MUTED = "The meeting does not hear you: only the person with the floor is heard. When it is your turn, you are heard."


def levels(pages: dict[str, Any]) -> dict[str, float]:
    heard = {label: float(page.evaluate(LEVEL_JS)) for label, page in pages.items()}
    print("levels:", ", ".join(f"{label} hears {value:.4f}" for label, value in heard.items()))
    return heard


def test_five_in_a_meeting_only_the_floor_holder_reaches_the_others(
    browser: Any,
    inside: tuple[str, str, Path],  # noqa: F811 - the fixture imported above
) -> None:
    url, chair_key, folder = inside
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={tone_file(folder / 'tone.wav')}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    media = browser.browser_type.launch(executable_path=str(folder / "chromium"), args=args)
    try:
        pages: dict[str, Any] = {}
        for label in ("chair", *MEMBERS):
            context = media.new_context(base_url=url, permissions=["microphone"])
            context.add_init_script(KEEP_CONNECTIONS)
            pages[label] = watch(context, url).page
        chair = pages["chair"]
        chair.goto(f"/meetings/{SLUG}/room/chair/{chair_key}")
        chair.get_by_label("Your name in this meeting").fill("Pat")
        chair.get_by_role("button", name="Join", exact=True).click()
        expect(chair.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)
        for name in MEMBERS:
            page = pages[name]
            page.goto(f"/meetings/{SLUG}/room")
            page.get_by_label("Your name in this meeting").fill(name)
            page.get_by_role("button", name="Join", exact=True).click()
            chair.get_by_role("button", name=f"Admit {name}").click()
        for page in pages.values():
            expect(page.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)
            page.get_by_role("button", name="Join audio").click()
        for page in pages.values():
            expect(page.locator("#r-audio")).to_have_attribute("data-connection", "connected", timeout=WAIT_MS)

        # The chair holds the floor (the opening reading): the four members hear it; the chair, with four
        # muted tones in the room, hears nothing.
        expect(chair.locator("#audio-state")).to_have_text(LIVE)
        for name in MEMBERS:
            expect(pages[name].locator("#audio-state")).to_have_text(MUTED)
        time.sleep(1.0)  # the jitter buffers fill
        heard = levels(pages)
        for name in MEMBERS:
            assert heard[name] > LOUD, f"{name} hears the chair, who holds the floor"
        assert heard["chair"] < QUIET, "no muted member reaches the chair"
        # getStats: the chair's tone goes to Janus and every page receives the mix, so the silence the chair
        # hears is the floor at work, not a missing stream. (Whether a muted page sends at all is the page's
        # choice; today it does, and Janus' server-side mute keeps it out of the mix.)
        for label, page in pages.items():
            packets = page.evaluate(PACKETS_JS)
            print(f"{label}: {packets}")
            assert packets["received"] > 0, f"{label} receives the mix"
            if label == "chair":
                assert packets["sent"] > 0, "the floor holder's audio goes to Janus"

        # The floor moves to Ben when he accepts a share: the chair and the other three hear him, he hears nothing.
        chair.get_by_role("button", name="Next part").click()
        ben = pages["Ben"]
        ben.get_by_role("button", name="Raise hand").click()
        expect(chair.locator("#queue-list")).to_contain_text("Ben", timeout=WAIT_MS)
        chair.get_by_role("button", name="Call next").click()
        ben.get_by_role("button", name="Share", exact=True).click()
        expect(ben.locator("#audio-state")).to_have_text(LIVE, timeout=WAIT_MS)
        for label, page in pages.items():
            if label != "Ben":
                expect(page.locator("#audio-state")).to_have_text(MUTED, timeout=WAIT_MS)
        time.sleep(1.0)
        heard = levels(pages)
        for label in ("chair", "Ana", "Cy", "Dee"):
            assert heard[label] > LOUD, f"{label} hears Ben, who holds the floor"
        assert heard["Ben"] < QUIET, "neither the chair nor a muted member reaches Ben"
    finally:
        media.close()
