"""A meeting whose Redis restarts: in real browsers, everyone is told plainly and rejoins a clean meeting.

A real server keeps its rooms in a Redis of the test's own; the Redis is killed and started again mid-meeting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO
from tests.browser.room_seed import SLUG
from tests.browser.test_room_browser import WAIT_MS, Person
from tests.live_server import LiveServer, live_server
from tests.rooms.redis_server import PrivateRedis, private_redis

pytestmark = pytest.mark.browser


@pytest.fixture
def redis_room_server(tmp_path: Path) -> Iterator[tuple[LiveServer, str, PrivateRedis]]:
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    with private_redis(tmp_path / "redis") as redis_server:
        env = {"PYTHONPATH": str(REPO), "STAYHERE_REDIS_URL": redis_server.url}
        with live_server(tmp_path / "data", tmp_path / "server.log", setup=[seed], extra_env=env) as running:
            keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
            yield running, keys[-1], redis_server


def test_a_meeting_interrupted_by_a_redis_restart_says_so_and_rejoins_afresh(
    browser: Any, redis_room_server: tuple[LiveServer, str, PrivateRedis], tmp_path: Path
) -> None:
    server, chair_key, redis_server = redis_room_server
    shots = tmp_path / "shots"
    shots.mkdir()
    chair, ana = Person(browser, server, "chair", shots), Person(browser, server, "ana", shots)
    try:
        chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
        chair.see("#seg-h", "Opening")
        ana.join(f"/meetings/{SLUG}/room", "Ana")
        chair.button("Admit Ana").click()
        ana.see("#seg-h", "Opening")
        chair.button("Next part").click()
        ana.see("#seg-h", "Our speaker")

        redis_server.stop()
        redis_server.start()
        for person in (chair, ana):
            person.see("#room-closed", "interrupted")
            expect(person.button("Rejoin the meeting")).to_be_visible(timeout=WAIT_MS)
            expect(person.button("Rejoin the meeting")).to_be_focused()
        ana.shot("interrupted")

        # Rejoining starts a clean meeting: the chair link makes Pat chair again, at the start of the format.
        chair.button("Rejoin the meeting").click()
        chair.see("#seg-h", "Opening")
        # The chair's page kept the step it was at, and offers it (tests/browser/test_room_restart_browser.py).
        expect(chair.button("Pick up at step 2: “Our speaker”")).to_be_visible(timeout=WAIT_MS)
        ana.button("Rejoin the meeting").click()
        chair.button("Admit Ana").click()
        ana.see("#seg-h", "Opening")
        ana.see("#people-list", "Ana (you)")
        expect(ana.page.locator("#people-list")).to_contain_text("Pat", timeout=WAIT_MS)
        for person in (chair, ana):
            assert person.watched.foreign_requests() == [], person.label
            assert person.watched.csp_violations() == [], person.label
    finally:
        for person in (chair, ana):
            person.context.close()
