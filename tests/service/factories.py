"""A small service structure for the servants' tests: a region with two intergroups, each with a group and a
meeting, and a servant for each role, including the outsider who serves the other intergroup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from stayhere.directory.models import Group, Meeting, ServiceBody
from stayhere.service.models import Role, RoleKind
from tests.directory.factories import make_location, make_meeting

PASSWORD = "correct horse battery staple"


@dataclass
class Tree:
    region: ServiceBody
    north: ServiceBody  # the intergroup the servants below serve
    south: ServiceBody  # the outsider's intergroup
    hope: Group  # in north
    other: Group  # in south
    meeting: Meeting  # Hope's
    other_meeting: Meeting  # Other's
    site_admin: Any
    north_admin: Any
    secretary: Any  # Hope's secretary
    reviewer: Any  # reviewer in north
    outsider: Any  # south's admin
    lapsed: Any  # was north's admin until yesterday


def servant(handle: str, *roles: tuple[str, ServiceBody | Group], ends_on: dt.date | None = None) -> Any:
    user = get_user_model().objects.create_user(username=handle, password=PASSWORD)
    for kind, over in roles:
        if isinstance(over, Group):
            Role.objects.create(user=user, kind=kind, group=over, ends_on=ends_on)
        else:
            Role.objects.create(user=user, kind=kind, service_body=over, ends_on=ends_on)
    return user


def make_tree() -> Tree:
    region = ServiceBody.objects.create(name="Prairie Region", slug="prairie", kind=ServiceBody.Kind.REGION)
    north = ServiceBody.objects.create(name="North Intergroup", slug="north", parent=region)
    south = ServiceBody.objects.create(name="South Intergroup", slug="south", parent=region)
    hope = Group.objects.create(name="Hope Group", slug="hope", service_body=north)
    other = Group.objects.create(name="Other Group", slug="other", service_body=south)
    meeting = make_meeting("Hope Tuesday", slug="hope-tuesday", group=hope, location=make_location(), days=[2])
    other_meeting = make_meeting("Other Friday", slug="other-friday", group=other, location=make_location(), days=[5])
    site_admin = get_user_model().objects.create_superuser(username="webservant", password=PASSWORD)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    return Tree(
        region=region,
        north=north,
        south=south,
        hope=hope,
        other=other,
        meeting=meeting,
        other_meeting=other_meeting,
        site_admin=site_admin,
        north_admin=servant("north-chair", (RoleKind.BODY_ADMIN, north)),
        secretary=servant("hope-sec", (RoleKind.SECRETARY, hope)),
        reviewer=servant("north-review", (RoleKind.REVIEWER, north)),
        outsider=servant("south-chair", (RoleKind.BODY_ADMIN, south)),
        lapsed=servant("old-chair", (RoleKind.BODY_ADMIN, north), ends_on=yesterday),
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
