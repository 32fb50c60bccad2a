"""Invitations into a subtree (single use, expiring, only a hash kept), servants' sign-in, the first site admin."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from stayhere.service import invitations, permissions
from stayhere.service.models import Invitation, Role, RoleKind
from tests.service.factories import PASSWORD, make_tree, signed_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r'value="(http://testserver/service/invitations/[^"]+)"')


def invite_link(client: Client, slug: str, **data: str) -> str:
    answer = client.post(f"/service/bodies/{slug}", data)
    assert answer.status_code == 200, answer.content.decode()
    found = LINK.search(answer.content.decode())
    assert found, "no invitation link on the page"
    return found.group(1).removeprefix("http://testserver")


def test_a_body_admin_invites_a_secretary_who_makes_an_account_and_can_edit_the_group() -> None:
    tree = make_tree()
    link = invite_link(signed_in(tree.north_admin), "north", kind="secretary", group="hope", ends_on="2099-06-30")
    token = link.rsplit("/", 1)[1]
    stored = Invitation.objects.get()
    assert stored.token_hash == invitations.token_hash(token) and token not in stored.token_hash
    newcomer = Client()
    assert "You are invited to serve as Group secretary for Hope Group." in newcomer.get(link).content.decode()
    answer = newcomer.post(link, {"handle": "new-sec", "email": "", "password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/service/groups/hope"
    user = get_user_model().objects.get(username="new-sec")
    assert user.email == "" and not user.is_staff
    role = Role.objects.get(user=user)
    assert role.kind == RoleKind.SECRETARY and role.group == tree.hope and str(role.ends_on) == "2099-06-30"
    assert newcomer.get("/service/groups/hope").status_code == 200
    assert permissions.may_edit_meeting(user, tree.meeting)
    assert not permissions.may_edit_meeting(user, tree.other_meeting)


def test_an_invitation_works_once() -> None:
    tree = make_tree()
    link = invite_link(signed_in(tree.north_admin), "north", kind="reviewer", body="north")
    Client().post(link, {"handle": "first", "password": PASSWORD, "password_again": PASSWORD})
    again = Client().post(link, {"handle": "second", "password": PASSWORD, "password_again": PASSWORD})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert not get_user_model().objects.filter(username="second").exists()


def test_an_expired_or_unknown_invitation_is_refused_with_a_sentence() -> None:
    tree = make_tree()
    issued = invitations.invite(tree.north_admin, RoleKind.REVIEWER, body=tree.north)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Client().get(f"/service/invitations/{issued.token}")
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    unknown = Client().get("/service/invitations/not-a-real-token")
    assert unknown.status_code == 410 and "not known here" in unknown.content.decode()


def test_the_outsider_cannot_invite_into_another_subtree() -> None:
    tree = make_tree()
    outsider = signed_in(tree.outsider)
    assert outsider.post("/service/bodies/north", {"kind": "secretary", "group": "hope"}).status_code == 403
    # Nor by naming the other subtree's group from the outsider's own body page: it is not among the choices.
    answer = outsider.post("/service/bodies/south", {"kind": "secretary", "group": "hope"})
    assert answer.status_code == 400
    assert Invitation.objects.count() == 0
    assert signed_in(tree.secretary).get("/service/bodies/north").status_code == 403
    assert (
        signed_in(tree.reviewer).post("/service/bodies/north", {"kind": "reviewer", "body": "north"}).status_code == 403
    )


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"kind": "secretary"}, "Choose the group whose secretary you are inviting."),
        ({"kind": "reviewer"}, "Choose the service body the role is over."),
        ({"kind": "reviewer", "body": "north", "ends_on": "2000-01-01"}, "The end date is in the past"),
        ({"kind": "reviewer", "body": "north", "ends_on": "soon"}, "year-month-day"),
        ({"kind": "overlord", "body": "north"}, "Select a valid choice"),
    ],
)
def test_a_bad_invitation_form_makes_no_invitation(data: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    answer = signed_in(tree.north_admin).post("/service/bodies/north", data)
    assert answer.status_code == 400
    assert sentence in answer.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"handle": "a b", "password": PASSWORD, "password_again": PASSWORD}, "no spaces"),
        ({"handle": "hope-sec", "password": PASSWORD, "password_again": PASSWORD}, "That handle is taken"),
        ({"handle": "fresh", "password": PASSWORD, "password_again": PASSWORD + "x"}, "The two passwords differ"),
        ({"handle": "fresh", "password": "short", "password_again": "short"}, "too short"),
        ({"handle": "fresh", "email": "nope", "password": PASSWORD, "password_again": PASSWORD}, "name@example.org"),
    ],
)
def test_a_bad_acceptance_makes_no_account_and_keeps_the_invitation_usable(data: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    issued = invitations.invite(tree.north_admin, RoleKind.REVIEWER, body=tree.north)
    answer = Client().post(f"/service/invitations/{issued.token}", data)
    assert answer.status_code == 400
    assert sentence in answer.content.decode()
    assert Role.objects.filter(kind=RoleKind.REVIEWER).count() == 1  # only the tree's reviewer
    assert invitations.usable(issued.token).used_at is None


def test_a_signed_in_servant_accepting_gets_the_role_added() -> None:
    tree = make_tree()
    issued = invitations.invite(tree.north_admin, RoleKind.REVIEWER, body=tree.north)
    answer = signed_in(tree.secretary).post(f"/service/invitations/{issued.token}", {})
    assert answer.status_code == 302
    assert permissions.may_review(tree.secretary, tree.north)


def test_a_servant_signs_in_with_a_handle_and_a_wrong_password_is_refused() -> None:
    tree = make_tree()
    client = Client()
    wrong = client.post("/service/sign-in", {"username": "hope-sec", "password": "wrong password"})
    assert wrong.status_code == 400
    assert "correct username and password" in wrong.content.decode()
    right = client.post("/service/sign-in?next=/service/groups/hope", {"username": "hope-sec", "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == "/service/groups/hope"
    assert client.get("/service/").status_code == 200
    assert tree


def test_servants_sign_in_is_limited_like_the_admin_s() -> None:
    from tests.signin_counts import forget_counters

    forget_counters()
    make_tree()
    client = Client()
    try:
        for _attempt in range(5):
            client.post("/service/sign-in", {"username": "hope-sec", "password": "guess"})
        refused = client.post("/service/sign-in", {"username": "hope-sec", "password": PASSWORD})
        assert refused.status_code == 429
        assert "Too many failed sign-ins for this account name" in refused.content.decode()
    finally:
        forget_counters()


def test_create_site_admin_makes_the_first_servant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command("create_site_admin", "first-admin", password_stdin=True, stdout=out)
    assert "first-admin is a site admin" in out.getvalue()
    user = get_user_model().objects.get(username="first-admin")
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("handle", "password", "sentence"),
    [("two words", PASSWORD, "cannot be a handle"), ("fine", "short", "The password was refused")],
)
def test_create_site_admin_refuses_bad_input_with_a_sentence(
    monkeypatch: pytest.MonkeyPatch, handle: str, password: str, sentence: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError, match=sentence):
        call_command("create_site_admin", handle, password_stdin=True)
    assert get_user_model().objects.count() == 0


def test_a_secretary_hands_the_role_over_in_one_action_and_it_ends_when_the_successor_accepts() -> None:
    tree = make_tree()
    role = Role.objects.get(user=tree.secretary)
    old = signed_in(tree.secretary)
    answer = old.post(f"/service/roles/{role.pk}/hand-over")
    assert answer.status_code == 200
    found = LINK.search(answer.content.decode())
    assert found
    link = found.group(1).removeprefix("http://testserver")
    assert permissions.may_edit_meeting(tree.secretary, tree.meeting)  # until the successor accepts
    # The predecessor cannot accept their own hand-over.
    refused = old.post(link, {})
    assert refused.status_code == 410 and "hands over your own role" in refused.content.decode()
    successor = Client()
    done = successor.post(link, {"handle": "next-sec", "password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    assert not permissions.may_edit_meeting(tree.secretary, tree.meeting)
    assert old.get("/service/meetings/hope-tuesday").status_code == 403
    assert successor.get("/service/meetings/hope-tuesday").status_code == 200


def test_only_the_holder_or_an_admin_above_may_hand_a_role_over() -> None:
    tree = make_tree()
    role = Role.objects.get(user=tree.secretary)
    assert signed_in(tree.outsider).post(f"/service/roles/{role.pk}/hand-over").status_code == 403
    assert signed_in(tree.reviewer).post(f"/service/roles/{role.pk}/hand-over").status_code == 403
    assert signed_in(tree.lapsed).post(f"/service/roles/{role.pk}/hand-over").status_code == 403
    assert signed_in(tree.north_admin).post(f"/service/roles/{role.pk}/hand-over").status_code == 200
    lapsed_role = Role.objects.get(user=tree.lapsed)
    assert signed_in(tree.lapsed).post(f"/service/roles/{lapsed_role.pk}/hand-over").status_code == 403
    assert Invitation.objects.count() == 1
