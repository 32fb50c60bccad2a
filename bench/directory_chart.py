"""The directory's scaling curves from ``bench.directory --json`` files: a Markdown table and an SVG chart.

    python -m bench.directory_chart --svg docs/directory-scaling.svg RESULT.json [RESULT.json ...]

Each file is one run (one size, one database, one commit). Runs of the same commit and database make one
curve; the chart has three panels (near-me-now p95 beside its floor, the cold Meeting Guide feed, the import
rate) over the number of meetings on a logarithmic axis, with each target as a dashed line. The SVG is
written by hand: no chart library, no web font (the reader's own sans-serif), a title and a description
for screen readers.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

COLOURS = ("#1b5e8a", "#b3541e", "#2e7d32", "#6a3d9a", "#8c6d00")  # dark enough on white (WCAG AA for text)


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    value: Callable[[dict[str, Any]], float | None]
    target: float | None
    floor: Callable[[dict[str, Any]], float | None] | None = None  # drawn dotted in the same colour


PANELS = (
    Panel("Near-me-now p95", "ms", lambda r: r.get("query_p95_ms"), 10.0, lambda r: r.get("floor_p95_ms")),
    Panel("Cold Meeting Guide feed", "s", lambda r: r.get("export_cold_s"), 5.0),
    Panel("Import (target: PostgreSQL's)", "meetings/s", lambda r: r.get("import_per_s"), 10_000.0),
)


def series_of(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Runs grouped into curves: "COMMIT, DATABASE" -> runs by size."""
    curves: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        label = f"{result.get('machine', {}).get('commit', '?')}, {result.get('database', '?')}"
        curves.setdefault(label, []).append(result)
    for runs in curves.values():
        runs.sort(key=lambda run: run["meetings"])
    return curves


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| commit | database | meetings | import /s | floor p95 | near-me-now p50 / p95 / p99 | p95 ÷ floor "
        "| feed, cold | feed, kept copy | load before → after |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for label, runs in series_of(results).items():
        commit, database = label.split(", ")
        for r in runs:
            reused = " (imported earlier)" if r.get("import_reused") else ""
            rows.append(
                f"| {commit} | {database} | {r['meetings']:,} | {_num(r.get('import_per_s'), 0)}{reused} "
                f"| {_num(r.get('floor_p95_ms'), 2)} ms "
                f"| {_num(r.get('query_p50_ms'), 2)} / **{_num(r.get('query_p95_ms'), 2)}** / "
                f"{_num(r.get('query_p99_ms'), 2)} ms | {_num(r.get('query_p95_over_floor'), 2)} \u00d7 "
                f"| **{_num(r.get('export_cold_s'), 2)} s** | {_num(r.get('export_s'), 2)} s "
                f"| {_load(r.get('load_before'))} → {_load(r.get('load_after'))} |"
            )
    return head + "\n".join(rows) + "\n"


def _num(value: float | None, places: int) -> str:
    return "\u2013" if value is None else f"{value:,.{places}f}"


def _load(value: list[float] | None) -> str:
    return "?" if not value else f"{value[0]:.1f}"


def svg(results: list[dict[str, Any]]) -> str:
    curves = series_of(results)
    sizes = sorted({r["meetings"] for r in results})
    width, height, panel_w, top, plot_h = 960, 380, 300, 56, 230
    left_pad, gap = 62, 20
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))
    span = (hi - lo) or 1.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="t d" font-family="sans-serif" font-size="12">',
        '<title id="t">The directory\'s scaling: near-me-now p95, the cold feed and the import, by meetings</title>',
        f'<desc id="d">{escape(_description(curves))}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for index, panel in enumerate(PANELS):
        x0 = index * (panel_w + gap) + left_pad
        values = [
            v
            for runs in curves.values()
            for r in runs
            for v in (panel.value(r), panel.floor(r) if panel.floor else None)
            if v is not None
        ]
        top_value = max([*values, panel.target or 0.0]) * 1.15 or 1.0

        def x_of(meetings: int) -> float:
            return x0 + (math.log10(meetings) - lo) / span * (panel_w - left_pad)  # noqa: B023

        def y_of(value: float) -> float:
            return top + plot_h - value / top_value * plot_h  # noqa: B023

        plot_w = panel_w - left_pad
        out.append(f'<text x="{x0}" y="{top - 24}" font-weight="bold" font-size="14">{escape(panel.title)}</text>')
        out.append(f'<text x="{x0}" y="{top - 8}" fill="#333">{escape(panel.unit)}</text>')
        out.append(
            f'<line x1="{x0}" y1="{top + plot_h}" x2="{x0 + plot_w}" y2="{top + plot_h}" stroke="#333"/>'
            f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{top + plot_h}" stroke="#333"/>'
        )
        for tick in _ticks(top_value):
            y = y_of(tick)
            out.append(
                f'<line x1="{x0 - 4}" y1="{y:.1f}" x2="{x0 + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{_short(tick)}</text>'
            )
        for meetings in sizes:
            x = x_of(meetings)
            out.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333">{_short(meetings)}</text>'
            )
        if panel.target is not None:
            y = y_of(panel.target)
            out.append(
                f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + plot_w}" y2="{y:.1f}" stroke="#c62828" '
                f'stroke-dasharray="6 4"/><text x="{x0 + plot_w}" y="{y - 4:.1f}" text-anchor="end" '
                f'fill="#c62828">target {_short(panel.target)}</text>'
            )
        for number, runs in enumerate(curves.values()):
            colour = COLOURS[number % len(COLOURS)]
            for value_of, dash in ((panel.value, ""), (panel.floor, ' stroke-dasharray="2 3"')):
                if value_of is None:
                    continue
                points = [(x_of(r["meetings"]), y_of(v)) for r in runs if (v := value_of(r)) is not None]
                if len(points) > 1:
                    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                    out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
                for x, y in points:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3.5 if not dash else 2.5}" fill="{colour}"/>')
        out.append(
            f'<text x="{x0 + plot_w / 2:.1f}" y="{top + plot_h + 32}" text-anchor="middle" fill="#333">'
            "meetings (log scale)</text>"
        )
    legend_y = top + plot_h + 56
    for number, label in enumerate(curves):
        colour = COLOURS[number % len(COLOURS)]
        x, y = left_pad + number % 4 * 220, legend_y + number // 4 * 18
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{x + 20}" y="{y - 4}">{escape(label)}</text>'
        )
    rows = (len(curves) + 3) // 4
    out.append(
        f'<text x="{left_pad}" y="{legend_y + rows * 18}" fill="#333">'
        "Dotted: the floor (GET /health p95) in the same run. Dashed red: the target.</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _description(curves: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for label, runs in curves.items():
        for r in runs:
            parts.append(
                f"{label}, {r['meetings']:,} meetings: near-me-now p95 {r.get('query_p95_ms')} ms "
                f"(floor {r.get('floor_p95_ms')} ms), cold feed {r.get('export_cold_s')} s, "
                f"import {r.get('import_per_s')} meetings/s."
            )
    return " ".join(parts)


def _ticks(top: float) -> list[float]:
    step = 10 ** math.floor(math.log10(top / 4)) if top > 0 else 1
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 6:
            step *= factor
            break
    return [step * n for n in range(int(top / step) + 1)]


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.directory_chart", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="bench.directory --json files")
    parser.add_argument("--svg", type=Path, help="write the chart here")
    args = parser.parse_args(argv)
    results = []
    for path in args.results:
        try:
            results.append(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            parser.error(f"{path}: not a bench.directory --json file ({exc}).")
    missing = [str(path) for path, r in zip(args.results, results, strict=True) if "meetings" not in r]
    if missing:
        parser.error(f"not bench.directory results (no 'meetings'): {', '.join(missing)}")
    print(table(results), end="")
    if args.svg:
        args.svg.write_text(svg(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
