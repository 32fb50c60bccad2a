"""Passkeys in Chromium, with its virtual authenticator (the DevTools protocol's WebAuthn domain): a servant signed
in with a password adds a passkey, signs out, and signs in again with the passkey alone; a passkey the server
does not know is refused with a sentence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO
from tests.browser.passkey_steps import with_authenticator
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
PASSWORD = "correct horse battery staple"
SEED = f"""
from django.contrib.auth import get_user_model
from stayhere.directory.models import Group, ServiceBody
from stayhere.service.models import Role
north = ServiceBody.objects.create(name="North Intergroup", slug="north")
hope = Group.objects.create(name="Hope Group", slug="hope", service_body=north)
secretary = get_user_model().objects.create_user(username="hope-sec", password="{PASSWORD}")
Role.objects.create(user=secretary, kind="secretary", group=hope)
"""


@pytest.fixture(scope="module")
def passkey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("passkey-data")
    output = tmp_path_factory.mktemp("passkey-logs") / "server.log"
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as running:
        yield running


def test_a_servant_adds_a_passkey_and_signs_in_with_it_alone(browser: Any, passkey_server: LiveServer) -> None:
    origin = passkey_server.url.replace("127.0.0.1", "localhost")
    context, watched = with_authenticator(browser, origin)
    page = watched.page
    try:
        page.goto("/service/sign-in")
        page.get_by_label("Username").fill("hope-sec")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", name="Your service, hope-sec")).to_be_visible(timeout=WAIT_MS)
        page.get_by_role("link", name="Your account: handle, email, notices, sign-in security").click()
        page.get_by_role("link", name="Add or remove passkeys, turn two-step sign-in on or off, draw new").click()
        page.get_by_label("A name for this device (e.g. phone)").fill("test laptop")
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.get_by_text("The passkey is added: next time, sign in with it.")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("ul.passkeys")).to_contain_text("test laptop")

        page.get_by_role("button", name="Sign out (hope-sec)").click()
        page.goto("/service/sign-in?next=/service/groups/hope")
        page.get_by_role("button", name="Sign in with a passkey").click()
        expect(page.get_by_role("heading", name="The group's meetings: Hope Group")).to_be_visible(timeout=WAIT_MS)
        assert watched.foreign_requests() == []
        assert watched.csp_violations() == []
    finally:
        context.close()


def test_a_passkey_the_server_does_not_know_is_refused_with_a_sentence(
    browser: Any, passkey_server: LiveServer
) -> None:
    origin = passkey_server.url.replace("127.0.0.1", "localhost")
    context, watched = with_authenticator(browser, origin)
    page = watched.page
    try:
        # A passkey made for this site by another page's script, never registered with the server.
        page.goto("/service/sign-in")
        page.evaluate(
            """async () => {
              const publicKey = {
                rp: {name: 'x', id: location.hostname}, user: {id: new Uint8Array([9]), name: 'x', displayName: 'x'},
                challenge: new Uint8Array(32), pubKeyCredParams: [{type: 'public-key', alg: -7}],
                authenticatorSelection: {residentKey: 'required', userVerification: 'required'},
              };
              await navigator.credentials.create({publicKey});
            }"""
        )
        page.get_by_role("button", name="Sign in with a passkey").click()
        expect(page.locator("#passkey-status")).to_contain_text(
            "This passkey is not known here: sign in with your handle and password, then add it.", timeout=WAIT_MS
        )
        assert page.url.endswith("/service/sign-in")
    finally:
        context.close()
