"""bench.rooms' own arithmetic and chart: the CPU figures it reports are the servers' CPU over what they delivered,
and the curve's chart is a self-contained SVG. (Its speed figures belong in docs/BENCHMARKS.md, never in a test.)"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from bench import rooms, svg_chart


def step(cpu_s: float, frames: int, deliveries: int) -> dict[str, Any]:
    return {
        "rate": 10.0,
        "frames": frames,
        "event_deliveries": deliveries,
        "server_cpu_s": cpu_s,
        "deliveries_per_s": frames / 20,
    }


def test_cpu_ratio_is_the_bare_servers_cpu_an_event_over_stayhere_s_over_every_interleaved_step() -> None:
    results: dict[str, Any] = {}
    ours = {"steps": [step(2.0, 100_000, 90_000), step(1.6, 100_000, 90_000)], "join_s": 12.5, "join_cpu_s": 3.0}
    bare = {"steps": [step(1.0, 90_000, 90_000), step(0.8, 90_000, 90_000)], "join_s": 1.5, "join_cpu_s": 0.5}
    rooms.summarise(results, {"stayhere": ours, "baseline": bare}, saturate=False)
    assert results["server_cpu_us_per_frame"] == 18.0  # 3.6 s over 200,000 frames
    assert results["server_cpu_us_per_event"] == 20.0  # 3.6 s over 180,000 events delivered
    assert results["baseline_cpu_us_per_frame"] == 10.0
    assert results["baseline_cpu_us_per_event"] == 10.0
    assert results["cpu_ratio"] == 0.5
    assert results["join_s"] == 12.5 and results["baseline_join_s"] == 1.5


def test_one_server_alone_has_no_cpu_ratio() -> None:
    results: dict[str, Any] = {}
    rooms.summarise(results, {"stayhere": {"steps": [step(1.0, 10, 10)], "join_s": 1.0}}, saturate=False)
    assert results["cpu_ratio"] is None and results["server_cpu_us_per_event"] == 100_000.0


def test_the_curves_chart_is_one_svg_that_fetches_nothing_and_skips_what_was_not_measured() -> None:
    panels = [
        svg_chart.Panel("Joining everyone", "s", {"stayhere": [0.5, 6.0, 20.0], "bare": [0.2, 1.1, None]}),
        svg_chart.Panel("CPU an event", "µs", {"stayhere": [12.0, 11.0, 10.5], "bare": [9.0, 9.0, 9.5]}),
    ]
    text = svg_chart.render("One room", "seats", [100, 1000, 3000], panels, note="a note")
    root = ET.fromstring(text)  # noqa: S314 (our own output, not untrusted data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "href" not in text and "@import" not in text and "<script" not in text
    lines = root.findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 4
    assert [len(line.get("points", "").split()) for line in lines] == [3, 2, 3, 3], "the unmeasured point is left out"
    assert "(log scale)" in text, "100 to 3,000 seats span more than ten times"
