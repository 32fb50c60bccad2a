"""Every kind of page, opened in Chromium with every request recorded: none goes to another origin, none breaks
the Content-Security-Policy (tests/core/test_headers.py checks the same pages' headers without a browser)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import REPO, watch
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

SEED = """
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room
listing = make_meeting("Every Page Listing", slug="every-page-listing")
room = make_room()
print("PAGES", room.meeting.slug, room.chair_key, room.settings_key)
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, int]]]:
    data, logs = tmp_path_factory.mktemp("pages-data"), tmp_path_factory.mktemp("pages-logs")
    with live_server(
        data, logs / "server.log", setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}
    ) as running:
        line = next(line for line in running.log_text().splitlines() if line.startswith("PAGES "))
        slug, chair_key, settings_key = line.split()[1:]
        paths = {
            "/": 200,
            "/?q=anything&near=40.7,-74.0": 200,
            "/?near=91,200": 400,  # a mistake, shown as such
            "/meetings/every-page-listing": 200,
            "/meetings/every-page-listing/suggest": 200,
            "/meetings/every-page-listing/report": 200,
            "/service/sign-in": 200,
            f"/meetings/{slug}": 200,
            f"/meetings/{slug}/room": 200,
            f"/meetings/{slug}/room/chair/{chair_key}": 200,
            f"/rooms/settings/{settings_key}": 200,
            "/verify": 200,
            "/slips/keys": 200,
            "/admin/login/": 200,
            "/journal/": 200,
            "/no/such/page": 404,
        }
        yield running, paths


def test_no_page_asks_anything_of_another_origin_or_breaks_its_csp(
    browser: Any, seeded: tuple[LiveServer, dict[str, int]]
) -> None:
    server, paths = seeded
    context = browser.new_context(base_url=server.url)
    try:
        for path, status in paths.items():
            watched = watch(context, server.url)
            answer = watched.page.goto(path)
            assert answer is not None and answer.status == status, (path, answer and answer.status)
            watched.page.wait_for_load_state("networkidle")
            assert watched.foreign_requests() == [], path
            assert watched.csp_violations() == [], path
            assert len(watched.requests) >= 1, path
            watched.page.close()
    finally:
        context.close()
