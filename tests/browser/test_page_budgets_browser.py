"""Budgets on bytes: the finder's first page, and the meeting room's page with everything it loads (its HTML, each
stylesheet, every ES module it imports, the JavaScript catalog), each body gzip-compressed (level 6, the
default of gzip and of the finder's and the catalog's own compression), summed. Measured from what Chromium
really fetched, in English and in Spanish (the larger catalog), so a new import or a heavier stylesheet shows.

The budgets are recorded in docs/BENCHMARKS.md ("Page weight budgets") beside the figures measured when they were
set; raise one only on purpose, and say why there.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import REPO, watch
from tests.browser.room_seed import SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

KB = 1024
FINDER_BUDGET = 20 * KB  # measured 12.5 KB (es), 12.2 KB (en) on 2026-12-02
ROOM_BUDGET = 48 * KB  # measured 39.4 KB (es), 35.7 KB (en) on 2026-12-02
LANGUAGES = {"en": "en-US", "es": "es-ES"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("budget-data")
    output = tmp_path_factory.mktemp("budget-logs") / "server.log"
    seed = [
        "shell",
        "-c",
        "from tests.browser.seed import seed; seed(); from tests.browser.room_seed import seed; seed()",
    ]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


preloads: dict[str, list[str]] = {}


def loaded(browser: Any, server: LiveServer, path: str, language: str) -> dict[str, int]:
    """{path: gzip-compressed bytes} of every response from our origin while ``path`` loads."""
    context = browser.new_context(
        base_url=server.url, locale=LANGUAGES[language], viewport={"width": 412, "height": 800}
    )
    try:
        watched = watch(context, server.url)
        responses: list[Any] = []
        watched.page.on("response", lambda response: responses.append(response))
        watched.page.goto(path)
        watched.page.wait_for_load_state("networkidle")
        preloads[path] = watched.page.evaluate(
            "[...document.querySelectorAll('link[rel=modulepreload]')].map((link) => new URL(link.href).pathname)"
        )
        sizes: dict[str, int] = {}
        for response in responses:
            url = response.url
            assert url.startswith(server.url + "/"), f"{path} loaded {url} from another origin"
            if response.status == 200 and response.request.resource_type != "websocket":
                sizes[url.removeprefix(server.url)] = len(gzip.compress(response.body(), compresslevel=6))
        return sizes
    finally:
        context.close()


def report(sizes: dict[str, int]) -> str:
    return "\n".join(f"  {size:>7,} B  {path}" for path, size in sorted(sizes.items(), key=lambda item: -item[1]))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_finders_first_page_weighs_less_than_its_budget(browser: Any, seeded: LiveServer, language: str) -> None:
    sizes = loaded(browser, seeded, "/", language)
    assert "/" in sizes and any(path.endswith(".css") for path in sizes), sizes
    assert any(path.endswith("finder.js") for path in sizes), "the finder's script is weighed"
    total = sum(sizes.values())
    print(f"\nfinder ({language}): {total:,} B gzip\n{report(sizes)}")
    assert total <= FINDER_BUDGET, (
        f"the finder's first page is {total:,} B gzip, over {FINDER_BUDGET:,}:\n{report(sizes)}"
    )


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_room_page_with_all_its_modules_weighs_less_than_its_budget(
    browser: Any, seeded: LiveServer, language: str
) -> None:
    sizes = loaded(browser, seeded, f"/meetings/{SLUG}/room", language)
    for part in ("room.js", "room_model.js", "room_view.js", "room_host.js", "room_audio.js", "room.css"):
        assert any(path.endswith("/" + part) for path in sizes), f"{part} is weighed"
    assert f"/jsi18n/{language}.js" in sizes, "the JavaScript catalog is weighed"
    # Every module is asked for at once (a modulepreload link each), not one level of imports after another.
    modules = {path for path in sizes if path.endswith(".js") and not path.startswith("/jsi18n/")}
    preloaded = set(preloads[f"/meetings/{SLUG}/room"])
    assert modules - {"/static/stayhere/room.js"} == preloaded, (
        "rooms/room.html preloads exactly the modules room.js imports"
    )
    total = sum(sizes.values())
    print(f"\nroom ({language}): {total:,} B gzip\n{report(sizes)}")
    assert total <= ROOM_BUDGET, f"the room page is {total:,} B gzip, over {ROOM_BUDGET:,}:\n{report(sizes)}"
