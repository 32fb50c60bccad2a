from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from stayhere.directory.models import Group
from stayhere.slips import keystore

register = template.Library()


@register.inclusion_tag("slips/group_keys.html")
def slip_keys(group: Group | None) -> dict[str, Any]:
    """The group's slip keys for its meeting page, when it gives slips."""
    found = None if group is None else keystore.settings_of(group)
    if group is None or found is None or not found.enabled:
        return {"keys": []}
    return {"keys": list(group.signing_keys.filter(revoked_at=None).order_by("-created_at")), "group": group}


def _slip_labels() -> dict[str, str]:
    return {
        "title": _("Attendance slip"),
        "name": _("Name"),
        "salt": _("Salt (for checking the name)"),
        "group": _("Group"),
        "meeting": _("Meeting"),
        "date": _("Date"),
        "times": _("Local start and end"),
        "minutes": _("Minutes present"),
        "key": _("Signing key"),
        "qr": _("QR code of the signed slip: it opens the verify page"),
        "print": _("Print or save as PDF"),
        "save": _("Save the slip file"),
        "note": _(
            "Signed by the group's key during the meeting. The group keeps no record of who asked. To check it: "
            "scan the code or open the address below, then type the name and the salt printed above."
        ),
    }


def _verify_labels() -> dict[str, str]:
    return {
        "group": _("Group"),
        "meeting": _("Meeting"),
        "date": _("Date"),
        "times": _("Local start and end"),
        "minutes": _("Minutes present"),
        "key": _("Key"),
        "match": _("The name matches: this slip was made for the name you typed."),
        "wrong_name": _(
            "The name does not match: this slip was not made for that name (or the salt was typed wrongly). "
            "Check the spelling of both against the slip."
        ),
        "bad_salt": _("The salt is the group of letters and digits printed next to the name on the slip."),
        "no_name": _("Type the name the attendee gave you, and the salt, to check that the slip was made for it."),
    }


def _labels(element_id: str, labels: dict[str, str]) -> SafeString:
    # A data attribute rather than a JSON script element: the room page carries no script element with a body.
    return format_html('<div id="{}" hidden data-labels="{}"></div>', element_id, json.dumps(labels))


@register.simple_tag
def slip_labels() -> SafeString:
    return _labels("slip-labels", _slip_labels())


@register.simple_tag
def verify_labels() -> SafeString:
    return _labels("verify-labels", _verify_labels())
