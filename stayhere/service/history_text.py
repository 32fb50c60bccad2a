"""The history as people read it: each field's label, and each value shown as the servants' pages show it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from stayhere.directory.models import Group, Location, Meeting, ServiceBody
from stayhere.service import listing

_MODELS: dict[str, type[models.Model]] = {
    "service_body": ServiceBody,
    "group": Group,
    "location": Location,
    "meeting": Meeting,
}
_RELATED: dict[str, type[models.Model]] = {
    "parent": ServiceBody,
    "service_body": ServiceBody,
    "group": Group,
    "location": Location,
}


def label(kind: str, name: str) -> str:
    if kind == "meeting" and name in listing.LABELS:
        return listing.label(name)
    if kind == "meeting" and name == "days":
        return listing.label("days")
    try:
        field = _MODELS[kind]._meta.get_field(name)
    except Exception:
        return name
    return str(getattr(field, "verbose_name", name)).capitalize()


def shown(kind: str, name: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == "meeting" and name in ("days", "types", "attendance"):
        return listing.shown(name, value)
    if name in _RELATED and isinstance(value, int):
        related = _RELATED[name]._default_manager.filter(pk=value).first()
        return str(related) if related is not None else _("#%(number)s (since removed)") % {"number": value}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else "—"
    return str(value) if value != "" else "—"


def rows(kind: str, fields: dict[str, list[Any]]) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field of one change."""
    return [
        (label(kind, name), shown(kind, name, before), shown(kind, name, after))
        for name, (before, after) in fields.items()
    ]
