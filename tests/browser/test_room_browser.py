"""A whole online meeting in real browsers against a real server: a chair and three members, each in a browser
context of their own, from the waiting room to the closing.

Screenshots of each step are saved under the test's tmp directory (the path is printed). Every page is checked
to have asked nothing of another origin and broken no CSP rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.browser.room_seed import CLOSING, NAME, OPENING, PASSCODE, PASSCODE_SLUG, SLUG
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """A server with one meeting whose room is open now; and its chair link's key."""
    data_dir = tmp_path_factory.mktemp("room-data")
    output = tmp_path_factory.mktemp("room-logs") / "server.log"
    seed = ["shell", "-c", "from tests.browser.room_seed import seed; seed()"]
    with live_server(data_dir, output, setup=[seed], extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


class Person:
    """One browser context: one person at the meeting."""

    def __init__(self, browser: Any, server: LiveServer, label: str, shots: Path) -> None:
        self.context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 900})
        self.watched: Watched = watch(self.context, server.url)
        self.page = self.watched.page
        self.label = label
        self.shots = shots

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{step}-{self.label}.png"), full_page=True)

    def join(self, path: str, name: str) -> None:
        self.page.goto(path)
        self.page.get_by_label("Your name in this meeting").fill(name)
        self.page.get_by_role("button", name="Join", exact=True).click()

    def button(self, name: str) -> Any:
        return self.page.get_by_role("button", name=name, exact=True)

    def see(self, selector: str, text: str | re.Pattern[str]) -> None:
        expect(self.page.locator(selector)).to_contain_text(text, timeout=WAIT_MS)


@pytest.fixture
def people(browser: Any, room_server: tuple[LiveServer, str], tmp_path: Path) -> Iterator[dict[str, Person]]:
    server, _ = room_server
    shots = tmp_path / "room-screenshots"
    shots.mkdir()
    print(f"\nroom screenshots: {shots}")
    made = {label: Person(browser, server, label, shots) for label in ("chair", "ana", "ben", "cy")}
    yield made
    for person in made.values():
        person.context.close()


def test_a_whole_meeting_from_the_waiting_room_to_the_closing(
    people: dict[str, Person], room_server: tuple[LiveServer, str]
) -> None:
    _, chair_key = room_server
    chair, ana, ben, cy = people["chair"], people["ana"], people["ben"], people["cy"]
    everyone = [chair, ana, ben, cy]
    members = [ana, ben, cy]

    # The chair opens the room with the chair link and gets the service tools.
    chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
    chair.see("#seg-h", "Opening")
    expect(chair.page.get_by_role("heading", name="Service tools")).to_be_visible()
    chair.see("#people-list", "Chair")

    # A full name gets a gentle word, and joining still works.
    ana.page.goto(f"/meetings/{SLUG}/room")
    expect(ana.page.locator("h1")).to_have_text(NAME)
    ana.page.get_by_label("Your name in this meeting").fill("Ana Lopez")
    ana.see("#j-name-advice", "just a first name")
    ana.page.get_by_label("Your name in this meeting").fill("Ana")
    expect(ana.page.locator("#j-name-advice")).to_have_text("")
    ana.page.get_by_role("button", name="Join", exact=True).click()
    ben.join(f"/meetings/{SLUG}/room", "Ben")
    cy.join(f"/meetings/{SLUG}/room", "Cy")
    for member in members:
        member.see("#room-waiting", "waiting room")
        expect(member.page.get_by_role("heading", name="Service tools")).to_have_count(0)
    chair.see("#h-waiting", "Cy")
    chair.shot("01-waiting-room")
    ana.shot("01-waiting-room")

    # The chair admits Ana, then everyone else waiting.
    chair.button("Admit Ana").click()
    ana.see("#seg-h", "Opening")
    chair.button("Admit all").click()
    for member in members:
        member.see("#seg-text", OPENING)
        member.see("#people-list", "Pat")
        expect(member.page.locator("#host-slot")).to_be_empty()
    chair.see("#people-count", "(4)")
    ben.shot("02-opening-reading")

    # The speaker: Ana raises her hand, is called, shares, and is done.
    chair.button("Next part").click()
    for person in everyone:
        person.see("#seg-h", "Our speaker")
    ana.button("Raise hand").click()
    chair.see("#queue-list", "Ana")
    chair.button("Call next").click()
    ana.see("#room-alert", "You are next: share or pass.")
    ana.see("#offer-left", re.compile(r"within \d+ seconds, it counts as a pass"))
    expect(ana.button("Share")).to_be_focused()
    ana.shot("03-offered")
    ana.button("Share").click()
    for person in everyone:
        person.see("#floor-now", re.compile(r"(Ana is sharing|You are sharing)"))
    ben.see("#floor-timer", re.compile(r"\d+:\d\d left"))
    ben.shot("04-speaker-sharing")
    # Ana shares by typing as well: the room reads her words while her share lasts, and they go with it.
    typing = ana.page.get_by_label("Share by typing", exact=False)
    typing.fill("Typed words for tonight")
    ana.button("Show to the room").click()
    for person in (chair, ben, cy):
        person.see("#typed-share", "Typed words for tonight")
    expect(typing).to_have_value("")
    expect(typing).to_be_focused()  # the words arriving back do not take the focus away
    ana.button("I'm done").click()
    ben.see("#floor-now", "Nobody is sharing now.")
    expect(ben.page.locator("#typed-share")).to_be_hidden()
    assert "Typed words for tonight" not in ben.page.content(), "gone from the page with the share"
    expect(ana.button("Raise hand")).to_be_focused()

    # Open sharing: two shares and a pass.
    chair.button("Next part").click()
    cy.see("#seg-h", "Open sharing")
    ben.button("Raise hand").click()
    ben.see("#queue-list", "Ben")
    ana.button("Raise hand").click()
    cy.button("Raise hand").click()
    chair.see("#queue-list", re.compile(r"1\. Ben.*2\. Ana.*3\. Cy", re.S))
    expect(cy.button("Lower hand")).to_have_attribute("aria-pressed", "true")
    cy.shot("05-queue")
    chair.button("Call next").click()
    ben.button("Share").click()
    chair.see("#floor-now", "Ben is sharing.")
    chair.button("+1 min").click()
    ben.button("I'm done").click()
    chair.see("#floor-now", "Nobody is sharing now.")
    chair.button("Call next").click()
    ana.button("Share").click()
    cy.see("#floor-now", "Ana is sharing.")
    ana.button("I'm done").click()
    chair.see("#floor-now", "Nobody is sharing now.")
    chair.button("Call next").click()
    cy.see("#room-alert", "You are next")
    cy.button("Pass").click()
    chair.see("#room-status", "Cy passed.")
    expect(cy.page.locator("#my-offer")).to_be_hidden()

    # During the meeting a member's chat reaches the hosts only.
    ben.see("#chat-label", "Message to the hosts")
    ben.page.locator("#chat-text").fill("Could we read the closing slowly?")
    ben.page.locator("#chat-form button").click()
    chair.see("#chat-list", "Could we read the closing slowly?")
    chair.see("#chat-list", "(to the hosts)")
    expect(ana.page.locator("#chat-list")).not_to_contain_text("closing slowly")

    # A removal, with its confirm step, and its undo.
    chair.button("Manage Cy").click()
    chair.button("Remove…").click()
    chair.see("#h-confirm-q", "Remove Cy for the rest of this meeting?")
    chair.shot("06-remove-confirm")
    chair.button("Yes, remove").click()
    cy.see("#room-closed", "The hosts removed you from this meeting.")
    cy.shot("07-removed")
    chair.see("#h-removals", "Cy")
    ana.see("#people-count", "(3)")
    chair.button("Undo the removal of Cy").click()
    chair.see("#h-removals-empty", "Nobody has been removed.")
    cy.join(f"/meetings/{SLUG}/room", "Cy")
    cy.see("#room-waiting", "waiting room")
    chair.button("Admit Cy").click()
    cy.see("#seg-h", "Open sharing")

    # The closing: chat opens to everyone.
    chair.page.get_by_role("button", name="Go to “Closing”").click()
    for person in everyone:
        person.see("#seg-text", CLOSING)
    ana.see("#chat-label", "Message to everyone")
    ana.page.locator("#chat-text").fill("Thank you all, see you next week")
    ana.page.locator("#chat-form button").click()
    for person in (ben, cy, chair):
        person.see("#chat-list", "Thank you all, see you next week")
    cy.shot("08-closing-chat")
    chair.shot("08-closing-chat")

    # The chair ends the meeting, after a confirm step; everyone is told, and nothing remains.
    chair.button("End meeting…").click()
    chair.button("Yes, end the meeting").click()
    for person in everyone:
        person.see("#room-closed", "The meeting has ended.")
        assert person.page.evaluate(f"sessionStorage.getItem('stayhere.room.{SLUG}')") is None
    ana.shot("09-ended")

    for person in everyone:
        assert person.watched.foreign_requests() == [], person.label
        assert person.watched.csp_violations() == [], person.label
        assert [e for e in person.watched.console_errors if "WebSocket" not in e] == [], person.label


# Keeps every WebSocket the page opens reachable from the test, so a test can drop one as a network would.
SOCKET_RECORDER = """
(() => {
  const Real = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Real {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();
"""


def test_a_dropped_connection_or_a_reload_keeps_the_seat_and_its_role(
    people: dict[str, Person], room_server: tuple[LiveServer, str]
) -> None:
    _, chair_key = room_server
    chair, dee = people["chair"], people["ana"]
    dee.context.add_init_script(SOCKET_RECORDER)
    chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
    chair.see("#seg-h", "Opening")
    dee.join(f"/meetings/{SLUG}/room", "Dee")
    chair.button("Admit Dee").click()
    dee.see("#seg-h", "Opening")

    # The chair makes Dee the timekeeper: she gets the share tools, and only those.
    chair.button("Manage Dee").click()
    chair.page.get_by_label("Role").select_option("timekeeper")
    chair.button("Set role").click()
    dee.see("#host-slot", "The current share")
    expect(dee.button("+1 min")).to_be_visible()
    expect(dee.page.get_by_role("button", name="End meeting…")).to_have_count(0)
    expect(dee.page.get_by_role("button", name="Admit all")).to_have_count(0)

    # Her connection drops; what happens meanwhile reaches her when she is back, on the same seat.
    dee.page.evaluate("window.__sockets.at(-1).close()")
    chair.button("Next part").click()
    dee.see("#seg-h", "Our speaker")
    dee.see("#room-status", "Connected.")
    assert dee.page.evaluate("window.__sockets.length") == 2
    chair.see("#people-count", "(2)")
    expect(dee.button("+1 min")).to_be_visible()
    dee.shot("10-after-a-drop")

    # A reload takes the seat back too, with a fresh picture of the room and no second join.
    dee.page.reload()
    dee.see("#seg-h", "Our speaker")
    expect(dee.page.locator("#room-join")).to_be_hidden()
    expect(dee.button("+1 min")).to_be_visible()
    dee.see("#people-list", "Dee (you)")
    chair.see("#people-count", "(2)")
    expect(chair.page.locator("#people-list")).not_to_contain_text("reconnecting", timeout=WAIT_MS)

    # A short share: its speaker is told, out loud, that time is nearly up and then that it is up.
    chair.page.get_by_role("button", name="Go to “Quick check-in”").click()
    dee.see("#seg-h", "Quick check-in")
    dee.button("Raise hand").click()
    chair.see("#queue-list", "Dee")
    chair.button("Call next").click()
    dee.button("Share").click()
    expect(dee.button("I'm done")).to_be_focused()  # focus follows the buttons that replace the one pressed
    dee.see("#room-alert", "Your time is nearly up.")
    expect(dee.page.locator("#room-alert")).to_have_text("Time is up.", timeout=20_000)
    chair.see("#floor-timer", "Time is up")
    expect(chair.page.locator("#room-alert")).to_have_text("")
    dee.button("End share").click()  # Dee is also the timekeeper
    chair.see("#floor-now", "Nobody is sharing now.")

    # Dee leaves; the chair ends the meeting.
    dee.page.locator("#r-me").get_by_role("button", name="Leave").click()
    dee.see("#room-closed", "You have left the meeting.")
    chair.see("#people-count", "(1)")
    chair.button("End meeting…").click()
    chair.button("Yes, end the meeting").click()
    chair.see("#room-closed", "The meeting has ended.")
    for person in (chair, dee):
        assert person.watched.foreign_requests() == [], person.label
        assert person.watched.csp_violations() == [], person.label


def test_on_a_phone_a_wrong_passcode_is_explained_and_the_right_one_lets_a_member_in(
    browser: Any, room_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, _ = room_server
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    watched = watch(context, server.url)
    page = watched.page
    try:
        page.goto(f"/meetings/{PASSCODE_SLUG}/room")
        page.get_by_label("Your name in this meeting").fill("Eve")
        page.get_by_label("Passcode, if the meeting has one").fill("1111")
        page.get_by_role("button", name="Join", exact=True).click()
        expect(page.locator("#join-error")).to_contain_text("passcode is not right", timeout=WAIT_MS)
        expect(page.get_by_label("Passcode, if the meeting has one")).to_be_focused()
        page.get_by_label("Passcode, if the meeting has one").fill(PASSCODE)
        page.keyboard.press("Enter")  # the form works from the keyboard
        # No waiting room here: straight in, alone, with the chat off and Report still there.
        expect(page.locator("#people-list")).to_contain_text("Eve (you)", timeout=WAIT_MS)
        expect(page.locator("#chat-form")).to_be_hidden()
        expect(page.locator("#chat-policy")).to_contain_text("Chat is off")
        # On a phone the report, the rename and Leave fold away behind "You", near the top.
        you = page.locator("#panel-nav").get_by_role("button", name="You", exact=True)
        expect(you).to_have_attribute("aria-expanded", "false")
        you.click()
        page.get_by_label("Only the hosts see this.", exact=False).fill("The link in the listing is old")
        page.get_by_role("button", name="Send to the hosts").click()
        expect(page.locator("#report-sent")).to_contain_text("Sent to the hosts", timeout=WAIT_MS)
        # A rename to a full name gets the server's gentle word.
        page.get_by_label("Change your name").fill("Eve Hartley")
        page.get_by_role("button", name="Rename").click()
        expect(page.locator("#me-advice")).to_contain_text("full name", timeout=WAIT_MS)
        expect(page.locator("#people-list")).to_contain_text("Eve Hartley (you)")
        # One column: nothing is wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "11-phone.png"), full_page=True)
        print(f"\nphone screenshot: {tmp_path / '11-phone.png'}")
        page.locator("#r-me").get_by_role("button", name="Leave").click()
        expect(page.locator("#room-closed")).to_contain_text("You have left", timeout=WAIT_MS)
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
    finally:
        context.close()


def test_the_service_tools_send_what_the_room_understands(
    people: dict[str, Person], room_server: tuple[LiveServer, str]
) -> None:
    _, chair_key = room_server
    chair, ana, ben, cy = people["chair"], people["ana"], people["ben"], people["cy"]
    chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
    chair.see("#seg-h", "Opening")
    ana.join(f"/meetings/{SLUG}/room", "Ana")
    ben.join(f"/meetings/{SLUG}/room", "Ben")
    chair.see("#h-waiting", "Ben")

    # The waiting room: one denied, one admitted.
    chair.button("Deny Ben").click()
    ben.see("#room-closed", "The hosts did not let you in")
    chair.button("Admit Ana").click()
    ana.see("#seg-h", "Opening")

    # A locked room keeps newcomers out until it is unlocked.
    chair.button("Lock the room").click()
    expect(chair.button("Unlock the room")).to_have_attribute("aria-pressed", "true")
    cy.join(f"/meetings/{SLUG}/room", "Cy")
    cy.see("#join-error", "locked")
    chair.button("Unlock the room").click()
    expect(chair.button("Lock the room")).to_have_attribute("aria-pressed", "false")

    # A report reaches the hosts; a chat message can be deleted; the chair opens the chat.
    ana.page.locator("#report-text").fill("Someone keeps unmuting")
    ana.button("Send to the hosts").click()
    chair.see("#h-reports", "Ana: Someone keeps unmuting")
    ana.page.locator("#chat-text").fill("Hello hosts")
    ana.page.locator("#chat-form button").click()
    chair.see("#chat-list", "Hello hosts")
    chair.button("Delete the message from Ana").click()
    expect(ana.page.locator("#chat-list")).not_to_contain_text("Hello hosts", timeout=WAIT_MS)
    expect(chair.page.locator("#chat-list")).not_to_contain_text("Hello hosts")
    chair.page.locator("#h-policy").select_option("open")
    ana.see("#chat-label", "Message to everyone")

    # Round robin, everyone once before anyone twice.
    chair.page.locator("#h-mode").select_option("round_robin")
    ana.see("#queue-mode", "Round robin")
    chair.page.get_by_label("Everyone once before anyone twice").check()
    ana.see("#queue-mode", "Everyone once before anyone twice")

    # Muting, and the host log that says what the hosts did.
    chair.button("Mute all").click()
    chair.button("Manage Ana").click()
    chair.button("Mute").click()
    chair.page.get_by_text("Host log").click()
    for words in ("Pat · admitted · Ana", "denied · Ben", "locked the room", "unlocked the room", "muted everyone"):
        chair.see("#h-log", words)

    # Roles: a co-host gets the safety tools but not the chair's; then the chair is handed on. An update about Ana
    # arriving between choosing and sending (here her mute, again) does not undo the choice.
    chair.page.get_by_label("Role").select_option("cohost")
    chair.button("Mute").click()
    chair.see("#h-log", re.compile(r"muted · Ana[\s\S]*muted · Ana"))
    chair.button("Set role").click()
    ana.see("#people-list", "Ana (you) Co-host")
    expect(ana.button("Lock the room")).to_be_visible(timeout=WAIT_MS)
    expect(ana.page.get_by_role("button", name="End meeting…")).to_have_count(0)
    chair.button("Manage Ana").click()
    chair.button("Hand them the chair").click()
    expect(ana.button("End meeting…")).to_be_visible(timeout=WAIT_MS)
    expect(chair.page.get_by_role("button", name="End meeting…")).to_have_count(0)
    expect(chair.button("Lock the room")).to_be_visible()
    chair.shot("12-chair-handed-on")

    ana.button("End meeting…").click()
    ana.button("Yes, end the meeting").click()
    chair.see("#room-closed", "The meeting has ended.")
    for person in (chair, ana, ben, cy):
        assert person.watched.foreign_requests() == [], person.label
        assert person.watched.csp_violations() == [], person.label


def test_private_messages_go_to_one_person_and_members_may_only_write_privately_to_hosts(
    people: dict[str, Person], room_server: tuple[LiveServer, str]
) -> None:
    _, chair_key = room_server
    chair, ana, ben = people["chair"], people["ana"], people["ben"]
    chair.join(f"/meetings/{SLUG}/room/chair/{chair_key}", "Pat")
    chair.see("#seg-h", "Opening")
    ana.join(f"/meetings/{SLUG}/room", "Ana")
    ben.join(f"/meetings/{SLUG}/room", "Ben")
    chair.see("#h-waiting", "Ben")
    chair.button("Admit all").click()
    ana.see("#seg-h", "Opening")
    ben.see("#people-list", "Ana")

    # This group does not allow private messages between members: a member may write privately to a host only.
    member_choices = ana.page.locator("#chat-to option")
    expect(member_choices).to_have_text(["The hosts", "Pat (private)"], timeout=WAIT_MS)

    # A host may write privately to anyone; only that person (and the host) sees it.
    chair.see("#chat-to", "Ana (private)")
    chair.page.locator("#chat-to").select_option(label="Ana (private)")
    chair.page.locator("#chat-text").fill("Welcome, glad you came")
    chair.page.locator("#chat-form button").click()
    ana.see("#chat-list", "(to you): Welcome, glad you came")
    chair.see("#chat-list", "(to Ana): Welcome, glad you came")
    ben.page.wait_for_timeout(500)
    expect(ben.page.locator("#chat-list")).not_to_contain_text("glad you came")
    assert all(not p.watched.foreign_requests() and not p.watched.csp_violations() for p in (chair, ana, ben))
