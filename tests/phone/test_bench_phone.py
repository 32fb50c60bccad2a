"""``python -m bench.phone --smoke``: the benchmark rings a real serve's edge and its JSON says what it measured.

No figure here is a speed: the test checks that every caller was seated, the floor holder was heard by the
others and nothing else was, and that each engine's figures are there. The speeds are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.needs import need
from tests.phone.conftest import need_edge

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.janus
@pytest.mark.phone
def test_the_phone_benchmark_smoke_run_seats_every_caller_and_measures_each_engine(tmp_path: Path) -> None:
    need("janus")
    need_edge()
    out = tmp_path / "phone.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phone", "--smoke", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["callers"] == 3 and figures["seated"] == 3
    for engine in ("kamailio", "rtpengine", "janus"):
        assert figures[f"{engine}_cpu_percent"] >= 0 and figures[f"{engine}_rss_mib"] > 0
        assert figures[f"{engine}_processes"] >= 1
    assert figures["listeners_hearing"] == 2 and figures["leaked_packets"] == 0
    assert figures["mouth_to_ear_ms"] is not None and figures["bursts_measured"] > 0
    assert figures["server_errors"] == []
