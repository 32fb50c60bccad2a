"""Display names: what is accepted, and a gentle word when a name may say too much.

Plain English sentences, like every message the pure room sends; the page may translate them by their code.
"""

from __future__ import annotations

import re
import unicodedata

from stayhere.rooms.core.words import _, filled

NAME_MAX = 40
NAME_TOO_LONG = filled(_("Keep the name to {limit} characters or fewer."))
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE_DIGITS = 7
# Two or more capitalised words of two letters or more: "John Smith" (but "John S." and "Sam" pass).
_FULL_NAME = re.compile(r"^\s*\w{2,}\s+(?:\w+\s+)*\w{2,}\s*$")


def clean_name(name: str) -> str:
    """Collapses whitespace; raises ValueError with a sentence for a name the room cannot show."""
    name = " ".join(name.split())
    if not name:
        raise ValueError(_("Type a first name or any name you like to be called here."))
    if len(name) > NAME_MAX:
        raise ValueError(NAME_TOO_LONG.format(limit=NAME_MAX))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in name):
        raise ValueError(_("The name has characters that cannot be shown. Use letters, numbers and spaces."))
    return name


def name_advice(name: str) -> str | None:
    """A gentle note (never a refusal) when a display name looks like an email, a phone number or a full name."""
    if _EMAIL.search(name):
        return _("That looks like an email address. Here a first name or any alias is enough; you can rename.")
    if sum(ch.isdigit() for ch in name) >= _PHONE_DIGITS:
        return _("That looks like a phone number. Here a first name or any alias is enough; you can rename.")
    words = name.split()
    if _FULL_NAME.match(name) and sum(1 for w in words if w[:1].isupper() and len(w.rstrip(".")) > 1) >= 2:
        return _("That looks like a full name. Many members use just a first name or an initial; you can rename.")
    return None
