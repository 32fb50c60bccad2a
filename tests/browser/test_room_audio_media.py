"""Audio that really flows: stayhere, its Janus and two Chromiums in a network namespace of the test's own (Janus
gathers no loopback candidates, so the namespace has a veth pair). Only the floor holder is heard.

Needs root (``ip netns``), Janus and Chromium; skipped otherwise.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import struct
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.audio.conftest import free_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, watch
from tests.browser.room_seed import SLUG

pytestmark = [pytest.mark.browser, pytest.mark.janus]

WAIT_MS = 20_000
NOT_YOUR_TURN = (
    "The meeting does not hear you: only the person with the floor is heard. When it is your turn, you are heard."
)
# RMS of what a page plays: a tone heard measures 0.04 to 0.15 here, silence 0.0000.
LOUD = 0.02
QUIET = 0.005
LEVEL_JS = """
async () => {
  const out = document.getElementById('audio-out');
  if (!out.srcObject) return -1;
  const context = new AudioContext();
  const source = context.createMediaStreamSource(out.srcObject);
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  let peak = 0;
  for (let i = 0; i < 20; i++) {
    await new Promise((done) => setTimeout(done, 50));
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const x of data) sum += x * x;
    peak = Math.max(peak, Math.sqrt(sum / data.length));
  }
  await context.close();
  return peak;
}
"""


def tone_file(path: Path, frequency: float = 440.0, seconds: int = 5) -> Path:
    rate = 48000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(20000 * math.sin(2 * math.pi * frequency * n / rate))) for n in range(rate * seconds)
        )
        out.writeframes(frames)
    return path


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("Needs root and iproute2 to make a network namespace.")
    if shutil.which("janus") is None or not CHROMIUM.exists():
        pytest.skip("Needs Janus and Chromium.")
    name = "stayhere-" + secrets.token_hex(4)
    try:
        ip("netns", "add", name)
    except subprocess.CalledProcessError as refused:
        pytest.skip(f"This machine does not allow a network namespace here: {refused.stderr!r}")
    try:
        try:
            ip("-n", name, "link", "set", "lo", "up")
            ip("-n", name, "link", "add", "sh0", "type", "veth", "peer", "name", "sh1")
            ip("-n", name, "addr", "add", "10.231.7.1/24", "dev", "sh0")
            ip("-n", name, "link", "set", "sh0", "up")
            ip("-n", name, "link", "set", "sh1", "up")
        except subprocess.CalledProcessError as refused:
            pytest.skip(f"This machine does not allow a veth pair in a namespace: {refused.stderr!r}")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


@pytest.fixture(scope="module")
def inside(netns: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """stayhere serving inside the namespace: (its URL, the chair key, the folder for the browser wrapper)."""
    folder = tmp_path_factory.mktemp("audio-media")
    data_dir = folder / "data"
    data_dir.mkdir(mode=0o700)
    env = {
        **{k: v for k, v in os.environ.items() if k != "STAYHERE_DATABASE_URL"},
        "STAYHERE_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
        "STAYHERE_JANUS_HTTP_PORT": str(free_port()),
        "STAYHERE_JANUS_ADMIN_PORT": str(free_port()),
        "STAYHERE_JANUS_ICE_ENFORCE_LIST": "sh0",
    }
    cli = [sys.executable, "-m", "stayhere.cli"]
    migrated = subprocess.run([*cli, "migrate", "--verbosity", "0"], env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = subprocess.run(
        [*cli, "shell", "-c", "from tests.browser.room_seed import seed; seed()"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    keys = [line.split()[1] for line in seeded.stdout.splitlines() if line.startswith("CHAIR-KEY ")]
    assert keys, "the seed printed no chair key"
    port = 8000 + secrets.randbelow(1000)
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        ["ip", "netns", "exec", netns, *cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    probe = f"import urllib.request; urllib.request.urlopen({url + '/health'!r}, timeout=2)"
    try:
        deadline = time.monotonic() + 60
        asking = ["ip", "netns", "exec", netns, sys.executable, "-c", probe]
        while subprocess.run(asking, capture_output=True).returncode:
            assert server.poll() is None and time.monotonic() < deadline, (folder / "server.log").read_text()
            time.sleep(0.3)
        wrapper = folder / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {netns} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        yield url, keys[-1], folder
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_only_the_floor_holder_is_heard_through_janus(browser: Any, inside: tuple[str, str, Path]) -> None:
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
        pages = {}
        for label in ("chair", "ana"):
            context = media.new_context(base_url=url, permissions=["microphone"])
            pages[label] = watch(context, url).page
        chair, ana = pages["chair"], pages["ana"]
        chair.goto(f"/meetings/{SLUG}/room/chair/{chair_key}")
        chair.get_by_label("Your name in this meeting").fill("Pat")
        chair.get_by_role("button", name="Join", exact=True).click()
        expect(chair.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)
        ana.goto(f"/meetings/{SLUG}/room")
        ana.get_by_label("Your name in this meeting").fill("Ana")
        ana.get_by_role("button", name="Join", exact=True).click()
        chair.get_by_role("button", name="Admit Ana").click()
        for page in (chair, ana):
            expect(page.locator("#audio-state")).to_contain_text("Join audio", timeout=WAIT_MS)
            page.get_by_role("button", name="Join audio").click()
            expect(page.locator("#r-audio")).to_have_attribute("data-connection", "connected", timeout=WAIT_MS)
        expect(chair.locator("#audio-state")).to_have_text("You are live: the meeting hears you.")
        expect(ana.locator("#audio-state")).to_have_text(NOT_YOUR_TURN)
        time.sleep(1.0)  # the jitter buffers fill
        heard_by_ana = ana.evaluate(LEVEL_JS)
        heard_by_chair = chair.evaluate(LEVEL_JS)
        print(f"levels: ana hears {heard_by_ana:.4f}, chair hears {heard_by_chair:.4f}")
        assert heard_by_ana > LOUD, "the chair, holding the floor, is heard"
        assert heard_by_chair < QUIET, "Ana, muted, is not"
        # Janus' talking events reach the page: the chair is shown speaking, and Ana (muted) never is.
        speaking = ana.locator("#people-list li.talking")
        expect(speaking).to_have_count(1, timeout=WAIT_MS)
        expect(speaking).to_contain_text("Pat")

        # The floor moves to Ana when she accepts a share: now she is heard and the chair is not.
        chair.get_by_role("button", name="Next part").click()
        ana.get_by_role("button", name="Raise hand").click()
        expect(chair.locator("#queue-list")).to_contain_text("Ana", timeout=WAIT_MS)
        chair.get_by_role("button", name="Call next").click()
        ana.get_by_role("button", name="Share", exact=True).click()
        expect(ana.locator("#audio-state")).to_have_text("You are live: the meeting hears you.", timeout=WAIT_MS)
        expect(chair.locator("#audio-state")).to_have_text(NOT_YOUR_TURN)
        time.sleep(1.0)
        heard_by_ana = ana.evaluate(LEVEL_JS)
        heard_by_chair = chair.evaluate(LEVEL_JS)
        print(f"levels: ana hears {heard_by_ana:.4f}, chair hears {heard_by_chair:.4f}")
        assert heard_by_chair > LOUD and heard_by_ana < QUIET

        # Ana mutes herself: nobody is heard.
        ana.get_by_role("button", name="Mute me", exact=True).click()
        expect(ana.locator("#audio-state")).to_contain_text("(you are muted)", timeout=WAIT_MS)
        time.sleep(1.0)
        assert chair.evaluate(LEVEL_JS) < QUIET
    finally:
        media.close()
