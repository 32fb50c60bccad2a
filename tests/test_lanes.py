"""The two lanes of scripts/test.sh and the markers that divide them (tests/needs.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from tests import needs
from tests.conftest import REPO


def test_the_fast_lane_leaves_out_exactly_the_markers_pytest_knows():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert sorted(line.split(":", 1)[0] for line in declared) == sorted([*needs.MARKERS, needs.SLOW])
    assert f'-m "{needs.FAST_LANE}"' in (REPO / "scripts" / "test.sh").read_text()


class Unmarked:
    nodeid = "tests/example.py::test_that_starts_janus"

    def get_closest_marker(self, name: str) -> None:
        return None


class Marked(Unmarked):
    def get_closest_marker(self, name: str) -> object:
        return pytest.mark.janus.mark if name == "janus" else None


def test_a_test_that_starts_janus_without_the_marker_fails_saying_what_to_add(request: pytest.FixtureRequest):
    try:
        needs.running(Unmarked())  # type: ignore[arg-type]
        with pytest.raises(pytest.fail.Exception, match=r"is not marked janus: add @pytest\.mark\.janus"):
            needs.need("janus")
        needs.running(Marked())  # type: ignore[arg-type]
        needs.need("janus")  # marked: nothing to say
        with pytest.raises(pytest.fail.Exception, match="is not marked nginx"):
            needs.need("nginx")
    finally:
        needs.running(request.node)


def test_a_fixture_that_brings_janus_marks_the_tests_that_use_it_and_no_other():
    """test_janus_starts_on_loopback... is marked only by the `janus` fixture it takes; its neighbour takes none."""
    collect = ["-p", "no:cacheprovider", "--collect-only", "-q", "-m", "janus", "tests/audio/test_janus.py"]
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", *collect],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.splitlines()
    assert "tests/audio/test_janus.py::test_janus_starts_on_loopback_and_answers_info" in listed
    assert "tests/audio/test_janus.py::test_a_janus_that_is_not_there_is_reported_as_unreachable" not in listed
