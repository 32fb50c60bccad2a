"""The finder in a real browser against a real server: search, filters, a meeting, its calendar file.

Each test also checks that the page asked nothing of another origin and broke no CSP rule.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Watched
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

FIRST_PAGE_BUDGET_BYTES = 60 * 1024


def assert_stayed_home(watched: Watched) -> None:
    assert watched.requests, "the page made no requests at all"
    assert watched.foreign_requests() == []
    assert watched.csp_violations() == []


def result_names(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("ol.results li.meeting h3 a").all_inner_texts()]


def test_searching_near_a_town_picked_from_the_suggestions(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/")
    page.get_by_label("Town").press_sequentially("Spri", delay=30)
    page.locator("#f-places option").first.wait_for(state="attached")
    assert page.locator("#f-places option").first.get_attribute("value") == "Springfield, IL, US"
    page.get_by_label("Town").fill("Springfield, IL, US")
    page.get_by_label("Within", exact=True).select_option("5")
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"place=Springfield"))
    names = result_names(page)
    assert "Serenity Seekers" in names and "Night Owls" not in names
    assert page.locator("li.meeting .meta").first.inner_text().endswith("km")
    assert any("/api/places?q=Spri" in url for url in visitor.requests)
    assert_stayed_home(visitor)


def test_filtering_by_a_facet_then_opening_a_meeting(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/")
    page.get_by_text("Meeting types, languages and fellowships").click()
    page.get_by_role("checkbox", name="Speaker: include").check()
    page.get_by_role("checkbox", name="Women: exclude").check()
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"type=SP"))
    names = result_names(page)
    assert "Night Owls" in names
    assert all(name in {"Night Owls"} or name.startswith("Daily Reprieve") for name in names)
    page.get_by_text("Change the search").click()  # the form folded away after the search, choices kept
    assert page.get_by_role("checkbox", name="Speaker: include").is_checked()
    page.get_by_role("link", name="Night Owls").click()
    page.wait_for_url("**/meetings/night-owls")
    assert page.get_by_role("heading", level=1).inner_text() == "Night Owls"
    assert "00:30 (the next day)" in page.locator("table.schedule").inner_text()
    assert (
        page.get_by_role("link", name="+1 312 555 0123,,98765#").get_attribute("href") == "tel:+13125550123,,98765%23"
    )
    assert_stayed_home(visitor)


def test_the_calendar_file_downloads_from_the_meeting_page(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/meetings/serenity-seekers")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = waiting.value
    path = download.path()
    if path is None:
        pytest.fail(f"the download failed: {download.failure()}")
    text = open(path, encoding="utf-8").read()
    assert "BEGIN:VCALENDAR" in text and "Serenity Seekers" in text
    assert "RRULE:" in text
    assert_stayed_home(visitor)


def test_the_first_page_with_its_css_and_scripts_weighs_at_most_60_kb(visitor: Watched) -> None:
    page = visitor.page
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/", wait_until="networkidle")
    assert len(page.locator("ol.results li.meeting").all()) == 25
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    print(f"first page over the wire: {total} bytes in {len(responses)} responses")
    assert total <= FIRST_PAGE_BUDGET_BYTES
    assert {re.sub(r"\?.*", "", r.url).rsplit("/", 1)[-1] for r in responses} >= {"", "site.css", "finder.js"}
    assert_stayed_home(visitor)


def test_the_finder_works_without_javascript(make_page: Any) -> None:
    watched = make_page(java_script_enabled=False)
    page = watched.page
    page.goto("/")
    assert page.get_by_role("button", name="Use my position").count() == 0  # hidden: it needs a script
    page.get_by_label("Name, group, place or words in the notes").fill("serenity")
    page.get_by_role("checkbox", name="Wednesday").check()
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"q=serenity"))
    assert result_names(page) == ["Serenity Seekers"]
    assert_stayed_home(watched)


def test_a_mistake_is_shown_as_such_with_a_link_to_the_field(visitor: Watched, server: LiveServer) -> None:
    page = visitor.page
    response = page.goto("/?day=8&q=serenity")
    assert response is not None and response.status == 400
    assert page.get_by_role("alert").inner_text().count("A day is a number from 0 (Sunday) to 6 (Saturday).") == 1
    assert result_names(page) == []
    assert page.locator("#no-meetings").count() == 0
    assert_stayed_home(visitor)


def test_using_my_position_fills_the_hidden_field_rounded(make_page: Any) -> None:
    watched = make_page(
        geolocation={"latitude": 41.878113, "longitude": -87.629799},
        permissions=["geolocation"],
        timezone_id="America/Chicago",
    )
    page = watched.page
    page.goto("/")
    page.get_by_role("button", name="Use my position").click()
    expect(page.locator("#f-position")).to_have_value("41.88,-87.63")
    assert "Position found" in page.locator("#position-status").inner_text()
    page.get_by_label("Within", exact=True).select_option("10")
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"near=41\.88"))
    assert "Night Owls" in result_names(page)
    assert "Serenity Seekers" not in result_names(page)
    page.get_by_text("Change the search").click()
    page.get_by_role("button", name="Forget my position").click()
    assert page.locator("#f-position").input_value() == ""
    assert_stayed_home(watched)


def test_results_show_the_viewers_own_time_from_their_zone(make_page: Any) -> None:
    watched = make_page(timezone_id="Asia/Tokyo", locale="en-GB")
    page = watched.page
    # Without a tz in the address (the server cannot know the viewer's zone). The query keeps Serenity Seekers on
    # the first page whatever the day: soonest first, 40 daily meetings would push it off on a Friday.
    page.goto("/?q=serenity")
    assert page.locator("#f-tz").input_value() == "Asia/Tokyo"
    viewer_times = page.locator(".viewer-time:not([hidden])")
    assert viewer_times.count() > 0
    assert viewer_times.first.inner_text().strip().startswith("· your time ")
    # Filled by the script on the first page: the days in the meeting's zone, then the viewer's time.
    serenity = page.locator("li.meeting", has_text="Serenity Seekers").locator(".when")
    assert re.fullmatch(
        r"Mondays, Wednesdays 19:00 \(Chicago\) · your time (Tue|Thu) (09|10):00", serenity.inner_text()
    )
    page.get_by_text("Change the search").click()  # the form is folded away after a search
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"tz=Asia%2FTokyo"))
    # Now written by the server from the tz field: Monday 19:00 Chicago is Tuesday morning in Tokyo.
    assert re.fullmatch(
        r"Mondays, Wednesdays 19:00 \(Chicago\) · your time (Tue|Thu) (09|10):00",
        page.locator("li.meeting .when").first.inner_text(),
    )
    assert_stayed_home(watched)


def test_a_viewer_in_the_meetings_own_zone_sees_no_empty_your_time(visitor: Watched) -> None:
    # The seed's meetings are in Chicago, and so is this visitor: there is no other time to show.
    page = visitor.page
    page.goto("/?q=serenity&tz=America/Chicago")
    assert page.locator(".viewer-time").count() > 0
    assert page.locator(".viewer-time:visible").count() == 0
    assert_stayed_home(visitor)


def test_a_favourite_stays_on_the_device_and_shows_on_the_finder(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/meetings/phone-friends")
    button = page.get_by_role("button", name="Save as favourite")
    button.click()
    assert page.get_by_role("button", name="Remove from favourites").get_attribute("aria-pressed") == "true"
    stored = page.evaluate("localStorage.getItem('stayhere.favourites')")
    assert "phone-friends" in stored
    page.goto("/")
    favourites = page.locator("#favourites")
    favourites.get_by_role("link", name="Phone Friends").wait_for()
    assert favourites.is_visible()
    asked = [url for url in visitor.requests if "/api/meetings" in url]
    assert len(asked) == 1 and "slug=phone-friends" in asked[0]
    assert_stayed_home(visitor)


def test_the_keyboard_reaches_the_skip_link_first_and_focus_is_visible(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert outline in {"solid", "auto", "none"}
    assert_stayed_home(visitor)


def test_the_server_log_holds_no_position_or_search_words(visitor: Watched, server: LiveServer) -> None:
    page = visitor.page
    page.goto("/?q=QuietCanary&near=41.87811,-87.62980")
    page.goto("/api/meetings?q=QuietCanary&near=41.87811,-87.62980")
    log = server.log_text()
    assert "GET" in log
    for secret in ("QuietCanary", "41.87811", "87.62980"):
        assert secret not in log


# Every visible piece of text against the background it is drawn on, by the WCAG formula.
LOW_CONTRAST = """() => {
  const parse = (colour) => {
    const found = colour.match(/rgba?\\(([^)]+)\\)/);
    if (!found) return null;
    const parts = found[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const channel = (value) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour && colour.a > 0) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const element = walker.currentNode.parentElement;
    if (!text || !element || element.closest('svg, .vh') || !element.checkVisibility()) continue;
    const a = luminance(parse(getComputedStyle(element).color));
    const b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${element.tagName}.${element.className} ${ratio.toFixed(2)} ${text.slice(0, 30)}`);
  }
  return low;
}"""


@pytest.mark.parametrize("path", ["/", "/?day=9", "/meetings/night-owls", "/meetings/chapel-step-study"])
def test_all_text_has_a_contrast_of_at_least_4_5_to_1(visitor: Watched, path: str) -> None:
    page = visitor.page
    page.goto(path)
    if page.locator("details.more").count():
        page.locator("details.more summary").click()
    assert page.evaluate(LOW_CONTRAST) == []
    assert_stayed_home(visitor)


def test_the_favourites_link_explains_when_nothing_is_saved(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Favourites").click()
    expect(page.locator("#favourites-status")).to_contain_text("No favourites yet")
    assert_stayed_home(visitor)


def test_now_finds_a_meeting_that_is_under_way_from_the_checkbox(visitor: Watched) -> None:
    page = visitor.page
    page.goto("/")
    page.get_by_role("checkbox", name="Starting within the hour, or begun in the last 10 minutes").check()
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"now=1"))
    # Whatever the hour, the page answers with results or with the distinct "no meetings match" state.
    assert result_names(page) or page.locator("#no-meetings").is_visible()
    assert page.locator("h1").inner_text() == "Find a meeting"
    assert_stayed_home(visitor)


PHONE = {"viewport": {"width": 412, "height": 915}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_results_of_a_search_are_on_the_first_screen(make_page: Any, javascript: bool) -> None:
    watched = make_page(timezone_id="America/Chicago", locale="en-US", java_script_enabled=javascript, **PHONE)
    page = watched.page
    page.goto("/")
    page.get_by_label("Name, group, place or words in the notes").fill("serenity")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("button", name="Find meetings").click()
    page.wait_for_url(re.compile(r"q=serenity"))
    first = page.locator("ol.results li.meeting").first
    box = first.locator("h3").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 915, box
    # The form folded away under a line saying what was asked, and says how to open it again.
    expect(page.locator("#f-summary")).to_contain_text("\u201cserenity\u201d \u00b7 Monday")
    reopen = page.get_by_text("Change the search")
    expect(reopen).to_be_visible()
    expect(page.get_by_label("Name, group, place or words in the notes")).to_be_hidden()
    reopen.click()
    expect(page.get_by_label("Name, group, place or words in the notes")).to_have_value("serenity")
    expect(page.get_by_role("checkbox", name="Monday")).to_be_checked()
    assert_stayed_home(watched)


def test_the_meeting_page_gives_the_viewers_time_after_the_meetings_own(make_page: Any) -> None:
    watched = make_page(timezone_id="Asia/Tokyo", locale="en-GB", **PHONE)
    page = watched.page
    page.goto("/meetings/night-owls")
    when = page.locator("p.when")
    expect(when.locator(".viewer-time")).to_be_visible()
    # Saturday 23:30 in Chicago is Sunday afternoon in Tokyo.
    assert re.search(r"Sat 23:30 \(Chicago\) · your time Sun (13|14):30$", when.inner_text().strip())
    assert page.get_by_role("heading", name=re.compile("The group")).count() == 0
    assert_stayed_home(watched)
