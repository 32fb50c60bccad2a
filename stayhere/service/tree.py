"""The service-body tree as servants grow it: a site admin adds the top bodies, a body's admin adds the bodies
and groups below it (the Django admin can do the same; these pages need no staff account)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from stayhere.directory.models import Group, ServiceBody
from stayhere.service import history


def _free_slug(model: type[ServiceBody] | type[Group], name: str, limit: int) -> str:
    base = (slugify(name) or "body")[: limit - 4]
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def add_body(parent: ServiceBody | None, name: str, kind: str, who: str = "") -> ServiceBody:
    """The new body, recorded in the listings' history as added by the servant ``who``."""
    with transaction.atomic():
        body = ServiceBody.objects.create(
            name=name.strip(), slug=_free_slug(ServiceBody, name, 100), kind=kind, parent=parent
        )
        if who:
            history.record_created(body, who, via=history.Via.PAGE)
    return body


def add_group(body: ServiceBody, name: str, who: str = "") -> Group:
    """The new group, recorded in the listings' history as added by the servant ``who``."""
    with transaction.atomic():
        group = Group.objects.create(name=name.strip(), slug=_free_slug(Group, name, 120), service_body=body)
        if who:
            history.record_created(group, who, via=history.Via.PAGE)
    return group
