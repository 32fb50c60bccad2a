from __future__ import annotations

import json
from pathlib import Path

from stayhere.directory import types

SPEC_TYPES = Path("/tmp/spec/data/types.json")


def test_the_catalogue_holds_the_87_specification_codes_and_the_proposed_ones():
    assert len(types.SPEC_CODES) == 87
    assert {"BV-I", "D-HOH", "LO-I", "QSL", "RSL"} == types.PROPOSED_CODES
    if SPEC_TYPES.is_file():  # a checkout of code4recovery/spec, when there is one
        assert set(json.loads(SPEC_TYPES.read_text())) == types.SPEC_CODES


def test_the_group_asserted_codes_cannot_collide_with_spec_or_language_codes():
    for code in types.GROUP_ASSERTED:
        # ISO 639 codes are two or three letters; the specification's are its catalogue.
        assert len(code) >= 4
        assert code not in types.SPEC_CODES | types.PROPOSED_CODES
        assert types.describe(code).facet is types.Facet.GROUP


def test_codes_are_read_in_the_catalogue_spelling_and_unknown_ones_kept():
    assert types.canonical_code(" 12X12 ") == "12x12"
    assert types.canonical_code("lgbtq") == "LGBTQ"
    assert types.describe("AC").facet is types.Facet.CUSTOM and types.describe("AC").name == "AC"
