"""bench.slow3g runs: one member joins over the emulated Slow 3G line and every figure is there and sane (the
figures themselves are the benchmark's, in docs/BENCHMARKS.md; no time is asserted here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import slow3g

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_slow_3g_benchmark_joins_a_member_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "slow3g.json"
    assert slow3g.main(["--runs", "1", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["network"]["latency"] == 2000 and figures["runs"] == 1
    (run,) = figures["each"]
    assert 0 < run["usable_s"] < run["joined_s"] < run["first_event_s"]
    assert run["event_delivery_s"] > 0
    assert run["transfer_bytes"] > 30_000, "the page and its modules were fetched from an empty cache"
    assert figures["command"].startswith("python -m bench.slow3g")
