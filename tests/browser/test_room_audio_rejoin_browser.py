"""The room page's audio across a dropped connection, and the TURN credentials it hands to RTCPeerConnection, in a
real Chromium against a real server with its own Janus and TURN configured. The signalling only, as in
test_room_audio_browser.py: on a machine with only the loopback interface no media flows (docs/audio.md), so
"audio again" is checked as a new audio_offer on the new connection, its audio_answer, and the server taking the
page's unmute on it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.audio.conftest import free_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, watch
from tests.browser.room_seed import SLUG
from tests.browser.test_room_browser import SOCKET_RECORDER
from tests.live_server import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.janus]

WAIT_MS = 15_000
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
SECRET = "browser-test-turn-secret-0123456789"
# Nothing listens there: the page is given the address, Chromium's attempt to reach it simply fails.
TURN_URL = f"turn:127.0.0.1:{free_port()}?transport=udp"
USERNAME = re.compile(r"^[0-9]{10}:[A-Za-z0-9_-]{16}$")
# Records each RTCPeerConnection's configuration (what the page passes, not what the browser fills in).
PC_RECORDER = """
(() => {
  const Real = window.RTCPeerConnection;
  window.__pcConfigs = [];
  window.RTCPeerConnection = class extends Real {
    constructor(config, ...rest) {
      window.__pcConfigs.push(JSON.parse(JSON.stringify(config || {})));
      super(config, ...rest);
    }
  };
})();
"""
NOT_YOUR_TURN = (
    "The meeting does not hear you: only the person with the floor is heard. When it is your turn, you are heard."
)
MUTED_YOUR_TURN = "The meeting does not hear you (you are muted). It is your turn: press “Unmute me” to speak."
LIVE = "You are live: the meeting hears you."


@pytest.fixture(scope="module")
def turn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    if shutil.which("janus") is None:
        pytest.skip("Janus is not installed here (no `janus` on the PATH): apt-get install janus")
    data_dir = tmp_path_factory.mktemp("audio-rejoin-data")
    output = tmp_path_factory.mktemp("audio-rejoin-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    env = {
        "PYTHONPATH": str(REPO),
        "STAYHERE_JANUS_HTTP_PORT": str(free_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_port()),
        "STAYHERE_TURN_URLS": TURN_URL,
        "STAYHERE_TURN_SECRET": SECRET,
    }
    with live_server(data_dir, output, setup=[seed], extra_env=env) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    launched = browser.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield launched
    launched.close()


class Frames:
    """Every room frame the page sent and received, by socket (0 for the first connection, 1 for the next...)."""

    def __init__(self, page: Any) -> None:
        self.sockets: list[list[tuple[str, dict[str, Any]]]] = []
        page.on("websocket", self._opened)

    def _opened(self, ws: Any) -> None:
        frames: list[tuple[str, dict[str, Any]]] = []
        self.sockets.append(frames)
        ws.on("framesent", lambda payload: frames.append(("sent", json.loads(payload))))
        ws.on("framereceived", lambda payload: frames.append(("received", json.loads(payload))))

    def types(self, index: int) -> list[tuple[str, str]]:
        return [(way, frame["type"]) for way, frame in self.sockets[index]]

    def first(self, index: int, way: str, kind: str) -> dict[str, Any]:
        return next(frame for w, frame in self.sockets[index] if w == way and frame["type"] == kind)


def test_after_a_dropped_connection_the_audio_comes_back_by_itself_muted_with_fresh_turn_credentials(
    media_browser: Any, turn_server: tuple[LiveServer, str]
) -> None:
    server, chair_key = turn_server
    context = media_browser.new_context(base_url=server.url, permissions=["microphone"])
    try:
        context.add_init_script(SOCKET_RECORDER)
        context.add_init_script(PC_RECORDER)
        watched = watch(context, server.url)
        page = watched.page
        frames = Frames(page)
        page.goto(f"/meetings/{SLUG}/room/chair/{chair_key}")
        page.get_by_label("Your name in this meeting").fill("Pat")
        page.get_by_role("button", name="Join", exact=True).click()
        state = page.locator("#audio-state")
        expect(state).to_contain_text("Join audio", timeout=WAIT_MS)
        page.get_by_role("button", name="Join audio").click()
        expect(state).to_have_text(LIVE, timeout=WAIT_MS)  # the chair holds the floor between shares
        [first] = page.evaluate("window.__pcConfigs")
        [ice] = first["iceServers"]
        assert ice["urls"] == [TURN_URL] and USERNAME.match(ice["username"]) and ice["credential"]
        assert "iceTransportPolicy" not in first, "the policy stays the browser's default"

        # The connection drops; the page resumes its seat and joins the audio again without a click, muted.
        page.evaluate("window.__sockets.at(-1).close()")
        expect(state).to_have_text(MUTED_YOUR_TURN, timeout=WAIT_MS)
        expect(page.locator("#audio-note")).to_contain_text("you are in the audio again, muted", timeout=WAIT_MS)
        expect(page.get_by_role("button", name="Unmute me")).to_have_attribute("aria-pressed", "true")
        expect(page.get_by_role("button", name="Leave audio")).to_be_visible()
        assert page.evaluate("window.__sockets.length") == 2
        again = frames.types(1)
        assert (
            again.index(("sent", "resume")) < again.index(("received", "audio")) < again.index(("sent", "audio_offer"))
        )
        assert again.index(("sent", "audio_offer")) < again.index(("received", "audio_answer"))
        assert ("sent", "join") not in again, "the seat was resumed, not joined afresh"
        assert frames.first(1, "sent", "audio_mute")["muted"] is True
        assert frames.first(1, "received", "audio_answer")["sdp"].startswith("v=0")
        configs = page.evaluate("window.__pcConfigs")
        assert len(configs) == 2
        fresh = configs[1]["iceServers"][0]
        assert fresh["urls"] == [TURN_URL] and fresh["username"] != ice["username"]
        assert fresh == frames.first(1, "received", "audio")["ice_servers"][0]

        # The server has this new connection's audio: the chair's unmute is taken and she is live again.
        page.get_by_role("button", name="Unmute me").click()
        expect(state).to_have_text(LIVE, timeout=WAIT_MS)
        assert [f for w, f in frames.sockets[1] if w == "received" and f["type"] == "error"] == []

        # Leaving the audio and then losing the connection does not join it again.
        page.get_by_role("button", name="Leave audio").click()
        expect(state).to_contain_text("Join audio", timeout=WAIT_MS)
        page.evaluate("window.__sockets.at(-1).close()")
        for _ in range(100):  # until the third connection has resumed and had its audio event
            if len(frames.sockets) > 2 and ("received", "audio") in frames.types(2):
                break
            page.wait_for_timeout(100)
        assert ("received", "audio") in frames.types(2)
        page.wait_for_timeout(300)
        expect(page.locator("#audio-state")).to_contain_text("Join audio")
        assert ("sent", "audio_offer") not in frames.types(2)
        assert len(page.evaluate("window.__pcConfigs")) == 2

        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
        log = server.log_text()
        assert "Pat" not in log and SECRET not in log
        assert ice["username"] not in log and ice["credential"] not in log and fresh["credential"] not in log
    finally:
        context.close()


def test_a_member_let_in_after_the_welcome_asks_for_turn_credentials_before_it_joins_the_audio(
    media_browser: Any, turn_server: tuple[LiveServer, str]
) -> None:
    server, chair_key = turn_server
    chair_context = media_browser.new_context(base_url=server.url, permissions=["microphone"])
    member_context = media_browser.new_context(base_url=server.url, permissions=["microphone"])
    try:
        chair = watch(chair_context, server.url).page
        chair.goto(f"/meetings/{SLUG}/room/chair/{chair_key}")
        chair.get_by_label("Your name in this meeting").fill("Pat")
        chair.get_by_role("button", name="Join", exact=True).click()
        expect(chair.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)

        member_context.add_init_script(PC_RECORDER)
        member = watch(member_context, server.url).page
        frames = Frames(member)
        member.goto(f"/meetings/{SLUG}/room")
        member.get_by_label("Your name in this meeting").fill("Dee")
        member.get_by_role("button", name="Join", exact=True).click()
        expect(member.locator("#room-waiting")).to_be_visible(timeout=WAIT_MS)
        chair.get_by_role("button", name="Admit Dee").click()
        state = member.locator("#audio-state")
        expect(state).to_contain_text("Join audio", timeout=WAIT_MS)
        waiting_audio = frames.first(0, "received", "audio")
        assert waiting_audio["turn"] is True and "ice_servers" not in waiting_audio

        member.get_by_role("button", name="Join audio").click()
        expect(state).to_have_text(NOT_YOUR_TURN, timeout=WAIT_MS)
        sent = [kind for way, kind in frames.types(0) if way == "sent"]
        assert sent.index("audio_ice") < sent.index("audio_offer")
        [config] = member.evaluate("window.__pcConfigs")
        [ice] = config["iceServers"]
        assert ice["urls"] == [TURN_URL] and USERNAME.match(ice["username"])
        answered = [f for w, f in frames.sockets[0] if w == "received" and f["type"] == "audio"]
        assert answered[-1]["ice_servers"] == [ice]
    finally:
        member_context.close()
        chair_context.close()
