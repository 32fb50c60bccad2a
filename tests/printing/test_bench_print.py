"""The printed schedule's benchmark runs and writes every figure (a smoke run: 40 meetings, once each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_print_benchmark_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "print.json"
    env = {key: value for key, value in os.environ.items() if key not in ("STAYHERE_DATABASE_URL", "STAYHERE_DATA_DIR")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.print", "--meetings", "40", "--repeat", "1", "--json", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(output.read_text())
    assert figures["meetings"] == 40
    for layout in ("a4_by_day", "letter_by_town", "a4_folded_booklet"):
        assert figures[f"{layout}_seconds"] > 0
        assert figures[f"{layout}_pages"] >= 2
    assert figures["a4_folded_booklet_pages"] * 2 % 4 == 0  # sheet sides: half the booklet's pages
    assert figures["kept_pdf_served_ms"] > 0
    assert figures["command"].startswith("python -m bench.print --meetings 40")


def test_the_print_benchmark_refuses_a_bad_count_with_a_sentence() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.print", "--meetings", "0"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "--meetings and --repeat must be 1 or more" in done.stderr
