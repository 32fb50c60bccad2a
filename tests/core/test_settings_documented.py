"""Operators read only README.md and docs/: every STAYHERE_* setting the code reads is documented there, and
every one documented is read by the code (a setting the docs promise and the code ignores changes nothing)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAME = re.compile(r"STAYHERE_[A-Z0-9_]+")
# Read by the tests only (tests/browser/test_clients_browser.py: where the outside clients' code is), not by stayhere.
TEST_ONLY = {"STAYHERE_CROUTON_SRC", "STAYHERE_TSML_UI_APP"}


def _names(paths: list[Path]) -> set[str]:
    # "the STAYHERE_TURN_* settings" names a family, not a setting
    return {name for path in paths for name in NAME.findall(path.read_text(errors="replace")) if not name.endswith("_")}


def _read_by_stayhere() -> set[str]:
    return _names(sorted((REPO / "stayhere").rglob("*.py")))


def _documented() -> set[str]:
    return _names([REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))])


def test_every_setting_stayhere_reads_is_documented() -> None:
    assert _read_by_stayhere() - _documented() == set()


def test_every_documented_setting_is_read_by_stayhere() -> None:
    assert _documented() - _read_by_stayhere() - TEST_ONLY == set()
