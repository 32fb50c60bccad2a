"""The 7th-tradition handles a listing may publish: a Venmo handle, a Cash App $cashtag, a PayPal.Me name.

Feeds carry whatever was typed into these fields, a password once among them; the finders that read them
(TSML UI, the Meeting Guide app) build a payment link from the handle. A value that is not a handle is kept out
of the directory, so no output (feed, CSV, BMLT, meeting page) republishes it, and the import warns, naming the
meeting but not the value. The handle's own link form is accepted too (venmo.com/NAME, cash.app/$NAME,
paypal.me/NAME), and written as the handle.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_VENMO = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:account\.)?venmo\.com/(?:u/)?@?([A-Za-z0-9_-]{1,30})/?$|^@?([A-Za-z0-9_-]{1,30})$"
)
_SQUARE = re.compile(r"^(?:https?://)?(?:www\.)?cash\.app/\$?([A-Za-z0-9]{1,20})/?$|^\$?([A-Za-z0-9]{1,20})$")
_PAYPAL = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:paypal\.me|paypal\.com/paypalme)/([A-Za-z0-9]{1,20})/?$|^([A-Za-z0-9]{1,20})$"
)

# field: (pattern, prefix, what a handle is, for the warning)
KINDS = {
    "venmo": (_VENMO, "@", gettext_lazy("a Venmo handle (@ and up to 30 letters, digits, - or _)")),
    "square": (_SQUARE, "$", gettext_lazy("a Cash App $cashtag ($ and up to 20 letters or digits, one a letter)")),
    "paypal": (_PAYPAL, "", gettext_lazy("a PayPal.Me name (up to 20 letters or digits)")),
}


def handle(kind: str, value: str) -> str | None:
    """The handle as it is published ('@name', '$name', 'name'); "" for no value; None when it is not one."""
    value = value.strip()
    if not value:
        return ""
    pattern, prefix, _what = KINDS[kind]
    found = pattern.match(value)
    if found is None:
        return None
    name = found.group(1) or found.group(2)
    if kind == "square" and not any(char.isalpha() for char in name):
        return None
    return prefix + name


def warning(kind: str, name: str) -> str:
    return _("is not %(what)s, so it is left out of %(name)r and of every feed") % {
        "what": KINDS[kind][2],
        "name": name,
    }


def validate_venmo(value: str) -> None:
    if handle("venmo", value) is None:
        raise ValidationError(
            _("This is not a Venmo handle: write @ and the name (up to 30 letters, digits, - or _), or leave it empty.")
        )


def validate_square(value: str) -> None:
    if handle("square", value) is None:
        raise ValidationError(
            _("This is not a Cash App $cashtag: write $ and up to 20 letters or digits, or leave it empty.")
        )


def validate_paypal(value: str) -> None:
    if handle("paypal", value) is None:
        raise ValidationError(_("This is not a PayPal.Me name: write up to 20 letters or digits, or leave it empty."))
