"""Every permission, decided in stayhere.service.permissions, with the outsider (a servant of another subtree)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from stayhere.service import permissions
from stayhere.service.models import Role, RoleKind
from tests.service.factories import make_tree, servant

pytestmark = pytest.mark.django_db


def test_a_secretary_edits_their_group_s_meetings_and_no_other() -> None:
    tree = make_tree()
    assert permissions.may_edit_group(tree.secretary, tree.hope)
    assert permissions.may_edit_meeting(tree.secretary, tree.meeting)
    assert not permissions.may_edit_group(tree.secretary, tree.other)
    assert not permissions.may_edit_meeting(tree.secretary, tree.other_meeting)
    assert not permissions.may_review(tree.secretary, tree.north)
    assert not permissions.may_review_meeting(tree.secretary, tree.meeting)


def test_a_body_admin_acts_on_their_body_and_below_and_the_outsider_does_not() -> None:
    tree = make_tree()
    assert permissions.may_administer_body(tree.north_admin, tree.north)
    assert permissions.may_edit_group(tree.north_admin, tree.hope)
    assert permissions.may_edit_meeting(tree.north_admin, tree.meeting)
    assert permissions.may_review(tree.north_admin, tree.north)
    for user in (tree.outsider,):
        assert not permissions.may_administer_body(user, tree.north)
        assert not permissions.may_edit_group(user, tree.hope)
        assert not permissions.may_edit_meeting(user, tree.meeting)
        assert not permissions.may_review(user, tree.north)
        assert not permissions.may_review_meeting(user, tree.meeting)
        assert not permissions.may_invite(user, RoleKind.SECRETARY, group=tree.hope)
        assert not permissions.may_invite(user, RoleKind.REVIEWER, body=tree.north)
    # Nor does a body admin reach up or sideways.
    assert not permissions.may_administer_body(tree.north_admin, tree.region)
    assert not permissions.may_edit_meeting(tree.north_admin, tree.other_meeting)


def test_an_admin_of_the_body_above_reaches_every_body_below_it() -> None:
    tree = make_tree()
    regional = servant("region-chair", (RoleKind.BODY_ADMIN, tree.region))
    for meeting in (tree.meeting, tree.other_meeting):
        assert permissions.may_edit_meeting(regional, meeting)
        assert permissions.may_review_meeting(regional, meeting)
    assert permissions.may_invite(regional, RoleKind.BODY_ADMIN, body=tree.south)


def test_a_reviewer_reviews_but_does_not_edit_or_invite() -> None:
    tree = make_tree()
    assert permissions.may_review(tree.reviewer, tree.north)
    assert permissions.may_review_meeting(tree.reviewer, tree.meeting)
    assert not permissions.may_review_meeting(tree.reviewer, tree.other_meeting)
    assert not permissions.may_edit_meeting(tree.reviewer, tree.meeting)
    assert not permissions.may_administer_body(tree.reviewer, tree.north)
    assert not permissions.may_invite(tree.reviewer, RoleKind.SECRETARY, group=tree.hope)


def test_a_role_past_its_end_date_counts_for_nothing() -> None:
    tree = make_tree()
    assert not permissions.may_administer_body(tree.lapsed, tree.north)
    assert not permissions.may_edit_meeting(tree.lapsed, tree.meeting)
    Role.objects.filter(user=tree.lapsed).update(ends_on=dt.date.today())  # the last day still counts
    assert permissions.may_edit_meeting(tree.lapsed, tree.meeting)


def test_a_site_admin_acts_everywhere_and_a_visitor_nowhere() -> None:
    tree = make_tree()
    anonymous = AnonymousUser()
    for meeting in (tree.meeting, tree.other_meeting):
        assert permissions.may_edit_meeting(tree.site_admin, meeting)
        assert not permissions.may_edit_meeting(anonymous, meeting)
        assert not permissions.may_review_meeting(anonymous, meeting)
    assert permissions.may_invite(tree.site_admin, RoleKind.SECRETARY, group=tree.other)
    assert not permissions.may_invite(anonymous, RoleKind.SECRETARY, group=tree.other)


def test_a_deactivated_account_holds_no_role() -> None:
    tree = make_tree()
    tree.secretary.is_active = False
    tree.secretary.save()
    assert not permissions.may_edit_meeting(tree.secretary, tree.meeting)


def test_a_meeting_listed_under_a_body_directly_belongs_to_that_body() -> None:
    tree = make_tree()
    tree.other_meeting.group = None
    tree.other_meeting.service_body = tree.north
    tree.other_meeting.save()
    assert permissions.may_edit_meeting(tree.north_admin, tree.other_meeting)
    assert not permissions.may_edit_meeting(tree.outsider, tree.other_meeting)
    assert not permissions.may_edit_meeting(tree.secretary, tree.other_meeting)


def test_a_role_is_handed_over_by_its_holder_or_an_admin_above_and_not_by_the_outsider() -> None:
    tree = make_tree()
    role = Role.objects.get(user=tree.secretary)
    assert permissions.may_hand_over(tree.secretary, role)
    assert permissions.may_hand_over(tree.north_admin, role)
    assert permissions.may_hand_over(tree.site_admin, role)
    assert not permissions.may_hand_over(tree.outsider, role)
    assert not permissions.may_hand_over(tree.reviewer, role)
    assert not permissions.may_hand_over(tree.lapsed, Role.objects.get(user=tree.lapsed))
