"""The server's start-up leaves the cyclic garbage collector tuned for thousands of seats (stayhere.asgi).

A full collection walks every object the process holds: at 5,000 seats in 250 rooms about 578,000 of them, which
paused the event loop, and so every room's deliveries, for 488 ms on a quiet core (docs/BENCHMARKS.md, "The p99
stalls at 5,000 seats"). So start-up freezes what it loaded (Django, the app: never garbage, never scanned again)
and keeps the young lists small and full collections rare (stayhere.core.gc_tuning). This pins that it does, in a fresh
interpreter as ``stayhere serve`` loads the application, never the test process's own collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from stayhere.core.gc_tuning import THRESHOLDS

PROBE = """
import gc, json
before = [gc.get_freeze_count(), list(gc.get_threshold())]
import stayhere.asgi
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "threshold": list(gc.get_threshold()),
                  "left_to_scan": len(gc.get_objects())}))
"""


def test_loading_the_application_freezes_the_start_up_heap_and_sets_the_collector_s_thresholds(
    tmp_path: Path,
) -> None:
    env = {name: value for name, value in os.environ.items() if name != "STAYHERE_DATABASE_URL"}
    env["STAYHERE_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == [0, [700, 10, 10]], "a fresh interpreter: nothing frozen, Python's own thresholds"
    assert seen["frozen"] > 20_000, "Django and the app, loaded at start-up, are out of every collection"
    assert seen["left_to_scan"] < 1_000, "nothing start-up made is left for the collector to walk"
    assert seen["threshold"] == list(THRESHOLDS)
