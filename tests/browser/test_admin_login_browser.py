"""An operator signs in to Django's admin in Chromium and edits a meeting there. Chromium posts a form from a
page whose referrer policy is no-referrer with "Origin: null", which Django's CSRF check refuses: the admin's pages
send same-origin, so the browser names this origin on a post (and the referrer still never leaves the site)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, watch
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
PASSWORD = "correct horse battery staple"
SEED = f"""
from django.contrib.auth import get_user_model
from tests.directory.factories import make_location, make_meeting
get_user_model().objects.create_superuser(username="operator", password="{PASSWORD}")
make_meeting("Hope Tuesday", slug="hope-tuesday", location=make_location(), days=[2], start="19:00")
"""


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("admin-data")
    output = tmp_path_factory.mktemp("admin-logs") / "server.log"
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


def test_an_operator_signs_in_to_the_admin_in_chromium_and_the_edit_is_in_the_history(
    browser: Any, admin_server: LiveServer
) -> None:
    context = browser.new_context(base_url=admin_server.url)
    watched = watch(context, admin_server.url)
    page = watched.page
    try:
        page.goto("/admin/")
        page.get_by_label("Username").fill("operator")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        # Before the fix, Chromium posted "Origin: null" and the answer was Django's 403 "CSRF verification failed".
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible(timeout=WAIT_MS)
        assert "CSRF" not in page.content()

        # An edit through the admin posts as well, and lands in the listing's history.
        page.goto("/admin/directory/meeting/")
        page.get_by_role("link", name="Hope Tuesday").click()
        page.get_by_label("Name:").fill("Hope Tuesday Night")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("was changed successfully")).to_be_visible(timeout=WAIT_MS)
        page.goto("/service/meetings/hope-tuesday/history")
        expect(page.get_by_text("Hope Tuesday Night").first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("operator").first).to_be_visible()
        assert watched.foreign_requests() == []
    finally:
        context.close()
