"""The directory benchmark's smoke runs: bench.directory writes every figure, bench.search_hours reads what it kept."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[2]


def test_the_benchmark_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    # As an engineer runs it: no settings module of the test run's (the server reads stayhere's own).
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL" and key[:7] != "DJANGO_"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--json", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(output.read_text())
    for key in (
        "meetings",
        "query_p50_ms",
        "query_p95_ms",
        "query_p99_ms",
        "floor_p50_ms",
        "floor_p95_ms",
        "floor_p99_ms",
        "import_per_s",
        "export_s",
        "export_cold_s",
        "export_cold_server_cpu_s",
        "export_changed_s",
        "export_changed_server_cpu_s",
        "query_server_cpu_ms",
        "floor_server_cpu_ms",
        "first_page_bytes",
        "machine",
        "command",
    ):
        assert key in figures, key
    assert figures["imported_meetings"] == figures["meetings"]
    assert figures["query_errors"] == 0 and figures["export_status"] == 200
    assert figures["clock_at"] == "2026-11-30T01:28:00+00:00"  # every run searches the same instant of the week


CLOCK_SCRIPT = "from django.utils import timezone; print(timezone.now().isoformat())"


def test_clock_at_runs_stayhere_with_its_clock_set_to_the_instant(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STAYHERE_", "DJANGO_"))}
    env |= {"STAYHERE_DATA_DIR": str(tmp_path / "data"), "STAYHERE_JANUS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.clock_at", "2026-11-30T01:28:00Z", "shell", "-c", CLOCK_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    said = done.stdout.strip().splitlines()[-1]
    assert said.startswith("2026-11-30T01:2"), said  # that instant, plus the moments the command took to start


def test_clock_at_and_the_benchmark_refuse_an_instant_they_cannot_read(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "bench.clock_at", "monday evening", "serve"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "'monday evening' is not an ISO 8601 instant, e.g. 2026-11-30T01:28:00+00:00" in refused.stderr
    naive = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--at", "2026-11-30T01:28:00"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert naive.returncode == 2
    assert "--at: bench.clock_at: '2026-11-30T01:28:00' has no UTC offset" in naive.stderr


HOURS = [sys.executable, "-m", "bench.search_hours"]


def test_search_hours_measures_a_kept_benchmark_database_at_each_hour_and_refuses_a_wrong_folder(
    tmp_path: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
    kept = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--keep", "--json", str(tmp_path / "d.json")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert kept.returncode == 0, kept.stdout + kept.stderr
    folder = Path(
        next(line for line in (kept.stdout + kept.stderr).splitlines() if line.startswith("kept ")).split(" ", 1)[1]
    )
    try:
        output = tmp_path / "hours.json"
        hours = subprocess.run(
            [*HOURS, str(folder), "--meetings", "300", "--queries", "40", "--step", "12", "--json", str(output)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert hours.returncode == 0, hours.stdout + hours.stderr
        rows = json.loads(output.read_text())["hours"]
        assert [row["utc"] for row in rows] == ["Mon 00:28", "Mon 12:28"]
        assert all(row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] for row in rows)
        assert any(row["results_mean"] > 0 for row in rows), "the queries find meetings starting soon"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    wrong = subprocess.run(
        [*HOURS, str(tmp_path / "nothing")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "bench.directory --keep" in wrong.stderr


def test_a_kept_database_is_made_once_and_measured_again_with_a_cold_feed_then_charted(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
    kept = tmp_path / "kept"
    runs = []
    for number in (1, 2):
        output = tmp_path / f"run{number}.json"
        done = subprocess.run(
            [sys.executable, "-m", "bench.directory", "--smoke", "--reuse", str(kept), "--json", str(output)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        runs.append(json.loads(output.read_text()))
    first, second = runs
    made = json.loads((kept / "made.json").read_text())
    assert "import_reused" not in first and second["import_reused"] == made["made"]
    assert second["import_per_s"] == first["import_per_s"] and second["imported_meetings"] == 300
    # The kept feed copies were removed: the second run's first download was rendered again.
    assert second["export_cold_s"] is not None and second["export_status"] == 200
    refused = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--meetings", "400", "--reuse", str(kept)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert refused.returncode != 0 and "holds 300 meetings" in refused.stderr

    chart = tmp_path / "chart.svg"
    drawn = subprocess.run(
        [sys.executable, "-m", "bench.directory_chart", str(tmp_path / "run1.json"), str(tmp_path / "run2.json"),
         "--svg", str(chart)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.startswith("| commit | database | meetings |") and drawn.stdout.count("| 300 |") == 2
    root = ElementTree.fromstring(chart.read_text())  # noqa: S314 (the file this test just had written)
    texts = " ".join(element.text or "" for element in root.iter())
    assert "Near-me-now p95" in texts and "Cold Meeting Guide feed" in texts and "target 10" in texts
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
    # Nothing from elsewhere: no web font, no linked image or stylesheet.
    assert "http" not in chart.read_text().replace('xmlns="http://www.w3.org/2000/svg"', "")
