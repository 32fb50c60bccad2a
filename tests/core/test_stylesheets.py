"""The site's stylesheets lay out the inline direction with logical properties (start and end, not left and right),
so a right-to-left language needs no stylesheet of its own and a longer Spanish line wraps the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "stayhere" / "static" / "stayhere"
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)"
)
# margin or padding with four values whose second and fourth differ: the two inline sides set apart
V = r"([^;\s}]+)"
ASYMMETRIC = re.compile(rf"(?<![\w-])(?:margin|padding)\s*:\s*{V}\s+{V}\s+{V}\s+{V}\s*[;}}]")


@pytest.mark.parametrize("sheet", sorted(path.name for path in STATIC.glob("*.css")))
def test_a_stylesheet_names_no_left_or_right(sheet: str) -> None:
    css = re.sub(r"/\*.*?\*/", "", (STATIC / sheet).read_text(), flags=re.S)
    assert PHYSICAL.findall(css) == [], "use margin-inline-start, inset-inline-start, text-align: start..."
    lopsided = [match.group(0) for match in ASYMMETRIC.finditer(css) if match.group(2) != match.group(4)]
    assert lopsided == [], "use margin-block and margin-inline (start end) for different inline sides"
