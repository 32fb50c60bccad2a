"""The directory benchmark's smoke runs: bench.directory writes every figure, bench.search_hours reads what it kept."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_benchmark_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
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
        "first_page_bytes",
        "machine",
        "command",
    ):
        assert key in figures, key
    assert figures["imported_meetings"] == figures["meetings"]
    assert figures["query_errors"] == 0 and figures["export_status"] == 200


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
