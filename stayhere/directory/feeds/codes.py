"""Meeting type codes as feeds write them: a feed's codes sorted into types, the online marker and group
assertions; English names both ways (the 12 Step Meeting List writes names); NA World Services codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import translation

from stayhere.directory.feeds.common import clean_line
from stayhere.directory.types import CATALOG, GROUP_ASSERTED, ONLINE_CODE, canonical_code


@dataclass
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


# NA World Services format codes (BMLT world ids, NAWS CSV Format columns) -> Meeting Guide codes.
# Codes without a Meeting Guide equivalent (BT, JFT, IP, ...) are kept as custom codes.
NAWS_CODES = {
    "OPEN": "O",
    "OP": "O",
    "CLOSED": "C",
    "CL": "C",
    "DISC": "D",
    "SPK": "SP",
    "SPAD": "SP",
    "BEG": "BE",
    "NEWC": "BE",
    "STEP": "ST",
    "ST": "ST",
    "TRAD": "TR",
    "TOP": "D",
    "WCHR": "X",
    "WC": "X",
    "MED": "MED",
    "M": "M",
    "W": "W",
    "MEN": "M",
    "WMN": "W",
    "GL": "LGBTQ",
    "LGBTQ": "LGBTQ",
    "YP": "Y",
    "CAN": "CAN",
    "CW": "CF",
    "SMOK": "SM",
    "ASL": "ASL",
    "LIT": "LIT",
    "VM": ONLINE_CODE,
    "TC": "TC",
}
