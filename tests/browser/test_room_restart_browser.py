"""The embedded server restarts mid-meeting: in real browsers, everyone is told and the chair picks up the format.

One ``stayhere serve`` on SQLite keeps its rooms in its own memory (no Redis). The process is killed (as a crash or
an out-of-memory kill would) and started again on the same port and data directory. The pages' seats cannot be
resumed, since nothing of the meeting survived: each page says, in its live region, that the meeting was
interrupted and nothing was kept (before the fix the pages quietly joined an empty meeting and said
"Connected."). The chair's page kept only the step of the format it was at; after rejoining, the chair is
offered "Pick up at step N", an ordinary chair action.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO
from tests.browser.room_seed import SLUG
from tests.browser.test_room_browser import WAIT_MS, Person
from tests.live_server import LiveServer, free_port, stayhere

pytestmark = pytest.mark.browser

NOTICE_MS = 45_000  # the pages reconnect with backoff (up to 30 s between tries): a bounded wait, not a speed
STORED_FIELDS = {"name", "passcode", "seat", "token", "seq", "step", "pickUp"}


@dataclass
class Restartable:
    """``stayhere serve`` in a child process that the test can kill and start again on the same port."""

    server: LiveServer
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Starts the server; the time.monotonic() at which it first answered /health."""
        command = [sys.executable, "-m", "stayhere.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.server.output.open("ab") as sink:
            self.process = subprocess.Popen([*command, "--no-migrate"], env=self.env, stdout=sink, stderr=sink)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.server.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.monotonic()
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"stayhere did not start:\n{self.server.log_text()}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[tuple[Restartable, str]]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
    env.update({"STAYHERE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO), "STAYHERE_JANUS": "0"})
    env["STAYHERE_LOG_LEVEL"] = "INFO"
    output = tmp_path / "server.log"
    stayhere(["migrate", "--verbosity", "0"], env, output)
    stayhere(["shell", "-c", "from tests.browser.room_seed import seed; seed()"], env, output)
    chair_key = next(line.split()[1] for line in output.read_text().splitlines() if line.startswith("CHAIR-KEY "))
    port = free_port()
    served = Restartable(LiveServer(f"http://127.0.0.1:{port}", tmp_path / "data", output), env, port)
    served.start()
    try:
        yield served, chair_key
    finally:
        if served.process is not None:
            served.process.terminate()
            served.process.wait(timeout=10)


def stored(person: Person) -> dict[str, Any]:
    text = person.page.evaluate(f"sessionStorage.getItem('stayhere.room.{SLUG}')")
    return json.loads(text) if text else {}


@contextmanager
def people(browser: Any, server: LiveServer, shots: Path) -> Iterator[tuple[Person, Person]]:
    chair, ana = Person(browser, server, "chair", shots), Person(browser, server, "ana", shots)
    try:
        yield chair, ana
    finally:
        for person in (chair, ana):
            person.context.close()


def test_a_restarted_server_tells_everyone_the_meeting_was_interrupted_and_the_chair_picks_up_the_format(
    browser: Any, restartable: tuple[Restartable, str], tmp_path: Path
) -> None:
    served, chair_key = restartable
    shots = tmp_path / "shots"
    shots.mkdir()
    with people(browser, served.server, shots) as (chair, ana):
        chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
        chair.see("#seg-h", "Opening")
        ana.join(f"/meetings/{SLUG}/room", "Ana")
        chair.button("Admit Ana").click()
        ana.see("#seg-h", "Opening")
        chair.button("Next part").click()
        ana.see("#seg-h", "Our speaker")
        expect(chair.page.locator("#pick-up")).to_be_hidden()  # nothing to pick up in a meeting that was not cut
        # The chair's page notes the step (written within a quarter second of the change).
        deadline = time.monotonic() + 5
        while stored(chair).get("step") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored(chair).get("step") == 1

        killed = time.monotonic()
        served.kill()
        up = served.start()

        seen = []
        for person in (chair, ana):
            # The live region says it (role=status, aria-live=polite), and the page offers a fresh start.
            expect(person.page.locator("#room-status")).to_contain_text("interrupted", timeout=NOTICE_MS)
            person.see("#room-closed", "nothing from before was kept")
            expect(person.button("Rejoin the meeting")).to_be_visible(timeout=WAIT_MS)
            expect(person.button("Rejoin the meeting")).to_be_focused()
            seen.append(time.monotonic())
        print(
            f"\nrestart: server down {up - killed:.1f} s; notice on both pages {max(seen) - up:.1f} s after it "
            f"answered again ({max(seen) - killed:.1f} s after the kill)"
        )
        ana.shot("interrupted-by-restart")

        # The chair rejoins with the chair link's page: chair again, at the start, and offered the step it was at.
        chair.button("Rejoin the meeting").click()
        chair.see("#seg-h", "Opening")
        pick_up = chair.button("Pick up at step 2: “Our speaker”")
        expect(pick_up).to_be_visible(timeout=WAIT_MS)
        chair.see("#room-alert", "Pick up at step 2")
        ana.button("Rejoin the meeting").click()
        chair.button("Admit Ana").click()
        ana.see("#seg-h", "Opening")
        expect(ana.page.locator("#pick-up")).to_be_hidden()  # a member's page noted nothing and is offered nothing
        pick_up.click()
        chair.see("#seg-h", "Our speaker")
        ana.see("#seg-h", "Our speaker")
        expect(chair.page.locator("#pick-up")).to_be_hidden()
        chair.shot("picked-up")

        # What the pages keep: their own seat and name, as before, and the chair's step; no one else's name.
        for person, other in ((chair, "Ana"), (ana, "Pat")):
            kept = stored(person)
            assert set(kept) <= STORED_FIELDS, kept
            assert other not in json.dumps(kept)
            assert person.watched.foreign_requests() == [], person.label
            assert person.watched.csp_violations() == [], person.label
        deadline = time.monotonic() + 5  # the step is written within a quarter second of the change
        while stored(chair).get("step") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored(chair)["step"] == 1 and "pickUp" not in stored(chair)
        assert "step" not in stored(ana)
