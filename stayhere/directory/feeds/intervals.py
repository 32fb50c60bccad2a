"""How often a kept-fresh source is synced: "every 6 hours", "daily", "hourly", "every 30 minutes", "manual".

Pure: a schedule is a line of text an operator types (``stayhere sources add --every``, the admin); it becomes a
number of minutes, 0 for "manual" (synced only when named: ``stayhere sync-feeds --source KEY``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

MANUAL = "manual"
SHORTEST_MINUTES = 15  # a feed refreshed more often than this would load its publisher for nothing
LONGEST_MINUTES = 31 * 24 * 60

_WORDS = {"hourly": 60, "daily": 24 * 60, "weekly": 7 * 24 * 60, "twice daily": 12 * 60}
_UNITS = {
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "h": 60, "hour": 60, "hours": 60,
    "d": 24 * 60, "day": 24 * 60, "days": 24 * 60,
    "w": 7 * 24 * 60, "week": 7 * 24 * 60, "weeks": 7 * 24 * 60,
}  # fmt: skip
_EVERY = re.compile(r"^(?:every\s+)?(\d+)?\s*([a-z]+)$")
EXAMPLES = "'every 6 hours', 'daily', 'hourly', 'every 30 minutes' or 'manual'"


def minutes(text: str) -> int:
    """The schedule's interval in minutes (0: manual); ValueError with a sentence when it is not one."""
    spoken = " ".join(text.strip().lower().split())
    if spoken in ("", MANUAL, "never"):
        return 0
    if spoken in _WORDS:
        return _WORDS[spoken]
    found = _EVERY.match(spoken)
    if found is None or found.group(2) not in _UNITS:
        raise ValueError(
            _("%(schedule)r is not a schedule stayhere understands: write %(examples)s.")
            % {"schedule": text.strip(), "examples": EXAMPLES}
        )
    count = int(found.group(1) or 1)
    interval = count * _UNITS[found.group(2)]
    if interval < SHORTEST_MINUTES:
        raise ValueError(
            _("%(schedule)r is too often: a source is synced at most every %(minutes)s minutes.")
            % {"schedule": text.strip(), "minutes": SHORTEST_MINUTES}
        )
    if interval > LONGEST_MINUTES:
        raise ValueError(f"{text.strip()!r} is too rare: sync a source at least every 31 days, or write 'manual'.")
    return interval


def canonical(text: str) -> str:
    """The schedule as stayhere writes it back: 'every 6 hours', 'daily', 'manual' (ValueError as ``minutes``)."""
    interval = minutes(text)
    if interval == 0:
        return MANUAL
    for word, length in _WORDS.items():
        if interval == length and word != "twice daily":
            return word
    for unit, length in (("week", 7 * 24 * 60), ("day", 24 * 60), ("hour", 60), ("minute", 1)):
        if interval % length == 0:
            count = interval // length
            return f"every {count} {unit}{'s' if count != 1 else ''}"
    return f"every {interval} minutes"  # pragma: no cover (the minute divides every interval)
