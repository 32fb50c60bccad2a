"""The passkey endpoints with bad input: each answers with a sentence, adds no passkey and signs nobody in; failed
checks of a known passkey count against its servant's sign-in limits. (The whole ceremony with a real
authenticator is tests/browser/test_passkeys_browser.py.)"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from stayhere.service.models import Passkey
from tests.service.factories import make_tree, signed_in
from tests.signin_counts import forget_counters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_sign_in_counts():
    forget_counters()
    yield
    forget_counters()


def post_json(client: Client, path: str, body: object) -> tuple[int, dict]:
    answer = client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return answer.status_code, answer.json() if answer["Content-Type"] == "application/json" else {}


def test_options_name_this_site_and_require_a_verified_resident_passkey() -> None:
    tree = make_tree()
    status, options = post_json(signed_in(tree.secretary), "/service/passkeys/options", "")
    assert status == 200
    assert options["rp"]["id"] == "testserver"
    assert options["user"]["name"] == "hope-sec"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("not json", "The device's answer was not readable"),
        ({"credential": "nope"}, "The device's answer was not readable"),
        ({"credential": {"id": "x", "rawId": "x", "type": "public-key", "response": {}}}, "could not be checked"),
    ],
)
def test_a_bad_registration_adds_no_passkey(body: object, sentence: str) -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    post_json(client, "/service/passkeys/options", "")
    status, answer = post_json(client, "/service/passkeys", body)
    assert status == 400 and sentence in answer["error"]
    assert Passkey.objects.count() == 0


def test_a_registration_without_its_options_is_told_to_start_again() -> None:
    tree = make_tree()
    status, answer = post_json(signed_in(tree.secretary), "/service/passkeys", {"credential": {}})
    assert status == 400 and "Start again" in answer["error"]


def test_a_visitor_cannot_add_a_passkey() -> None:
    make_tree()
    assert Client().post("/service/passkeys", "{}", content_type="application/json").status_code == 302


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("[]", "The device's answer was not readable"),
        ({"credential": {"rawId": "unknown-credential"}}, "This passkey is not known here"),
    ],
)
def test_a_bad_passkey_sign_in_signs_nobody_in(body: object, sentence: str) -> None:
    make_tree()
    client = Client()
    post_json(client, "/service/sign-in/passkey/options", "")
    status, answer = post_json(client, "/service/sign-in/passkey", body)
    assert status == 400 and sentence in answer["error"]
    assert client.get("/service/").status_code == 302


def test_failed_checks_of_a_known_passkey_count_against_its_servant_s_limits() -> None:
    tree = make_tree()
    Passkey.objects.create(user=tree.secretary, credential_id="known-credential", public_key=b"\x00", name="phone")
    client = Client()
    forged = {
        "credential": {"id": "known-credential", "rawId": "known-credential", "type": "public-key", "response": {}}
    }
    for _attempt in range(5):
        post_json(client, "/service/sign-in/passkey/options", "")
        status, answer = post_json(client, "/service/sign-in/passkey", forged)
        assert status == 400 and "could not be checked" in answer["error"]
    post_json(client, "/service/sign-in/passkey/options", "")
    status, answer = post_json(client, "/service/sign-in/passkey", forged)
    assert status == 429 and "Too many failed sign-ins for this account name" in answer["error"]
    assert client.get("/service/").status_code == 302


def test_a_servant_removes_only_their_own_passkey() -> None:
    tree = make_tree()
    mine = Passkey.objects.create(user=tree.secretary, credential_id="a", public_key=b"\x00", name="phone")
    theirs = Passkey.objects.create(user=tree.outsider, credential_id="b", public_key=b"\x00", name="laptop")
    client = signed_in(tree.secretary)
    assert client.post(f"/service/passkeys/{theirs.pk}/remove").status_code == 302
    assert Passkey.objects.filter(pk=theirs.pk).exists()
    client.post(f"/service/passkeys/{mine.pk}/remove")
    assert not Passkey.objects.filter(pk=mine.pk).exists()
