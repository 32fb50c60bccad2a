"""Meeting types as facets, and their lossless mapping to Meeting Guide type codes.

The 87 codes of the code4recovery specification, its proposed accessibility and sign
language codes, and two codes of stayhere's own that only a group may assert. A code a
feed uses that is none of these is kept verbatim as a custom type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Facet(StrEnum):
    ACCESS = "access"  # open or closed
    FORMAT = "format"
    FEATURE = "feature"  # accessibility and amenities
    COMMUNITY = "community"
    LANGUAGE = "language"
    GROUP = "group"  # asserted by the group itself (stayhere's own codes)
    CUSTOM = "custom"  # a code no catalogue knows; kept as the feed wrote it


@dataclass(frozen=True)
class MeetingType:
    code: str
    name: str | Promise
    facet: Facet
    spec: bool = True  # in the code4recovery specification's 87 codes


# stayhere's own codes: four or more letters, so they can collide neither with a
# specification code nor with an ISO 639 language code (two or three letters).
MOUD_WELCOME = "MOUD"
HARM_REDUCTION = "HRED"
GROUP_ASSERTED = (MOUD_WELCOME, HARM_REDUCTION)

OPEN, CLOSED = "O", "C"
TEMPORARILY_CLOSED = "TC"

_A, _F, _X, _C, _L, _G = Facet.ACCESS, Facet.FORMAT, Facet.FEATURE, Facet.COMMUNITY, Facet.LANGUAGE, Facet.GROUP

_SPEC: list[tuple[str, str | Promise, Facet]] = [
    ("O", _("Open"), _A),
    ("C", _("Closed"), _A),
    ("11", _("11th Step Meditation"), _F),
    ("12x12", _("12 Steps & 12 Traditions"), _F),
    ("A", _("Secular"), _F),
    ("ABSI", _("As Bill Sees It"), _F),
    ("B", _("Big Book"), _F),
    ("BE", _("Newcomer"), _F),
    ("D", _("Discussion"), _F),
    ("DR", _("Daily Reflections"), _F),
    ("GR", _("Grapevine"), _F),
    ("H", _("Birthday"), _F),
    ("LIT", _("Literature"), _F),
    ("LS", _("Living Sober"), _F),
    ("MED", _("Meditation"), _F),
    ("SP", _("Speaker"), _F),
    ("ST", _("Step Study"), _F),
    ("TR", _("Tradition Study"), _F),
    ("XT", _("Cross Talk Permitted"), _F),
    ("AL", _("Concurrent with Alateen"), _X),
    ("AL-AN", _("Concurrent with Al-Anon"), _X),
    ("BA", _("Babysitting Available"), _X),
    ("BRK", _("Breakfast"), _X),
    ("CAN", _("Candlelight"), _X),
    ("CF", _("Child-Friendly"), _X),
    ("DB", _("Digital Basket"), _X),
    ("FF", _("Fragrance Free"), _X),
    ("OUT", _("Outdoor"), _X),
    ("POA", _("Proof of Attendance"), _X),
    ("SM", _("Smoking Permitted"), _X),
    ("TC", _("Location Temporarily Closed"), _X),
    ("X", _("Wheelchair Access"), _X),
    ("XB", _("Wheelchair-Accessible Bathroom"), _X),
    ("ASL", _("American Sign Language"), _L),
    ("BI", _("Bisexual"), _C),
    ("DD", _("Dual Diagnosis"), _C),
    ("G", _("Gay"), _C),
    ("L", _("Lesbian"), _C),
    ("LGBTQ", _("LGBTQIAA+"), _C),
    ("M", _("Men"), _C),
    ("N", _("Native American"), _C),
    ("NB", _("Non-Binary"), _C),
    ("NDG", _("Indigenous"), _C),
    ("P", _("Professionals"), _C),
    ("POC", _("People of Color"), _C),
    ("SEN", _("Seniors"), _C),
    ("T", _("Transgender"), _C),
    ("W", _("Women"), _C),
    ("Y", _("Young People"), _C),
    ("AF", _("Afrikaans"), _L),
    ("AM", _("Amharic"), _L),
    ("AR", _("Arabic"), _L),
    ("BG", _("Bulgarian"), _L),
    ("DA", _("Danish"), _L),
    ("DE", _("German"), _L),
    ("EL", _("Greek"), _L),
    ("EN", _("English"), _L),
    ("FA", _("Persian"), _L),
    ("FI", _("Finnish"), _L),
    ("FR", _("French"), _L),
    ("HE", _("Hebrew"), _L),
    ("HI", _("Hindi"), _L),
    ("HR", _("Croatian"), _L),
    ("HU", _("Hungarian"), _L),
    ("IS", _("Icelandic"), _L),
    ("ITA", _("Italian"), _L),
    ("JA", _("Japanese"), _L),
    ("KA", _("Georgian"), _L),
    ("KOR", _("Korean"), _L),
    ("LT", _("Lithuanian"), _L),
    ("ML", _("Malayalam"), _L),
    ("MT", _("Maltese"), _L),
    ("NE", _("Nepali"), _L),
    ("NL", _("Dutch"), _L),
    ("NO", _("Norwegian"), _L),
    ("POL", _("Polish"), _L),
    ("POR", _("Portuguese"), _L),
    ("PUN", _("Punjabi"), _L),
    ("RUS", _("Russian"), _L),
    ("S", _("Spanish"), _L),
    ("SK", _("Slovak"), _L),
    ("SL", _("Slovenian"), _L),
    ("SV", _("Swedish"), _L),
    ("TH", _("Thai"), _L),
    ("TL", _("Tagalog"), _L),
    ("TUR", _("Turkish"), _L),
    ("UK", _("Ukrainian"), _L),
]

# Proposed in code4recovery/spec (data/proposed-new.json): accessibility and sign languages.
_PROPOSED: list[tuple[str, str | Promise, Facet]] = [
    ("BV-I", _("Blind / Visually Impaired"), _X),
    ("D-HOH", _("Deaf / Hard of Hearing"), _X),
    ("LO-I", _("Loners / Isolationists"), _C),
    ("QSL", _("Quebec Sign Language"), _L),
    ("RSL", _("Russian Sign Language"), _L),
]

_OWN: list[tuple[str, str | Promise, Facet]] = [
    (MOUD_WELCOME, _("Medication for opioid use disorder welcome"), _G),
    (HARM_REDUCTION, _("Harm-reduction friendly"), _G),
]

CATALOG: dict[str, MeetingType] = {}
for _code, _name, _facet in _SPEC:
    CATALOG[_code] = MeetingType(_code, _name, _facet, spec=True)
for _code, _name, _facet in _PROPOSED + _OWN:
    CATALOG[_code] = MeetingType(_code, _name, _facet, spec=False)

SPEC_CODES = frozenset(code for code, _n, _f in _SPEC)
PROPOSED_CODES = frozenset(code for code, _n, _f in _PROPOSED)

# Codes feeds use that mean something other than a type: attendance, not a facet.
ONLINE_CODE = "ONL"

_BY_UPPER = {code.upper(): code for code in CATALOG}


def canonical_code(raw: str) -> str:
    """The catalogue's spelling of a code (feeds write ``onl``, ``12X12``), or the code trimmed."""
    cleaned = raw.strip()
    return _BY_UPPER.get(cleaned.upper(), cleaned)


def describe(code: str) -> MeetingType:
    """The catalogue entry for a code, or a custom type named by its own code."""
    return CATALOG.get(code) or MeetingType(code, code, Facet.CUSTOM, spec=False)


def codes_in(facet: Facet) -> list[MeetingType]:
    return [entry for entry in CATALOG.values() if entry.facet == facet]
