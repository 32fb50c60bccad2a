"""The service-body tree as servants grow it: a site admin adds the top bodies, a body's admin adds the bodies
and groups below it (the Django admin can do the same; these pages need no staff account)."""

from __future__ import annotations

from django.utils.text import slugify

from stayhere.directory.models import Group, ServiceBody


def _free_slug(model: type[ServiceBody] | type[Group], name: str, limit: int) -> str:
    base = (slugify(name) or "body")[: limit - 4]
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def add_body(parent: ServiceBody | None, name: str, kind: str) -> ServiceBody:
    return ServiceBody.objects.create(
        name=name.strip(), slug=_free_slug(ServiceBody, name, 100), kind=kind, parent=parent
    )


def add_group(body: ServiceBody, name: str) -> Group:
    return Group.objects.create(name=name.strip(), slug=_free_slug(Group, name, 120), service_body=body)
