"""A whole meeting with the keyboard only, in a real Chromium: no click anywhere, only Tab, Enter and Space (and
the letters of a name). A chair opens the room and admits a member from the waiting room; the member raises a
hand, is called on, shares and is done, raises it again and passes; the chair ends the meeting. Every element
reached with Tab shows that it has the focus (:focus-visible, an outline), and what changes is read from the
page's aria-live regions, as a screen reader would hear it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.browser.room_seed import SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
MAX_TABS = 120  # more Tab presses than the chair's page has focusable things: past that, it is unreachable
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {id: el.id, act: el.dataset.act || '', visible: el.matches(':focus-visible'),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


# Every text an aria-live region (or a status or alert, live by their role) comes to hold, in order: what a screen
# reader is given to say. Recorded from the start, so a sentence replaced a moment later is still heard.
LIVE_RECORDER = """
window.__live = [];
const LIVE = '[aria-live]:not([aria-live=off]), [role=status], [role=alert]';
new MutationObserver((mutations) => {
  for (const m of mutations) {
    const node = m.target.nodeType === Node.ELEMENT_NODE ? m.target : m.target.parentElement;
    const region = node && node.closest(LIVE);
    const text = region && region.textContent.trim();
    if (text && window.__live[window.__live.length - 1] !== text) window.__live.push(text);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    data_dir = tmp_path_factory.mktemp("keyboard-room-data")
    output = tmp_path_factory.mktemp("keyboard-room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


def focused(page: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(FOCUS)
    return found


def tab_to(page: Any, selector: str) -> None:
    """Presses Tab until the element ``selector`` has the focus, checking each stop shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            continue
        assert now["visible"] and now["outline"], f"the focus on {now} is not visible"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {MAX_TABS} presses of Tab")


def announced(page: Any, text: str) -> None:
    """``text`` has been said by one of the page's live regions since the last check (then forgotten)."""
    try:
        page.wait_for_function("(t) => window.__live.some((said) => said.includes(t))", arg=text, timeout=WAIT_MS)
    except Exception as error:
        raise AssertionError(
            f"never announced: {text!r}; the live regions said {page.evaluate('window.__live')}"
        ) from error
    page.evaluate("(t) => { window.__live = window.__live.filter((said) => !said.includes(t)); }", text)


def press(page: Any, key: str, *listening: Any) -> None:
    """Presses ``key`` on ``page``; what the pages ``listening`` said before it is forgotten, so that what is heard
    next was said because of this key."""
    for other in {page, *listening}:
        other.evaluate("window.__live = []")
    page.keyboard.press(key)


def join(watched: Watched, path: str, name: str) -> Any:
    page = watched.page
    page.goto(path)
    tab_to(page, "#j-name")
    page.keyboard.type(name)
    page.keyboard.press("Enter")  # the form's submit
    return page


@pytest.fixture
def people(browser: Any, room_server: tuple[LiveServer, str]) -> Iterator[dict[str, Any]]:
    server, chair_key = room_server
    contexts = [
        browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="en-US"),
        browser.new_context(base_url=server.url, viewport={"width": 412, "height": 800}, locale="en-US"),
    ]
    for context in contexts:
        context.add_init_script(LIVE_RECORDER)
    chair, member = (watch(context, server.url) for context in contexts)
    yield {"chair": chair, "member": member, "chair_key": chair_key}
    for context in contexts:
        context.close()


def test_a_chair_and_a_member_hold_a_meeting_with_the_keyboard_only_and_hear_what_changes(
    people: dict[str, Any],
) -> None:
    chair_watch, member_watch = people["chair"], people["member"]
    chair = join(chair_watch, f"/meetings/{SLUG}/room/chair/{people['chair_key']}", "Pat")
    announced(chair, "Connected.")
    expect(chair.locator("#seg-h")).to_have_text("Opening", timeout=WAIT_MS)

    # The member knocks; the chair lets her in from the waiting room.
    member = join(member_watch, f"/meetings/{SLUG}/room", "Ana")
    expect(member.locator("#room-waiting")).to_be_visible(timeout=WAIT_MS)
    expect(chair.locator("#h-waiting")).to_contain_text("Ana", timeout=WAIT_MS)
    tab_to(chair, '#h-waiting [data-act="admit"]')
    press(chair, "Enter", chair, member)
    announced(member, "A host let you in. Welcome.")
    expect(member.locator("#seg-h")).to_have_text("Opening", timeout=WAIT_MS)

    # The chair moves on to the speaker; the member raises her hand with Space.
    tab_to(chair, '[data-act="seg-next"]')
    press(chair, "Enter", chair, member)
    expect(member.locator("#seg-h")).to_have_text("Our speaker", timeout=WAIT_MS)
    announced(member, "Our speaker")
    tab_to(member, "#b-hand")
    press(member, "Space", chair, member)
    expect(member.locator("#b-hand")).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    announced(chair, "Ana raised a hand.")

    # Called on: the alert says so and the focus is on Share; she shares, then is done.
    tab_to(chair, '[data-act="call-next"]')
    press(chair, "Enter", chair, member)
    announced(member, "You are next: share or pass.")
    expect(member.locator("#b-accept")).to_be_focused()
    assert focused(member) and focused(member)["visible"], "the focus moved to Share shows"
    press(member, "Space", chair, member)
    announced(member, "You are sharing.")
    announced(chair, "Ana is sharing.")
    tab_to(member, "#b-done")
    press(member, "Enter", chair, member)
    announced(chair, "Nobody is sharing now.")
    announced(member, "Nobody is sharing now.")

    # Again, and this time she passes.
    tab_to(member, "#b-hand")
    press(member, "Enter", chair, member)
    announced(chair, "Ana raised a hand.")
    tab_to(chair, '[data-act="call-next"]')
    press(chair, "Space", chair, member)
    announced(member, "You are next: share or pass.")
    tab_to(member, "#b-pass")
    press(member, "Enter", chair, member)
    announced(chair, "Ana passed.")
    announced(member, "You passed.")

    # The chair ends the meeting, confirming it; both hear it is over.
    tab_to(chair, '[data-act="end"]')
    press(chair, "Enter", chair, member)
    tab_to(chair, '[data-act="confirm-end"]')
    press(chair, "Enter", chair, member)
    expect(member.locator("#room-closed")).to_be_visible(timeout=WAIT_MS)
    ended = member.locator("#closed-message").inner_text()
    assert ended, "the member is told why the meeting closed"
    announced(member, ended)
    expect(chair.locator("#room-closed")).to_be_visible(timeout=WAIT_MS)
    for watched in (chair_watch, member_watch):
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
