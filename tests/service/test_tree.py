"""Growing the service-body tree from the servants' pages: a site admin adds top bodies, a body's admin adds bodies
and groups below it; the outsider and a reviewer cannot; bad input adds nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from stayhere.directory.models import Group, ServiceBody
from stayhere.service import permissions
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db


def test_a_site_admin_adds_a_top_level_body_from_nothing() -> None:
    tree = make_tree()
    client = signed_in(tree.site_admin)
    answer = client.post("/service/", {"body-name": "Lakeside Area", "body-kind": "area"})
    assert answer.status_code == 302
    body = ServiceBody.objects.get(name="Lakeside Area")
    assert body.parent is None and body.kind == "area" and answer["Location"] == f"/service/bodies/{body.slug}"


def test_a_body_admin_adds_a_district_and_a_group_below_their_body() -> None:
    tree = make_tree()
    client = signed_in(tree.north_admin)
    added = client.post(
        "/service/bodies/north", {"action": "add-body", "body-name": "North District 1", "body-kind": "district"}
    )
    assert added.status_code == 302
    district = ServiceBody.objects.get(name="North District 1")
    assert district.parent == tree.north
    grouped = client.post(f"/service/bodies/{district.slug}", {"action": "add-group", "group-name": "Hope Group"})
    assert grouped.status_code == 302
    group = Group.objects.get(service_body=district)
    assert group.slug != tree.hope.slug  # the name is taken: the slug is made unique
    assert permissions.may_edit_group(tree.north_admin, group)
    assert not permissions.may_edit_group(tree.outsider, group)


def test_the_outsider_a_reviewer_and_a_visitor_cannot_grow_the_tree() -> None:
    tree = make_tree()
    data = {"action": "add-group", "group-name": "Intruders"}
    assert signed_in(tree.outsider).post("/service/bodies/north", data).status_code == 403
    assert signed_in(tree.reviewer).post("/service/bodies/north", data).status_code == 403
    assert signed_in(tree.north_admin).post("/service/", {"body-name": "Top", "body-kind": "zone"}).status_code == 403
    assert Client().post("/service/bodies/north", data).status_code == 302
    assert not Group.objects.filter(name="Intruders").exists()
    assert not ServiceBody.objects.filter(name="Top").exists()


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"action": "add-group", "group-name": ""}, "Give the group's name"),
        ({"action": "add-body", "body-name": "", "body-kind": "district"}, "Give the service body's name"),
        ({"action": "add-body", "body-name": "X", "body-kind": "galaxy"}, "Select a valid choice"),
    ],
)
def test_bad_input_adds_nothing_to_the_tree(data: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    before = (ServiceBody.objects.count(), Group.objects.count())
    answer = signed_in(tree.north_admin).post("/service/bodies/north", data)
    assert answer.status_code == 400
    assert sentence in answer.content.decode().replace("&#x27;", "'")
    assert (ServiceBody.objects.count(), Group.objects.count()) == before
