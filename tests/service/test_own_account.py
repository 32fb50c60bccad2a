"""A servant's own account page: handle and email (or none), email notices, roles with end dates, recovery codes
drawn anew and shown once, signing out everywhere. Bad input gets a sentence and changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from stayhere.service.models import NoticeChoice, RecoveryCode, Role
from tests.service.factories import PASSWORD, make_tree, signed_in
from tests.service.test_two_factor import code_for, turn_on
from tests.signin_counts import forget_counters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_sign_in_counts():
    forget_counters()
    yield
    forget_counters()


def test_the_account_page_shows_the_servant_s_roles_with_their_end_dates() -> None:
    tree = make_tree()
    role = Role.objects.get(user=tree.secretary)
    role.ends_on = dt.date.today() + dt.timedelta(days=300)
    role.save()
    page = signed_in(tree.secretary).get("/service/account")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Group secretary: " in text and "Hope Group" in text
    assert f"until {role.ends_on:%Y-%m-%d}" in text
    assert "0 passkeys" in text and "Two-step sign-in is off." in text
    assert Client().get("/service/account").status_code == 302


def test_a_servant_changes_handle_and_email_then_removes_the_email() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    done = client.post("/service/account", {"action": "account", "handle": "hope-scribe", "email": "s@example.org"})
    assert done.status_code == 302 and done["Location"] == "/service/account?done=account"
    user = get_user_model().objects.get(pk=tree.secretary.pk)
    assert (user.username, user.email) == ("hope-scribe", "s@example.org")
    assert "Saved: your handle and email are as shown." in client.get(done["Location"]).content.decode()
    client.post("/service/account", {"action": "account", "handle": "hope-scribe", "email": ""})
    assert get_user_model().objects.get(pk=tree.secretary.pk).email == ""
    assert Client().post("/service/sign-in", {"username": "hope-scribe", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"handle": "north-chair"}, "That handle is taken: choose another."),
        ({"handle": "NORTH-CHAIR"}, "That handle is taken: choose another."),
        ({"handle": "has space"}, "Use 2 to 40 letters, digits"),
        ({"handle": ""}, "Choose a handle."),
        ({"email": "nowhere"}, "Give an email address such as name@example.org"),
    ],
)
def test_bad_handle_or_email_gets_a_sentence_and_changes_nothing(fields: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    data = {"action": "account", "handle": "hope-sec", "email": "", **fields}
    answer = signed_in(tree.secretary).post("/service/account", data)
    assert answer.status_code == 400
    assert sentence in answer.content.decode() and "Nothing was changed" in answer.content.decode()
    user = get_user_model().objects.get(pk=tree.secretary.pk)
    assert (user.username, user.email) == ("hope-sec", "")


def test_an_unknown_action_changes_nothing() -> None:
    tree = make_tree()
    answer = signed_in(tree.secretary).post("/service/account", {"action": "delete-everything"})
    assert answer.status_code == 400 and "nothing was changed" in answer.content.decode()


def test_a_servant_turns_suggestion_notices_off_and_gets_none() -> None:
    tree = make_tree()
    tree.reviewer.email = "r@example.org"
    tree.reviewer.save()
    client = signed_in(tree.reviewer)
    assert client.post("/service/account", {"action": "notices", "reports": "on"}).status_code == 302
    choice = NoticeChoice.objects.get(user=tree.reviewer)
    assert (choice.suggestions, choice.reports) == (False, True)
    page = client.get("/service/account").content.decode()
    assert re.search(r'name="suggestions"(?![^>]*checked)', page) and re.search(r'name="reports"[^>]*checked', page)
    form = {"name": "Hope Tuesday", "days": "2", "start_time": "19:30", "timezone": "America/Chicago"}
    assert Client().post("/meetings/hope-tuesday/suggest", {**form, "attendance": "in_person"}).status_code == 200
    assert mail.outbox == []


def test_recovery_codes_are_drawn_anew_with_a_current_code_and_the_old_ones_stop_working() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    old: list[str] = []
    device = turn_on(client, tree.secretary, old)
    wrong = client.post("/service/two-step", {"action": "recovery", "code": "12345"})
    assert wrong.status_code == 400 and "Type the 6 digits" in wrong.content.decode()
    assert RecoveryCode.objects.filter(user=tree.secretary).count() == 10
    answer = client.post("/service/two-step", {"action": "recovery", "code": code_for(device, steps_ahead=1)})
    assert answer.status_code == 200 and "the old ones no longer work" in answer.content.decode()
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", answer.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    later = client.get("/service/two-step").content.decode()
    assert not any(code in later for code in new)  # shown once
    device.refresh_from_db()
    assert device.confirmed  # still on
    signer = Client()
    signer.post("/service/sign-in", {"username": "hope-sec", "password": PASSWORD})
    refused = signer.post("/service/sign-in/code", {"code": old[0]})
    assert refused.status_code == 400
    forget_counters()
    assert signer.post("/service/sign-in/code", {"code": new[0]}).status_code == 302


def test_signing_out_everywhere_ends_every_session_of_the_servant_and_no_one_else_s() -> None:
    make_tree()
    laptop, phone, other = Client(), Client(), Client()
    for client, handle in ((laptop, "hope-sec"), (phone, "hope-sec"), (other, "north-chair")):
        assert client.post("/service/sign-in", {"username": handle, "password": PASSWORD}).status_code == 302
    assert Session.objects.count() == 3
    done = laptop.post("/service/account/sign-out-everywhere")
    assert done.status_code == 302 and done["Location"] == "/service/sign-in?signed-out=everywhere"
    assert "You are signed out in every browser" in laptop.get(done["Location"]).content.decode()
    assert phone.get("/service/account").status_code == 302
    assert laptop.get("/service/account").status_code == 302
    assert other.get("/service/account").status_code == 200
    assert Client().get("/service/account/sign-out-everywhere").status_code in (302, 405)


# Changing one's password ---------------------------------------------------------------------------------------------

NEW = "a lantern by the harbour wall"


def _change(client: Client, old: str, new1: str, new2: str | None = None) -> object:
    return client.post(
        "/service/account",
        {
            "action": "password",
            "old_password": old,
            "new_password1": new1,
            "new_password2": new1 if new2 is None else new2,
        },
    )


def test_a_servant_changes_the_password_stays_signed_in_here_and_every_other_browser_is_signed_out() -> None:
    tree = make_tree()
    here, elsewhere = signed_in(tree.secretary), signed_in(tree.secretary)
    other_servant = signed_in(tree.north_admin)
    assert "Change the password" in here.get("/service/account").content.decode()
    answer = _change(here, PASSWORD, NEW)
    assert answer.status_code == 302 and answer["Location"].endswith("?done=password")
    assert "Your password is changed." in here.get(answer["Location"]).content.decode()
    tree.secretary.refresh_from_db()
    assert tree.secretary.check_password(NEW) and not tree.secretary.check_password(PASSWORD)
    assert here.get("/service/account").status_code == 200
    assert elsewhere.get("/service/account").status_code == 302  # to sign in
    assert other_servant.get("/service/account").status_code == 200  # someone else's session is theirs
    fresh = Client()
    signed = fresh.post("/service/sign-in", {"username": "hope-sec", "password": NEW})
    assert signed.status_code == 302


@pytest.mark.parametrize(
    ("old", "new1", "new2", "sentence"),
    [
        ("not my password", NEW, None, "That is not your current password"),
        (PASSWORD, NEW, "a different lantern entirely", "The two password fields didn"),
        (PASSWORD, "short", None, "This password is too short"),
        (PASSWORD, "password", None, "This password is too common"),
        ("", "", None, "This field is required"),
    ],
)
def test_a_bad_password_change_gets_a_sentence_and_changes_nothing(
    old: str, new1: str, new2: str | None, sentence: str
) -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    answer = _change(client, old, new1, new2)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Your password was not changed" in text and sentence in text
    tree.secretary.refresh_from_db()
    assert tree.secretary.check_password(PASSWORD)


def test_wrong_current_passwords_count_as_failed_sign_ins_and_over_the_limit_none_is_checked() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    for _attempt in range(5):
        assert _change(client, "guess", NEW).status_code == 400
    refused = _change(client, PASSWORD, NEW)  # the right one, but too late
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many failed sign-ins" in refused.content.decode()
    tree.secretary.refresh_from_db()
    assert tree.secretary.check_password(PASSWORD)
    # The sign-in page counts the same failures.
    assert Client().post("/service/sign-in", {"username": "hope-sec", "password": PASSWORD}).status_code == 429
