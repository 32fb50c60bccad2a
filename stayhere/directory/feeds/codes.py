"""Meeting type codes as feeds write them: a feed's codes sorted into types, the online marker and group
assertions; English names both ways (the 12 Step Meeting List writes names); NA World Services codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import translation

from stayhere.directory.feeds.common import clean_line
from stayhere.directory.types import CATALOG, GROUP_ASSERTED, ONLINE_CODE, Facet, canonical_code


@dataclass(slots=True)
class SortedTypes:
    types: list[str] = field(default_factory=list)
    online: bool = False
    group_codes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def sort_codes(raw_codes: list[str]) -> SortedTypes:
    """Feed codes, canonicalised, sorted into meeting types, the online marker and group assertions.

    The answer is the caller's own (a feed repeats the same few lists of codes: those are cached).
    """
    cached = _sort_codes_cached(tuple(raw_codes))
    return SortedTypes(list(cached.types), cached.online, list(cached.group_codes), list(cached.unknown))


@lru_cache(maxsize=8192)
def _sort_codes_cached(raw_codes: tuple[str, ...]) -> SortedTypes:
    result = SortedTypes()
    for raw in raw_codes:
        code = canonical_code(raw)
        if not code:
            continue
        if code.upper() == ONLINE_CODE:
            result.online = True
        elif code in GROUP_ASSERTED:
            if code not in result.group_codes:
                result.group_codes.append(code)
        elif code not in result.types:
            result.types.append(code)
            if code not in CATALOG:
                result.unknown.append(code)
    return result


def sorted_types_of(value: Any) -> SortedTypes:
    """``sort_codes(type_codes_from_value(value))``, the caller's own; a feed's list of code strings (the common case:
    a few lists repeat over a whole feed) is looked up by the list itself, cleaned and sorted once."""
    if type(value) is list and all(type(item) is str for item in value):
        cached = _sorted_list(tuple(value))
        return SortedTypes(list(cached.types), cached.online, list(cached.group_codes), list(cached.unknown))
    return sort_codes(type_codes_from_value(value))


@lru_cache(maxsize=8192)
def _sorted_list(value: tuple[str, ...]) -> SortedTypes:
    return _sort_codes_cached(tuple(type_codes_from_value(list(value))))


def type_codes_from_value(value: Any) -> list[str]:
    """Codes from an array, a bare string "C", "O, D" or "[open]" (a bracketed English word)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [code for code in map(clean_line, value) if code]
    text = clean_line(value)
    if text.startswith("[") and text.endswith("]"):
        words = [w.strip().strip("\"'") for w in text[1:-1].split(",")]
        return [TYPE_NAME_TO_CODE.get(word.lower(), word) for word in words if word]
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


def _english_names() -> dict[str, str]:
    with translation.override("en"):
        names = {str(entry.name).lower(): code for code, entry in CATALOG.items()}
    # Names the 12 Step Meeting List plugin and older templates use for the same codes.
    names.update(
        {
            "open": "O",
            "closed": "C",
            "online meeting": ONLINE_CODE,
            "online": ONLINE_CODE,
            "temporary closure": "TC",
            "location temporarily closed": "TC",
            "wheelchair accessible": "X",
            "wheelchair access": "X",
            "men": "M",
            "women": "W",
            "young people": "Y",
            "lgbtq": "LGBTQ",
            "child care available": "BA",
            "spanish": "S",
            "english": "EN",
            "step meeting": "ST",
            "beginner": "BE",
            "beginners": "BE",
        }
    )
    return names


TYPE_NAME_TO_CODE = _english_names()


@lru_cache(maxsize=1)
def _code_to_english() -> dict[str, str]:
    with translation.override("en"):
        return {code: str(entry.name) for code, entry in CATALOG.items()}


def type_name(code: str) -> str:
    """The English name of a code for the CSV export (custom codes stay as they are)."""
    return _code_to_english().get(code, code)


# BMLT formats <-> stayhere codes, one table read both ways. A row: the NA World Services id
# (BMLT's world_id, the NAWS CSV's Format columns), the key_string a BMLT server shows, stayhere's
# code, BMLT's format_type_enum. Imports read world ids through it (NAWS_CODES); the BMLT API writes
# each code as the first row that names it. A row with no key is an import-only alias; a row with no
# world id is a key of stayhere's own where the code's own spelling means something else in BMLT
# ("B" is Beginners there, Big Book here). Codes without a row are served keyed as themselves.
# ONL (online) and HYBRID stand for the attendance, not a type: BMLT's VM and HY formats.
HYBRID = "HYBRID"
BMLT_FORMATS: tuple[tuple[str, str, str, str], ...] = (
    ("OPEN", "O", "O", "O"),
    ("CLOSED", "C", "C", "O"),
    ("BEG", "B", "BE", "FC3"),
    ("DISC", "D", "D", "FC1"),
    ("SPK", "So", "SP", "FC1"),
    ("STEP", "St", "ST", "FC1"),
    ("TRAD", "Tr", "TR", "FC1"),
    ("WCHR", "WC", "X", "FC2"),
    ("MED", "Me", "MED", "FC1"),
    ("M", "M", "M", "FC3"),
    ("W", "W", "W", "FC3"),
    ("GL", "GL", "LGBTQ", "FC3"),
    ("Y", "YP", "Y", "FC3"),
    ("CAN", "CL", "CAN", "FC2"),
    ("CW", "CW", "CF", "FC3"),
    ("SMOK", "SM", "SM", "FC2"),
    ("LIT", "BK", "LIT", "FC1"),
    ("ASL", "ASL", "ASL", "LANG"),
    ("VM", "VM", ONLINE_CODE, "FC2"),
    ("HYBR", "HY", HYBRID, "FC2"),
    ("TC", "TC", "TC", "FC2"),
    ("", "BB", "B", "FC1"),
    # Import-only: other spellings of the same world ids.
    ("OP", "", "O", ""),
    ("CL", "", "C", ""),
    ("SPAD", "", "SP", ""),
    ("NEWC", "", "BE", ""),
    ("ST", "", "ST", ""),
    ("TOP", "", "D", ""),
    ("WC", "", "X", ""),
    ("MEN", "", "M", ""),
    ("WMN", "", "W", ""),
    ("LGBTQ", "", "LGBTQ", ""),
    ("YP", "", "Y", ""),
)

# NA World Services ids -> stayhere codes (BMLT world ids, NAWS CSV Format columns). Ids without a
# stayhere equivalent (BT, JFT, IP, ...) are kept as custom codes.
NAWS_CODES = {world: code for world, _key, code, _kind in BMLT_FORMATS if world and code != HYBRID}
# BMLT's fixed venue keys, for a search result that comes without its format catalogue ("" drops it:
# venue_type says hybrid).
BMLT_VENUE_KEYS = {
    key: "" if code == HYBRID else code for _world, key, code, kind in BMLT_FORMATS if key in ("VM", "HY", "TC")
}

# World ids that say only what a BMLT meeting's venue_type says (hybrid): no type of their own.
BMLT_VENUE_ONLY_WORLDS = frozenset(world for world, _key, code, _kind in BMLT_FORMATS if code == HYBRID)


@dataclass(frozen=True)
class BmltFormat:
    key_string: str
    world_id: str
    code: str  # stayhere's
    format_type: str


@lru_cache(maxsize=4096)
def bmlt_format(code: str) -> BmltFormat:
    """How the BMLT API writes one of stayhere's codes (or ONLINE_CODE / HYBRID)."""
    for world, key, mapped, kind in BMLT_FORMATS:
        if key and mapped == code:
            return BmltFormat(key, world, code, kind)
    entry = CATALOG.get(code)
    kind = "LANG" if entry is not None and entry.facet == Facet.LANGUAGE else "FC1"
    return BmltFormat(code, "", code, kind)


_CODE_OF_KEY = {key: code for _world, key, code, _kind in reversed(BMLT_FORMATS) if key}


def bmlt_code(key_string: str) -> str:
    """The code a key of ``bmlt_format`` stands for (the way back)."""
    return _CODE_OF_KEY.get(key_string, key_string)
