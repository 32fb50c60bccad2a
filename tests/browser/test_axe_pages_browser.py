"""axe-core on every page, on a phone (412 px) and a desktop (1280 px), in English and in Spanish: no violation
of the WCAG 2.2 A and AA rules (tests/browser/axe.py). The room's states are in test_axe_room_browser.py.

Pages as steps leave them are audited too: a slip from the chair's code to the attendee's slip, a suggestion with
a mistake and then sent, the journal made (its recovery phrase), open, written in and saved, an invitation made
with a mistake, then made, then opened by the servant invited.

A page joins the check with one line in PAGES (anyone may open it) or SERVANT_PAGES (a signed-in service-body
admin opens it); a path may name the seed's values ({room}, {chair}, ...), printed by SEED.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import violations
from tests.browser.conftest import REPO, watch
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
JOURNAL_MS = 30_000  # Argon2id in WebAssembly: about a second here
PASSWORD = "correct horse battery staple"
SEED = f"""
import datetime as dt
from django.contrib.auth import get_user_model
from stayhere.directory.models import Attendance, Group, ServiceBody
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from stayhere.service.models import ChangeRequest, Role
from stayhere.slips import keystore
from tests.directory.factories import make_location, make_meeting
from tests.rooms.factories import make_room
north = ServiceBody.objects.create(name="North Intergroup", slug="north")
hope = Group.objects.create(name="Hope Group", slug="hope", service_body=north)
listing = make_meeting("Hope Tuesday", slug="hope-tuesday", group=hope, location=make_location(), days=[2],
                       types=["O", "D", "EN"], notes="Side door; coffee from half past six.")
admin = get_user_model().objects.create_user(username="north-chair", password="{PASSWORD}")
Role.objects.create(user=admin, kind="body_admin", service_body=north)
request = ChangeRequest.objects.create(meeting=listing, base={{"name": "Hope Tuesday"}},
                                       proposed={{"name": "Hope on Tuesday"}}, note="The group voted a new name.")
room = make_room()
start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
hall = Group.objects.create(name="Church Hall Group", slug="church-hall")
make_meeting("Church Hall Daily", slug="church-hall-daily", days=list(range(7)), start=start.strftime("%H:%M"),
             end=(start + dt.timedelta(minutes=60)).strftime("%H:%M"), tz="UTC", attendance=Attendance.IN_PERSON,
             group=hall)
keystore.enable(hall, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), minimum_minutes=0)
slip_key = keys.rotate_chair_key(RoomSettings.objects.create(group=hall))
print("AXE-SEED", room.meeting.slug, room.chair_key, room.settings_key, request.pk, slip_key)
"""

# (what the page is, its path[, its status when not 200]): anyone may open these.
PAGES = [
    ("the finder", "/"),
    ("the finder's results", "/?q=hope"),
    ("the finder near a place", "/?near=40.7,-74.0"),
    ("the finder's mistake", "/?near=91,200", 400),
    ("a meeting", "/meetings/hope-tuesday"),
    ("suggest a change", "/meetings/hope-tuesday/suggest"),
    ("a meeting with a room", "/meetings/{room}"),
    ("the room's door", "/meetings/{room}/room"),
    ("the room's door for the chair", "/meetings/{room}/room/chair/{chair}"),
    ("the room's setup", "/rooms/settings/{settings}"),
    ("the servants' sign-in", "/service/sign-in"),
    ("the journal", "/journal/"),
    ("verify a slip", "/verify"),
    ("the slips' keys", "/slips/keys"),
    ("the slips' chair page", "/slips/chair/church-hall-daily/{slip}"),
    ("the printed schedule's form", "/print/"),
    ("the printed schedule's form with a mistake", "/print/schedule.pdf?paper=papyrus", 400),
    ("the admin's sign-in", "/admin/login/"),
    ("a page that is not there", "/no/such/page", 404),
]
# Opened by a signed-in service-body admin.
SERVANT_PAGES = [
    ("the servants' home", "/service/"),
    ("a service body", "/service/bodies/north"),
    ("its requests", "/service/bodies/north/requests"),
    ("a request", "/service/requests/{request}"),
    ("a group's meetings", "/service/groups/hope"),
    ("editing a meeting", "/service/meetings/hope-tuesday"),
    ("two-step sign-in and passkeys", "/service/two-step"),
]
LANGUAGES = {"en": "en-US", "es": "es-ES"}
WIDTHS = (412, 1280)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data, logs = tmp_path_factory.mktemp("axe-pages-data"), tmp_path_factory.mktemp("axe-pages-logs")
    setup = [["shell", "-c", SEED]]
    with live_server(data, logs / "server.log", setup=setup, extra_env={"PYTHONPATH": str(REPO)}) as running:
        line = next(line for line in running.log_text().splitlines() if line.startswith("AXE-SEED "))
        names = ("room", "chair", "settings", "request", "slip")
        yield running, dict(zip(names, line.split()[1:], strict=True))


def audit(page: Any, pages: list[tuple[Any, ...]], values: dict[str, str], found: dict[str, list[str]]) -> None:
    for what, pattern, *status in pages:
        path = pattern.format(**values)
        answer = page.goto(path)
        assert answer is not None and answer.status == (status[0] if status else 200), (what, path, answer.status)
        page.wait_for_load_state("networkidle")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            seen = violations(page)
            if seen:
                found[f"{what} ({path}) at {width} px"] = seen


def audit_here(page: Any, what: str, found: dict[str, list[str]]) -> None:
    """The page as it stands now (after steps taken on it), at each width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        seen = violations(page)
        if seen:
            found[f"{what} at {width} px"] = seen


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_page_breaks_a_wcag_a_or_aa_rule_on_a_phone_or_a_desktop(
    browser: Any, seeded: tuple[LiveServer, dict[str, str]], language: str
) -> None:
    server, values = seeded
    context = browser.new_context(base_url=server.url, locale=LANGUAGES[language])
    found: dict[str, list[str]] = {}
    try:
        page = watch(context, server.url).page
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        audit(page, PAGES, values, found)

        # A slip, from the chair's code to the attendee's slip, and the officer's verdict on it.
        page.goto(f"/slips/chair/church-hall-daily/{values['slip']}")
        link = page.locator("#chair-link")
        expect(link).to_have_attribute("href", re.compile(r"/slips/here/"), timeout=WAIT_MS)
        page.goto(link.get_attribute("href") or "")
        expect(page.locator("#slip-your-name")).to_be_visible(timeout=WAIT_MS)
        audit_here(page, "the slip's form", found)
        page.locator("#slip-your-name").fill("Axe Tester")
        page.locator("#slip-your-name").press("Enter")
        slip = page.locator("#slip")
        expect(slip).to_contain_text("Axe Tester", timeout=WAIT_MS)
        audit_here(page, "the slip", found)

        # A suggestion with a mistake in it, then sent.
        page.goto("/meetings/hope-tuesday/suggest")
        page.locator("#id_start_time").fill("25:99")
        page.locator("form.listing-form button[type=submit]").click()
        expect(page.locator("#errors")).to_be_visible(timeout=WAIT_MS)
        audit_here(page, "a suggestion with a mistake", found)
        page.locator("#id_start_time").fill("19:45")
        page.locator("form.listing-form button[type=submit]").click()
        expect(page.locator("#id_start_time")).to_have_count(0, timeout=WAIT_MS)
        audit_here(page, "a suggestion sent", found)

        # The journal: made (its recovery phrase shown once), open, an entry being written, and saved.
        page.goto("/journal/")
        page.locator("#journal-create").wait_for(state="visible", timeout=JOURNAL_MS)
        page.fill("#create-handle", f"axe-{language}")
        page.fill("#create-passphrase", PASSWORD)
        page.fill("#create-passphrase2", PASSWORD)
        page.click("#journal-create button[type=submit]")
        page.locator("#journal-recovery").wait_for(state="visible", timeout=JOURNAL_MS)
        audit_here(page, "the journal's recovery phrase", found)
        page.check("#recovery-kept")
        page.click("#recovery-done")
        page.locator("#journal-open").wait_for(state="visible", timeout=JOURNAL_MS)
        audit_here(page, "the journal, open", found)
        page.click("#entry-new")
        page.fill("#entry-title", "An entry")
        audit_here(page, "the journal, writing an entry", found)
        page.click("#entry-save")
        expect(page.locator("#entries-list li")).to_have_count(1, timeout=JOURNAL_MS)
        audit_here(page, "the journal, an entry saved", found)

        # The servants' pages, signed in.
        page.goto("/service/sign-in")
        page.locator("input[name=username]").fill("north-chair")
        page.locator("input[type=password]").fill(PASSWORD)
        page.locator("main form button[type=submit], main form button:not([type])").first.click()
        page.wait_for_url(re.compile(r"/service/$"), timeout=WAIT_MS)
        audit(page, SERVANT_PAGES, values, found)

        # An invitation: first made with a mistake (a secretary without a group), then made; then opened by the
        # invited servant, who is not signed in.
        page.goto("/service/bodies/north")
        page.locator("#id_kind").select_option("secretary")
        page.locator('button[value="invite"]').click()
        expect(page.locator("#errors")).to_be_visible(timeout=WAIT_MS)
        audit_here(page, "an invitation with a mistake", found)
        page.locator("#id_kind").select_option("secretary")
        page.locator("#id_group").select_option(label="Hope Group")
        page.locator('button[value="invite"]').click()
        invitation = page.locator("#invitation-link").input_value(timeout=WAIT_MS)
        audit_here(page, "an invitation made", found)
        invited = watch(browser.new_context(base_url=server.url, locale=LANGUAGES[language]), server.url).page
        try:
            invited.goto(invitation)
            expect(invited.locator("main form")).to_be_visible(timeout=WAIT_MS)
            audit_here(invited, "an invitation opened", found)
        finally:
            invited.context.close()
    finally:
        context.close()
    report = "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in found.items())
    assert found == {}, f"axe-core found WCAG A/AA violations ({language}):\n{report}"


def test_the_audit_finds_a_violation_when_a_page_has_one(
    browser: Any, seeded: tuple[LiveServer, dict[str, str]]
) -> None:
    server, _ = seeded
    context = browser.new_context(base_url=server.url)
    try:
        page = watch(context, server.url).page
        page.goto("/")
        assert violations(page) == []
        page.evaluate("document.querySelector('main').append(document.createElement('input'))")
        found = violations(page)
        assert len(found) == 1 and found[0].startswith("label (critical)"), found
    finally:
        context.close()
