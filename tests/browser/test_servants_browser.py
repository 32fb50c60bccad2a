"""Trusted servants in real browsers against a real server: a service-body admin invites a secretary, who makes an
account from the link, adds a passkey (Chromium's virtual authenticator), signs in again with it alone and edits a
meeting; a visitor suggests a change from the meeting page without an account; the admin approves it from the
queue; the finder, the meeting page and the Meeting Guide feed show both changes, the history names who made each,
and no page asked anything of another origin. A servant of another body is refused at every step; a conflicting
approval is refused with a sentence; a report of harmful conduct reaches the body's admin and not the outsider."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.browser.passkey_steps import with_authenticator
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
PASSWORD = "correct horse battery staple"
SEED = f"""
from django.contrib.auth import get_user_model
from stayhere.directory.models import Group, ServiceBody
from stayhere.service.models import Role
from tests.directory.factories import make_location, make_meeting
north = ServiceBody.objects.create(name="North Intergroup", slug="north")
hope = Group.objects.create(name="Hope Group", slug="hope", service_body=north)
make_meeting("Hope Tuesday", slug="hope-tuesday", group=hope, location=make_location(), days=[2], start="19:00")
chair = get_user_model().objects.create_user(username="north-chair", password="{PASSWORD}")
Role.objects.create(user=chair, kind="body_admin", service_body=north)
south = ServiceBody.objects.create(name="South Intergroup", slug="south")
outsider = get_user_model().objects.create_user(username="south-chair", password="{PASSWORD}")
Role.objects.create(user=outsider, kind="body_admin", service_body=south)
make_meeting("Hope Friday", slug="hope-friday", group=hope, location=make_location(), days=[5], start="12:00")
"""


@pytest.fixture(scope="module")
def servants_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("servants-data")
    output = tmp_path_factory.mktemp("servants-logs") / "server.log"
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


def sign_in(watched: Watched, handle: str) -> None:
    page = watched.page
    page.goto("/service/sign-in")
    page.get_by_label("Username").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name=f"Your service, {handle}")).to_be_visible(timeout=WAIT_MS)


def test_invite_edit_suggest_approve_and_the_finder_and_the_feed_show_it(
    browser: Any, servants_server: LiveServer
) -> None:
    server = servants_server
    contexts = [browser.new_context(base_url=server.url) for _ in range(2)]
    admin, visitor = (watch(context, server.url) for context in contexts)
    # The secretary's browser has a passkey authenticator, and opens the site by name (WebAuthn needs one).
    secretary_origin = server.url.replace("127.0.0.1", "localhost")
    secretary_context, secretary = with_authenticator(browser, secretary_origin)
    contexts.append(secretary_context)
    try:
        # The admin invites a secretary for the Hope Group.
        sign_in(admin, "north-chair")
        admin.page.goto("/service/bodies/north")
        admin.page.get_by_label("Role:", exact=True).select_option(label="Group secretary")
        admin.page.get_by_label("Group (for a secretary)").select_option(label="Hope Group")
        admin.page.get_by_role("button", name="Make an invitation link").click()
        link = admin.page.locator("#invitation-link")
        invitation = link.input_value(timeout=WAIT_MS)
        assert invitation.startswith(f"{server.url}/service/invitations/")

        # The secretary opens it, makes an account with a handle, adds a passkey, signs out, signs in again with
        # the passkey alone, and edits the meeting.
        secretary.page.goto(invitation.replace(server.url, secretary_origin))
        expect(
            secretary.page.get_by_text("You are invited to serve as Group secretary for Hope Group.")
        ).to_be_visible()
        secretary.page.get_by_label("Your handle").fill("hope-sec")
        secretary.page.get_by_label("Password:", exact=True).fill(PASSWORD)
        secretary.page.get_by_label("The password again").fill(PASSWORD)
        secretary.page.get_by_role("button", name="Accept the invitation").click()
        expect(secretary.page.get_by_role("heading", name="The group's meetings: Hope Group")).to_be_visible(
            timeout=WAIT_MS
        )
        secretary.page.get_by_role("link", name="Your account").click()
        secretary.page.get_by_role("link", name="Add or remove passkeys, turn two-step sign-in on or off").click()
        secretary.page.get_by_label("A name for this device (e.g. phone)").fill("office laptop")
        secretary.page.get_by_role("button", name="Add a passkey").click()
        expect(secretary.page.get_by_text("The passkey is added")).to_be_visible(timeout=WAIT_MS)
        secretary.page.get_by_role("button", name="Sign out (hope-sec)").click()
        secretary.page.goto("/service/sign-in?next=/service/groups/hope")
        secretary.page.get_by_role("button", name="Sign in with a passkey").click()
        expect(secretary.page.get_by_role("heading", name="The group's meetings: Hope Group")).to_be_visible(
            timeout=WAIT_MS
        )
        secretary.page.get_by_role("link", name="Hope Tuesday").click()
        secretary.page.get_by_label("Notes:", exact=True).fill("Use the side door on Elm Street.")
        secretary.page.get_by_role("button", name="Save the listing").click()
        expect(secretary.page.get_by_text("Saved. The listing is updated")).to_be_visible(timeout=WAIT_MS)
        history = secretary.page.locator("ol.history")
        expect(history).to_contain_text("hope-sec")
        expect(history).to_contain_text("Use the side door on Elm Street.")

        # A visitor, with no account, suggests a new start time from the meeting's page.
        visitor.page.goto("/meetings/hope-tuesday")
        expect(visitor.page.get_by_text("Use the side door on Elm Street.")).to_be_visible(timeout=WAIT_MS)
        visitor.page.get_by_role("link", name="Suggest a change", exact=True).click()
        starts = visitor.page.get_by_label("Starts")
        expect(starts).to_have_value("19:00")
        starts.fill("19:45")
        visitor.page.get_by_role("button", name="Send the suggestion").click()
        expect(visitor.page.get_by_role("heading", name="Thank you: your suggestion was sent")).to_be_visible(
            timeout=WAIT_MS
        )
        assert not [cookie for cookie in contexts[1].cookies() if cookie["name"] == "sessionid"]

        # The admin reviews it: the diff, then approve.
        admin.page.goto("/service/bodies/north/requests")
        admin.page.get_by_role("link", name="Suggestion #1 for Hope Tuesday").click()
        row = admin.page.locator("table.diff tr", has_text="Starts")
        expect(row).to_contain_text("19:00")
        expect(row).to_contain_text("19:45")
        admin.page.get_by_role("button", name="Approve and apply this change").click()
        expect(admin.page.get_by_text("Approved: the listing now shows the suggested change.")).to_be_visible(
            timeout=WAIT_MS
        )

        # The finder's results, the meeting's page and the feed show both changes; the history names both.
        visitor.page.goto("/?q=Hope+Tuesday")
        expect(visitor.page.locator("ol.results li", has_text="Hope Tuesday")).to_contain_text("19:45")
        visitor.page.goto("/meetings/hope-tuesday")
        expect(visitor.page.locator("table.schedule")).to_contain_text("19:45")
        feed = json.loads(visitor.page.request.get("/feeds/meeting-guide.json").text())
        listed = next(item for item in feed if item["slug"] == "hope-tuesday")
        assert listed["time"] == "19:45"
        assert listed["notes"] == "Use the side door on Elm Street."
        secretary.page.reload()
        expect(history).to_contain_text("suggestion #1")
        expect(history).to_contain_text("approved by north-chair")

        for watched in (admin, secretary, visitor):
            assert watched.foreign_requests() == []
            assert watched.csp_violations() == []
    finally:
        for context in contexts:
            context.close()


def test_the_outsider_is_refused_and_a_conflicting_approval_is_refused_with_a_sentence(
    browser: Any, servants_server: LiveServer
) -> None:
    server = servants_server
    contexts = [browser.new_context(base_url=server.url) for _ in range(3)]
    admin, outsider, visitor = (watch(context, server.url) for context in contexts)
    try:
        visitor.page.goto("/meetings/hope-friday")
        visitor.page.get_by_role("link", name="Suggest a change", exact=True).click()
        visitor.page.get_by_label("Starts").fill("12:15")
        visitor.page.get_by_role("button", name="Send the suggestion").click()
        expect(visitor.page.get_by_role("heading", name="Thank you: your suggestion was sent")).to_be_visible(
            timeout=WAIT_MS
        )

        # A visitor reports harmful conduct at the meeting: private to the group's secretary and the body's admins.
        visitor.page.goto("/meetings/hope-friday")
        visitor.page.get_by_role("link", name="Report a problem", exact=True).click()
        visitor.page.get_by_label("Harmful conduct at this meeting").check()
        visitor.page.get_by_label("What happened, or what is wrong").fill("A member was followed to the bus stop.")
        visitor.page.get_by_role("button", name="Send the report").click()
        expect(visitor.page.get_by_role("heading", name="Thank you: your report was sent")).to_be_visible(
            timeout=WAIT_MS
        )

        # The servant of another intergroup is refused every step: the body's page (its invitations), the queue,
        # the suggestion, the meeting's edit page, the group's pages, the report.
        sign_in(outsider, "south-chair")
        paths = [
            "/service/bodies/north",
            "/service/bodies/north/requests",
            "/service/meetings/hope-friday",
            "/service/groups/hope",
            "/service/groups/hope/statement",
            "/service/groups/hope/room",
            "/service/groups/hope/meetings/new",
        ]
        for path in paths:
            answer = outsider.page.goto(path)
            assert answer is not None and answer.status == 403, path
            expect(outsider.page.get_by_role("alert")).to_contain_text("Your roles do not cover this.")
        outsider.page.goto("/service/reports")
        expect(outsider.page.get_by_text("No open report is waiting for you.")).to_be_visible()

        # The admin reads the report; the outsider may not, even by its address.
        sign_in(admin, "north-chair")
        admin.page.goto("/service/reports")
        admin.page.get_by_role("link", name=re.compile(r"Report #\d+: Hope Friday")).click()
        expect(admin.page.locator("blockquote")).to_contain_text("A member was followed to the bus stop.")
        answer = outsider.page.goto(admin.page.url.replace(server.url, ""))
        assert answer is not None and answer.status == 403

        # Meanwhile the admin changes the same field directly; approving the suggestion is then refused.
        admin.page.goto("/service/meetings/hope-friday")
        admin.page.get_by_label("Starts").fill("12:30")
        admin.page.get_by_role("button", name="Save the listing").click()
        expect(admin.page.get_by_text("Saved. The listing is updated")).to_be_visible(timeout=WAIT_MS)
        admin.page.goto("/service/bodies/north/requests")
        admin.page.get_by_role("link", name=re.compile(r"Suggestion #\d+ for Hope Friday")).click()
        expect(admin.page.locator("table.diff")).to_contain_text("(changed since)")
        request_path = admin.page.url.replace(server.url, "")
        answer = outsider.page.goto(request_path)
        assert answer is not None and answer.status == 403
        admin.page.get_by_role("button", name="Approve and apply this change").click()
        expect(admin.page.get_by_role("alert")).to_contain_text(
            "The listing has changed since this suggestion was made (Starts), so it was not applied."
        )
        visitor.page.goto("/meetings/hope-friday")
        expect(visitor.page.locator("table.schedule")).to_contain_text("12:30")
        for watched in (admin, outsider, visitor):
            assert watched.foreign_requests() == []
    finally:
        for context in contexts:
            context.close()


def test_a_group_s_statement_is_previewed_and_saved_and_its_room_settings_post_from_the_servants_pages(
    browser: Any, servants_server: LiveServer
) -> None:
    server = servants_server
    context = browser.new_context(base_url=server.url)
    admin = watch(context, server.url)
    page = admin.page
    try:
        sign_in(admin, "north-chair")
        page.goto("/service/groups/hope")
        page.get_by_role("link", name="Change the statement, the MOUD-welcome and harm-reduction facets").click()
        page.get_by_label("The group's statement").fill("Everyone is welcome here.")
        page.get_by_label("People on medication for opioid use disorder (MOUD) are welcome").check()
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("#preview")
        expect(preview).to_contain_text("Everyone is welcome here.", timeout=WAIT_MS)
        expect(preview).to_contain_text("Medication for opioid use disorder welcome")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved. The group's meetings show it")).to_be_visible(timeout=WAIT_MS)

        page.get_by_role("link", name="Room settings: format, readings, passcode, waiting room, unlisted").click()
        page.get_by_label("Passcode").fill("12ab")
        page.get_by_role("button", name="Save settings").first.click()
        expect(page.get_by_text("Use 4 to 10 digits (0-9) for the passcode")).to_be_visible(timeout=WAIT_MS)
        page.get_by_label("Passcode").fill("4321")
        page.get_by_role("button", name="Save settings").first.click()
        expect(page.get_by_text("Saved. The changes apply to rooms opened from now on.")).to_be_visible(timeout=WAIT_MS)
        assert admin.foreign_requests() == []
        assert admin.csp_violations() == []
    finally:
        context.close()
