"""The meeting finders other sites run, in Chromium, from a page on another origin (127.0.0.1, another port),
reading a real stayhere server with the demo directory: TSML UI over the Meeting Guide feed, crouton over BMLT's
semantic API. Their code is theirs and is not in this repository: each test runs when told where a copy is,
and says how to get one otherwise.

    STAYHERE_TSML_UI_APP=/path/to/tsml-ui/public/app.js      (code4recovery/tsml-ui, its committed build)
    STAYHERE_CROUTON_SRC=/path/to/crouton                    (a checkout of bmlt-enabled/crouton)

Nothing leaves 127.0.0.1: any other request is refused and fails the test.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

# crouton's scripts in the order its gulpfile concatenates them; its templates are compiled in the page.
CROUTON_SCRIPTS = [
    "js/jquery-3.4.1.min.js", "js/bootstrap.min.js", "js/transition.js", "js/select2.full.min.js",
    "js/handlebars-v4.5.3.js", "js/moment.js", "js/moment-timezone.js", "js/crouton-localization.js",
    "js/crouton-handlebars-extensions.js", "TEMPLATES", "js/crouton-default-templates.js", "js/punycode.1.4.1.js",
    "js/fetch-jsonp.js", "js/promises-polyfill.js", "js/crouton-core.js", "js/meeting_map.js",
    "mapDelegates/js/osmDelegate.js", "mapDelegates/js/leaflet.js", "mapDelegates/js/leaflet.markercluster.js",
]  # fmt: skip


def _client_code(variable: str, what: str) -> Path:
    value = os.environ.get(variable, "")
    if not value or not Path(value).exists():
        pytest.skip(f"{what} is not part of stayhere: set {variable} to a copy of it to run this test")
    return Path(value)


@pytest.fixture(scope="module")
def tsml_ui_app() -> Path:
    return _client_code("STAYHERE_TSML_UI_APP", "TSML UI's build (code4recovery/tsml-ui public/app.js)")


@pytest.fixture(scope="module")
def crouton_source() -> Path:
    return _client_code("STAYHERE_CROUTON_SRC", "crouton (a checkout of bmlt-enabled/crouton)") / "croutonjs" / "src"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("clients-data")
    output = tmp_path_factory.mktemp("clients-logs") / "server.log"
    extra = {"PYTHONPATH": str(REPO)}
    with live_server(data_dir, output, setup=[["load-demo"]], extra_env=extra) as running:
        yield running


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static site on another 127.0.0.1 port: (its address, its folder)."""
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}", tmp_path
    finally:
        site.shutdown()
        site.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _page(browser: Any) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    foreign: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith("http://127.0.0.1:"):
            request_route.continue_()
        else:
            foreign.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, foreign, errors


def _json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def test_tsml_ui_renders_every_meeting_day_of_the_feed(
    tsml_ui_app: Path, browser: Any, demo_server: LiveServer, other_origin: tuple[str, Path]
) -> None:
    origin, folder = other_origin
    shutil.copy(tsml_ui_app, folder / "app.js")
    feed_url = demo_server.url + "/feeds/meeting-guide.json"
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Meetings</title></head><body>'
        f'<div id="tsml-ui" data-src="{feed_url}" data-timezone="America/New_York"></div>'
        f'<script>var tsml_react_config = {{}};</script><script src="/app.js" async></script></body></html>'
    )
    feed = _json(feed_url)
    assert len({item["slug"] for item in feed}) == len(feed) > 400  # the demo: 400 meetings, more meeting-days
    page, foreign, errors = _page(browser)
    page.goto(origin + "/index.html")
    page.locator("#tsml-ui table tbody tr").first.wait_for(timeout=30_000)
    links: set[str] = set()
    for _ in range(400):  # TSML UI adds rows as the list is scrolled
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(100)
        found = set(
            page.eval_on_selector_all(
                "#tsml-ui table tbody tr a[href^='#/']", "as => as.map(a => a.getAttribute('href'))"
            )
        )
        if found == links and len(links) >= len(feed):
            break
        links = found
    assert "Loading error" not in page.locator("#tsml-ui").inner_text()
    assert links == {f"#/{item['slug']}" for item in feed}
    assert (foreign, errors) == ([], [])


def test_crouton_renders_every_meeting_day_of_a_search(
    crouton_source: Path, browser: Any, demo_server: LiveServer, other_origin: tuple[str, Path]
) -> None:
    source = crouton_source
    origin, folder = other_origin
    templates = ["var hbs_Crouton = {templates: {}};"]
    for template in sorted((source / "templates").glob("*.hbs")):
        name, text = json.dumps(template.stem), json.dumps(template.read_text())
        templates.append(f"hbs_Crouton.templates[{name}] = Handlebars.compile({text});")
    (folder / "templates.js").write_text("\n".join(templates))
    tags = []
    for number, script in enumerate(CROUTON_SCRIPTS):
        if script == "TEMPLATES":
            tags.append('<script src="templates.js"></script>')
            continue
        shutil.copy(source / script, folder / f"{number:02d}.js")
        tags.append(f'<script src="{number:02d}.js"></script>')
    # All of the directory, as a site that lists every meeting asks (custom_query), sorted as crouton sorts.
    config = {"root_server": demo_server.url, "custom_query": "", "show_map": 0, "template_path": "templates"}
    (folder / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><title>crouton</title></head><body><div id="bmlt-tabs"></div>'
        + "".join(tags)
        + f"<script>var crouton = new Crouton({json.dumps(config)}); crouton.render();</script></body></html>"
    )
    records = _json(demo_server.url + "/client_interface/json/?switcher=GetSearchResults&sort_keys=start_time")
    page, foreign, errors = _page(browser)
    page.goto(origin + "/index.html")
    page.locator("#bmlt-tabs .bmlt-data-row").first.wait_for(timeout=30_000)
    # crouton shows one weekday's tab and keeps the other rows as placeholders naming them.
    rendered = page.evaluate(
        "new Set(Array.from(document.querySelectorAll("
        "'#bmlt-tabs [id^=meeting-data-row], #bmlt-tabs [data-meetingid]')).map(e => e.id || e.dataset.meetingid)).size"
    )
    assert rendered == len(records) > 400
    names = set(page.locator("#bmlt-tabs .meeting-name").all_inner_texts())
    assert names and names <= {record["meeting_name"] for record in records}
    assert (foreign, errors) == ([], [])
