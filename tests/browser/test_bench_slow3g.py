"""bench.slow3g runs: one member joins over the emulated Slow 3G line and every figure is there and sane (the
figures themselves are the benchmark's, in docs/BENCHMARKS.md; no time is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_slow_3g_benchmark_joins_a_member_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "slow3g.json"
    # Its own process, as people run it: the suite's browser (Playwright's synchronous API) already holds this one.
    bench = [sys.executable, "-m", "bench.slow3g", "--runs", "1", "--json", str(out)]
    done = subprocess.run(bench, capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["network"]["latency"] == 2000 and figures["runs"] == 1
    (run,) = figures["each"]
    assert 0 < run["usable_s"] < run["joined_s"] < run["first_event_s"]
    assert run["event_delivery_s"] > 0
    assert run["transfer_bytes"] > 30_000, "the page and its modules were fetched from an empty cache"
    assert figures["command"].startswith("python -m bench.slow3g")
