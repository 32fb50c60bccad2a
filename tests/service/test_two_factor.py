"""Two-step sign-in with an authenticator app: turned on only by typing back a code, then asked after the
password; a wrong code is refused with a sentence and counted against the sign-in limits."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from stayhere.service import twofactor
from stayhere.service.models import RecoveryCode
from tests.service.factories import PASSWORD, make_tree, signed_in
from tests.signin_counts import forget_counters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_sign_in_counts():
    forget_counters()
    yield
    forget_counters()


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code of now (or of the step after the last one used, which stays acceptable while the test runs on:
    a device takes a code of the step before, this one and the next, and never one of a step used already)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if steps_ahead:
        device.refresh_from_db()
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = code_for(device)
    return "000000" if right != "000000" else "111111"


def turn_on(client: Client, user, codes: list[str] | None = None) -> TOTPDevice:
    page = client.get("/service/two-step")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'src="data:image/svg+xml' in text and 'id="totp-secret"' in text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    answer = client.post("/service/two-step", {"action": "on", "code": code_for(device)})
    assert answer.status_code == 200
    assert "Two-step sign-in is on" in answer.content.decode()
    shown = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", answer.content.decode())
    assert len(shown) == 10
    if codes is not None:
        codes.extend(shown)
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_servant_turns_it_on_by_typing_a_code_back_and_is_then_asked_for_one() -> None:
    tree = make_tree()
    device = turn_on(signed_in(tree.secretary), tree.secretary)
    client = Client()
    first = client.post("/service/sign-in?next=/service/groups/hope", {"username": "hope-sec", "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == "/service/sign-in/code"
    assert client.get("/service/groups/hope").status_code == 302  # not signed in yet
    done = client.post("/service/sign-in/code", {"code": code_for(device, steps_ahead=1)})
    assert done.status_code == 302 and done["Location"] == "/service/groups/hope"
    assert client.get("/service/groups/hope").status_code == 200


def test_a_wrong_code_while_turning_it_on_leaves_it_off() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    client.get("/service/two-step")
    device = TOTPDevice.objects.get(user=tree.secretary)
    for code, sentence in [(wrong_code(device), "That code is not the one"), ("12ab", "Type the 6 digits")]:
        answer = client.post("/service/two-step", {"action": "on", "code": code})
        assert answer.status_code == 400
        assert sentence in answer.content.decode()
    assert twofactor.confirmed_device(tree.secretary) is None


def test_a_wrong_code_at_sign_in_is_refused_counted_and_signs_nobody_in() -> None:
    tree = make_tree()
    device = turn_on(signed_in(tree.secretary), tree.secretary)
    client = Client()
    client.post("/service/sign-in", {"username": "hope-sec", "password": PASSWORD})
    first = client.post("/service/sign-in/code", {"code": wrong_code(device)})
    assert first.status_code == 400
    assert "That code is not the one your authenticator app shows now" in first.content.decode()
    for _attempt in range(4):  # django-otp slows the device too: these are refused before they are checked
        answer = client.post("/service/sign-in/code", {"code": wrong_code(device)})
        assert answer.status_code == 400
        assert "Several wrong codes in a row" in answer.content.decode()
    limited = client.post("/service/sign-in/code", {"code": code_for(device)})
    assert limited.status_code == 429
    assert "Too many failed sign-ins for this account name" in limited.content.decode()
    assert client.get("/service/").status_code == 302


def test_the_code_page_without_a_right_password_first_sends_to_sign_in() -> None:
    make_tree()
    assert Client().post("/service/sign-in/code", {"code": "123456"})["Location"] == "/service/sign-in"


def test_turning_it_off_needs_a_current_code() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    device = turn_on(client, tree.secretary)
    refused = client.post("/service/two-step", {"action": "off", "code": wrong_code(device)})
    assert refused.status_code == 400
    assert "That code is not the one" in refused.content.decode()
    too_soon = client.post("/service/two-step", {"action": "off", "code": code_for(device, steps_ahead=1)})
    assert too_soon.status_code == 400
    assert "Several wrong codes in a row: wait 1 seconds" in too_soon.content.decode()
    assert twofactor.confirmed_device(tree.secretary) is not None
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    done = client.post("/service/two-step", {"action": "off", "code": code_for(device, steps_ahead=1)})
    assert done.status_code == 200 and "Two-step sign-in is off." in done.content.decode()
    assert twofactor.confirmed_device(tree.secretary) is None


def test_a_recovery_code_signs_in_once_and_only_its_hash_is_kept() -> None:
    tree = make_tree()
    codes: list[str] = []
    turn_on(signed_in(tree.secretary), tree.secretary, codes)
    stored = list(RecoveryCode.objects.filter(user=tree.secretary).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert client_page(codes[0].upper()).status_code == 302  # typed in capitals, still accepted
    again = client_page(codes[0])
    assert again.status_code == 400
    assert "That recovery code is not one of yours, or it has been used" in again.content.decode()
    assert client_page("zzzzz-zzzzz").status_code == 400
    assert client_page(codes[1]).status_code == 302


def client_page(code: str):
    client = Client()
    client.post("/service/sign-in", {"username": "hope-sec", "password": PASSWORD})
    return client.post("/service/sign-in/code", {"code": code})


def test_a_malformed_code_at_sign_in_is_answered_with_a_sentence() -> None:
    tree = make_tree()
    turn_on(signed_in(tree.secretary), tree.secretary)
    answer = client_page("12 34")
    assert answer.status_code == 400
    assert "or a recovery code such as abcde-fghjk" in answer.content.decode()


ADMIN_LOGIN = "/admin/login/?next=/admin/"


def test_the_admins_login_does_not_let_a_password_alone_past_the_second_step() -> None:
    tree = make_tree()
    tree.secretary.is_staff = True  # an operator who keeps the listings in the admin as well
    tree.secretary.save()
    device = turn_on(signed_in(tree.secretary), tree.secretary)
    client = Client()
    refused = client.post(
        "/admin/login/?next=/admin/", {"username": "hope-sec", "password": PASSWORD, "next": "/admin/"}
    )
    assert refused.status_code == 200  # the form again, with why
    text = refused.content.decode()
    assert "signs in with a code as well as its password" in text
    assert "/service/sign-in?next=/admin/" in text
    assert client.get("/admin/").status_code == 302  # not signed in
    # The way in: the servants' sign-in asks for the code, then opens the admin.
    first = client.post("/service/sign-in?next=/admin/", {"username": "hope-sec", "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == "/service/sign-in/code"
    done = client.post("/service/sign-in/code", {"code": code_for(device, steps_ahead=1)})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_operator_without_the_second_step_still_signs_in_to_the_admin_with_a_password() -> None:
    tree = make_tree()
    tree.secretary.is_staff = True
    tree.secretary.save()
    client = Client()
    answer = client.post(
        "/admin/login/?next=/admin/", {"username": "hope-sec", "password": PASSWORD, "next": "/admin/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
