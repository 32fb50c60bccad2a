"""Browser tests: a real stayhere server in a child process, driven by Debian's Chromium.

Every request the browser makes is recorded; tests assert none leaves the server's origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Records CSP violations as the page sees them (an init script is not subject to the page's CSP).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__csp.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@dataclass
class Watched:
    """A page with everything it asked for and every console complaint it made."""

    page: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not (url.startswith(self.origin + "/") or url.startswith("data:"))]

    def csp_violations(self) -> list[str]:
        seen: list[str] = self.page.evaluate("window.__csp || []")
        return seen + [text for text in self.console_errors if "Content Security Policy" in text]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    output = tmp_path_factory.mktemp("browser-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.seed import seed; seed()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def watch(context: Any, origin: str) -> Watched:
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watched = Watched(page=page, origin=origin)
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("console", lambda message: watched.console_errors.append(message.text) if message.type == "error" else None)
    return watched


@pytest.fixture
def make_page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """make_page(**context_options) -> Watched; contexts are closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Watched:
        context = browser.new_context(base_url=server.url, **options)
        contexts.append(context)
        return watch(context, server.url)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def visitor(make_page: Any) -> Watched:
    watched: Watched = make_page(timezone_id="America/Chicago", locale="en-US")
    return watched
