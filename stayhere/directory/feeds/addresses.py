"""Addresses and links as feeds write them: one-line addresses split, placeholders for "online", links cleaned."""

from __future__ import annotations

import re

_STATE_POSTAL = re.compile(r"^([A-Z]{2})\s+([0-9A-Z][0-9A-Z \-]{2,9})$")
_COUNTRIES = {"usa": "US", "us": "US", "united states": "US", "canada": "CA", "ca": "CA"}
ONLINE_PLACEHOLDERS = frozenset(
    {"online", "online-only", "online only", "zoom", "virtual", "internet", "web", "online meeting", "n/a"}
)


def split_address(formatted: str) -> dict[str, str]:
    """'2634 Union Ave, San Jose, CA 95124, USA' -> street, city, state, postal code, country.

    Only the North American shape is split; anything else stays whole in ``address``.
    """
    parts = [part.strip() for part in formatted.split(",") if part.strip()]
    if len(parts) >= 3:
        country = ""
        if parts[-1].lower() in _COUNTRIES:
            country = _COUNTRIES[parts.pop().lower()]
        if len(parts) >= 3:
            match = _STATE_POSTAL.match(parts[-1])
            if match:
                return {
                    "address": ", ".join(parts[:-2]),
                    "city": parts[-2],
                    "state": match.group(1),
                    "postal_code": match.group(2),
                    "country": country,
                }
    return {"address": formatted.strip()}


def is_placeholder_address(*values: str) -> bool:
    """True when the address fields only say 'online' or 'zoom' instead of naming a place."""
    words = [value.strip().lower() for value in values if value and value.strip()]
    return bool(words) and all(word in ONLINE_PLACEHOLDERS for word in words)


def clean_url(value: str) -> str:
    """The first http(s) link in a value, with its scheme in lower case; '' when there is none.

    Feeds write "Http://…", or the same link twice separated by a comma.
    """
    if value.startswith(("https://", "http://")) and value.isprintable() and " " not in value and "," not in value:
        # One link already clean, the common case: no space of any kind (isprintable), no comma, a lower-case scheme.
        return value if value.partition("://")[2] else ""
    for token in re.split(r"[\s,]+", value.strip()):
        scheme, _, rest = token.partition("://")
        if scheme.lower() in ("http", "https") and rest:
            return f"{scheme.lower()}://{rest}"
    return ""
