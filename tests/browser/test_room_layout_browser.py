"""The meeting room laid out for the hand that holds it, in a real Chromium against a real server: on a phone
(412 px) the floor and the member's own buttons stay on the screen and the chair's tools are one button from the
top; on a desktop (1280 px) two columns. And the findings of a newcomer's visit, each pinned: the "You are next"
alert goes when the share has ended; the meeting's time is said once, in the viewer's time with its zone named.

(The third finding, "You are muted" beside a "Mute" button, needs the audio: test_room_open_floor_browser.py
and test_room_audio_browser.py hold the words that replaced it.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.browser.room_seed import DESKTOP_SLUG, OFF_SCHEDULE_SLUG, OFF_SCHEDULE_ZONE, OPEN_FLOOR_SLUG, SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
PHONE = {"width": 412, "height": 800}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def layout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("layout-room-data")
    output = tmp_path_factory.mktemp("layout-room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed_layout; seed_layout()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = {}
        for line in running.log_text().splitlines():
            label, _, key = line.partition(" ")
            if label.endswith("CHAIR-KEY"):
                keys[label] = key.strip()
        assert len(keys) == 4, f"the seed printed chair keys for {sorted(keys)} only"
        yield running, keys


@pytest.fixture
def open_page(browser: Any, layout_server: tuple[LiveServer, dict[str, str]]) -> Iterator[Any]:
    server, _ = layout_server
    contexts: list[Any] = []

    def make(viewport: dict[str, int], **options: Any) -> Watched:
        context = browser.new_context(base_url=server.url, viewport=viewport, **options)
        contexts.append(context)
        return watch(context, server.url)

    yield make
    for context in contexts:
        context.close()


def join(watched: Watched, path: str, name: str) -> Any:
    page = watched.page
    page.goto(path)
    page.get_by_label("Your name in this meeting").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    return page


def on_screen(page: Any, selector: str) -> bool:
    """Whether the element's whole box lies inside the viewport, as the page is scrolled now."""
    locator = page.locator(selector)
    expect(locator).to_be_visible(timeout=WAIT_MS)
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def admitted(chair: Any, member: Any, name: str) -> None:
    chair.get_by_role("button", name=f"Admit {name}").click()
    expect(member.locator("#seg-h")).to_have_text("Opening", timeout=WAIT_MS)


def test_on_a_phone_the_floor_and_a_members_buttons_stay_on_screen_and_the_chairs_tools_are_one_button_away(
    open_page: Any, layout_server: tuple[LiveServer, dict[str, str]]
) -> None:
    _, keys = layout_server
    chair_watch = open_page(PHONE)
    chair = join(chair_watch, f"/meetings/{SLUG}/room/chair/{keys['CHAIR-KEY']}", "Pat")
    expect(chair.locator("#seg-h")).to_have_text("Opening", timeout=WAIT_MS)
    member_watch = open_page(PHONE)
    member = join(member_watch, f"/meetings/{SLUG}/room", "Ana")

    # The chair's tools: folded away on a phone, behind one button on the first screen.
    tools = chair.locator("#panel-nav").get_by_role("button", name="Service tools")
    expect(tools).to_have_attribute("aria-expanded", "false", timeout=WAIT_MS)
    assert chair.evaluate("window.scrollY") == 0
    assert on_screen(chair, "#panel-nav >> text=Service tools")
    expect(chair.get_by_role("heading", name="Service tools")).to_be_hidden()
    tools.click()
    expect(tools).to_have_attribute("aria-expanded", "true")
    assert on_screen(chair, "#console-h")
    admitted(chair, member, "Ana")

    # The member, just in: who has the floor and their own button, without scrolling.
    assert member.evaluate("window.scrollY") == 0
    assert on_screen(member, "#floor-now")
    assert on_screen(member, "#b-hand")
    expect(member.locator("#panel-nav").get_by_role("button", name="Service tools")).to_be_hidden()
    # The people and the chat are panels, folded until asked for.
    people = member.locator("#panel-nav").get_by_role("button", name="Here now")
    expect(member.locator("#people-list")).to_be_hidden()
    people.click()
    expect(people).to_have_attribute("aria-expanded", "true")
    expect(member.locator("#people-list")).to_contain_text("Pat")
    people.click()
    expect(member.locator("#people-list")).to_be_hidden()

    # Scrolled to the foot of a long page, the bar is still at hand; the offer comes into it.
    member.locator("#panel-nav").get_by_role("button", name="Chat").click()
    member.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert member.evaluate("window.scrollY") > 0, "the page is longer than the screen"
    assert on_screen(member, "#floor-now")
    assert on_screen(member, "#b-hand")
    member.get_by_role("button", name="Raise hand").click()
    expect(member.get_by_role("button", name="Lower hand")).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    tools.click()  # folded again: the chair calls from the queue on the main column
    chair.locator("#queue-list").get_by_role("button", name="Call on Ana").click()
    expect(member.get_by_role("button", name="Share", exact=True)).to_be_visible(timeout=WAIT_MS)
    assert on_screen(member, "#b-accept")
    assert on_screen(member, "#b-pass")
    member.get_by_role("button", name="Share", exact=True).click()
    expect(member.locator("#floor-now")).to_have_text("You are sharing.", timeout=WAIT_MS)
    assert on_screen(member, "#b-done")
    assert on_screen(member, "#floor-timer")
    member.get_by_role("button", name="I'm done").click()
    expect(chair.locator("#floor-now")).to_have_text("Nobody is sharing now.", timeout=WAIT_MS)
    for watched in (chair_watch, member_watch):
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []


def test_the_you_are_next_alert_goes_when_the_share_has_ended(
    open_page: Any, layout_server: tuple[LiveServer, dict[str, str]]
) -> None:
    _, keys = layout_server
    chair = join(open_page(DESKTOP), f"/meetings/{OPEN_FLOOR_SLUG}/room/chair/{keys['OPEN-FLOOR-CHAIR-KEY']}", "Pat")
    expect(chair.locator("#seg-h")).to_have_text("Open sharing", timeout=WAIT_MS)
    member = join(open_page(PHONE), f"/meetings/{OPEN_FLOOR_SLUG}/room", "Ben")
    expect(member.locator("#seg-h")).to_have_text("Open sharing", timeout=WAIT_MS)
    member.get_by_role("button", name="Raise hand").click()
    expect(chair.locator("#queue-list")).to_contain_text("Ben", timeout=WAIT_MS)
    chair.get_by_role("button", name="Call next").click()
    alert = member.locator("#room-alert")
    expect(alert).to_have_text("You are next: share or pass.", timeout=WAIT_MS)
    member.get_by_role("button", name="Share", exact=True).click()
    expect(member.locator("#floor-now")).to_have_text("You are sharing.", timeout=WAIT_MS)
    expect(alert).to_have_text("")  # the turn it spoke of has begun
    member.get_by_role("button", name="I'm done").click()
    expect(member.locator("#floor-now")).to_have_text("Nobody is sharing now.", timeout=WAIT_MS)
    expect(alert).to_have_text("")
    expect(member.get_by_text("You are next")).to_be_hidden()  # nowhere on the screen
    # A pass takes it down as well.
    member.get_by_role("button", name="Raise hand").click()
    expect(chair.locator("#queue-list")).to_contain_text("Ben", timeout=WAIT_MS)
    chair.get_by_role("button", name="Call next").click()
    expect(alert).to_have_text("You are next: share or pass.", timeout=WAIT_MS)
    member.get_by_role("button", name="Pass", exact=True).click()
    expect(alert).to_have_text("", timeout=WAIT_MS)


def test_the_meetings_time_is_said_once_in_the_viewers_time_and_an_off_schedule_room_says_so(
    open_page: Any, layout_server: tuple[LiveServer, dict[str, str]]
) -> None:
    _, keys = layout_server
    watched = open_page(PHONE, timezone_id="Asia/Tokyo", locale="en-US")
    page = join(watched, f"/meetings/{OFF_SCHEDULE_SLUG}/room/chair/{keys['OFF-SCHEDULE-CHAIR-KEY']}", "Pat")
    expect(page.locator("#clock-left")).not_to_have_text("", timeout=WAIT_MS)
    meta = page.locator(".room-head .meta")
    expect(meta).to_contain_text("your time")
    expect(meta).to_contain_text(f"in {OFF_SCHEDULE_ZONE}")
    assert meta.inner_text().count(OFF_SCHEDULE_ZONE) == 1, "the meeting's zone is named once"
    # The chair opened the room hours before the listed start: the box does not call the hour from now "Scheduled".
    times = page.locator("#clock-times")
    expect(times).to_contain_text("Opened outside the meeting")
    expect(times).not_to_contain_text("Scheduled")
    assert watched.foreign_requests() == []


def test_on_a_desktop_the_room_has_two_columns_and_no_panel_buttons(
    open_page: Any, layout_server: tuple[LiveServer, dict[str, str]]
) -> None:
    _, keys = layout_server
    page = join(open_page(DESKTOP), f"/meetings/{DESKTOP_SLUG}/room/chair/{keys['DESKTOP-CHAIR-KEY']}", "Pat")
    expect(page.get_by_role("heading", name="Service tools")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#panel-nav")).to_be_hidden()
    main = page.locator(".room-main").bounding_box()
    side = page.locator(".room-side").bounding_box()
    assert main and side
    assert side["x"] >= main["x"] + main["width"], "the side column stands beside the main one"
    assert abs(side["y"] - main["y"]) < 50, "both columns start at the top"
    expect(page.locator("#people-list")).to_be_visible()
    expect(page.locator("#chat-list")).to_be_attached()
    assert on_screen(page, "#floor-now")
    assert on_screen(page, "#b-hand")
