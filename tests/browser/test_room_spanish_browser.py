"""The meeting room in Spanish, in real Chromium against a real server: a browser that prefers Spanish gets the
page and the room script's sentences in Spanish (the catalog from this site, /jsi18n/es.js), an English member in
the same meeting keeps English, and the language switch turns an English page Spanish for the pages after it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.browser.room_seed import PASSCODE, PASSCODE_SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("spanish-room-data")
    output = tmp_path_factory.mktemp("spanish-room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


@pytest.fixture
def person(browser: Any, room_server: LiveServer) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(locale: str) -> Watched:
        context = browser.new_context(base_url=room_server.url, locale=locale, viewport={"width": 412, "height": 900})
        contexts.append(context)
        return watch(context, room_server.url)

    yield make
    for context in contexts:
        context.close()


def assert_clean(watched: Watched) -> None:
    assert watched.foreign_requests() == []
    assert watched.csp_violations() == []


def test_a_spanish_member_joins_a_room_and_reads_it_in_spanish(person: Any, room_server: LiveServer) -> None:
    lucia = person("es-MX")
    page = lucia.page
    page.goto(f"/meetings/{PASSCODE_SLUG}/room")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The room's gentle word about a full name, from the server, in Spanish too.
    page.get_by_label("Tu nombre en esta reunión").fill("Lucía Fernández")
    expect(page.locator("#j-name-advice")).to_contain_text("Eso parece un nombre completo.", timeout=WAIT_MS)
    page.get_by_label("Tu nombre en esta reunión").fill("Lucía")
    expect(page.locator("#j-name-advice")).to_have_text("", timeout=WAIT_MS)
    # A wrong passcode: the room's refusal, in Spanish, and the passcode field to correct.
    passcode = page.get_by_label("Código de acceso, si la reunión tiene uno")
    passcode.fill("0000")
    page.get_by_role("button", name="Entrar", exact=True).click()
    expect(page.locator("#join-error")).to_have_text(
        "Ese código de acceso no es correcto. Revisa la ficha de la reunión y vuelve a intentarlo.", timeout=WAIT_MS
    )
    expect(passcode).to_be_focused()
    passcode.fill(PASSCODE)
    page.get_by_role("button", name="Entrar", exact=True).click()
    # Sentences the room script writes: from the Spanish catalog.
    expect(page.locator("#room-status")).to_have_text("Conectado.", timeout=WAIT_MS)
    expect(page.locator("#floor-now")).to_have_text("Nadie está compartiendo ahora.", timeout=WAIT_MS)
    expect(page.locator("#people-list")).to_contain_text("Lucía (tú)", timeout=WAIT_MS)
    expect(page.locator("#queue-mode")).to_contain_text("Levanta la mano para compartir.")
    hand = page.locator("#b-hand")
    expect(hand).to_have_text("Levantar la mano")
    hand.click()
    expect(hand).to_have_text("Bajar la mano", timeout=WAIT_MS)
    expect(page.locator("#queue-list")).to_contain_text("1. Lucía (tú)", timeout=WAIT_MS)
    assert f"{room_server.url}/jsi18n/es.js" in lucia.requests
    assert lucia.console_errors == []
    assert_clean(lucia)

    # Someone in the same meeting whose browser prefers English reads it in English.
    sam = person("en-US")
    sam.page.goto(f"/meetings/{PASSCODE_SLUG}/room")
    sam.page.get_by_label("Your name in this meeting").fill("Sam")
    sam.page.get_by_label("Passcode, if the meeting has one").fill(PASSCODE)
    sam.page.get_by_role("button", name="Join", exact=True).click()
    expect(sam.page.locator("#queue-list")).to_contain_text("1. Lucía", timeout=WAIT_MS)
    expect(sam.page.locator("#b-hand")).to_have_text("Raise hand")
    expect(page.locator("#people-list")).to_contain_text("Sam", timeout=WAIT_MS)
    assert_clean(sam)


def test_the_switch_makes_an_english_page_spanish_and_the_room_after_it(person: Any) -> None:
    visitor = person("en-US")
    page = visitor.page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Buscar reuniones")).to_be_visible()
    page.goto(f"/meetings/{PASSCODE_SLUG}/room")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Entrar", exact=True)).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Join", exact=True)).to_be_visible()
    assert_clean(visitor)


def test_a_visitor_who_chose_spanish_reads_their_own_time_with_spanish_weekdays(make_page: Any) -> None:
    # An English browser, so only the page's language (the switch) can make the weekdays Spanish.
    watched = make_page(timezone_id="Asia/Tokyo", locale="en-US")
    page = watched.page
    page.goto("/")
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    viewer_times = page.locator(".viewer-time:not([hidden])")
    expect(viewer_times.first).to_be_visible()
    texts = viewer_times.all_inner_texts()
    assert texts and all(re.match(r"· tu hora (lun|mar|mié|jue|vie|sáb|dom)\b", text.strip()) for text in texts), texts
    assert_clean(watched)
