"""Line charts as plain SVG text, for the benchmarks' scaling curves: no chart library, no fonts fetched, no
script. Each panel plots one figure against the same x values, one line per series, with its axis ticks and a
legend; the text is in the reader's own sans-serif font (``font-family: sans-serif``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

COLOURS = ("#1f5fa8", "#b5401d", "#2e7d32", "#6a3d9a")  # dark enough on white for text and thin lines
DASHES = ("", "6 4", "2 3", "8 3 2 3")  # each series is told apart without its colour too


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    series: dict[str, list[float | None]]  # name -> one value per x (None: not measured)


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    power = float(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def render(title: str, x_label: str, xs: list[float], panels: list[Panel], note: str = "") -> str:
    """An SVG document: the panels side by side, x on a log scale when it spans more than 10x."""
    width, height, left, right, top, bottom = 340, 260, 58, 14, 46, 52
    total_width = width * len(panels)
    rows = max((len(panel.series) for panel in panels), default=1)
    full_height = height + 14 * rows + 16
    log_x = max(xs) / min(xs) > 10 if xs and min(xs) > 0 else False

    def x_of(value: float) -> float:
        low, high = (math.log10(min(xs)), math.log10(max(xs))) if log_x else (min(xs), max(xs))
        here = math.log10(value) if log_x else value
        span = (high - low) or 1.0
        return left + (here - low) / span * (width - left - right)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{full_height}" '
        f'viewBox="0 0 {total_width} {full_height}" font-family="sans-serif" font-size="11" role="img" '
        f'aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<rect width="{total_width}" height="{full_height}" fill="#fff"/>',
        f'<text x="8" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for number, panel in enumerate(panels):
        origin = number * width
        values = [v for line in panel.series.values() for v in line if v is not None]
        top_value = _nice_top(max(values) if values else 1.0)

        def y_of(value: float, top_value: float = top_value) -> float:
            return top + (1 - value / top_value) * (height - top - bottom)

        parts.append(f'<g transform="translate({origin},0)">')
        parts.append(f'<text x="{left}" y="36" font-weight="bold">{escape(panel.title)} ({escape(panel.unit)})</text>')
        for tick in range(5):
            value = top_value * tick / 4
            y = y_of(value)
            parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>')
        for x in xs:
            px = x_of(x)
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>')
            parts.append(f'<text x="{px:.1f}" y="{height - bottom + 14}" text-anchor="middle">{_number(x)}</text>')
        parts.append(
            f'<text x="{(left + width - right) / 2:.0f}" y="{height - bottom + 30}" text-anchor="middle">'
            f"{escape(x_label)}{' (log scale)' if log_x else ''}</text>"
        )
        for index, (name, line) in enumerate(panel.series.items()):
            colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
            points = [(x_of(x), y_of(v)) for x, v in zip(xs, line, strict=True) if v is not None]
            if points:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                dashing = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashing}/>')
                for px, py in points:
                    parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
            legend_y = height - 6 + index * 14  # one legend row a series, under each panel
            legend_x = left
            parts.append(
                f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
                f'stroke-width="2"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
            )
            parts.append(f'<text x="{legend_x + 26}" y="{legend_y + 4}">{escape(name)}</text>')
        parts.append("</g>")
    if note:
        parts.append(f'<text x="8" y="{full_height - 6}" fill="#444">{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
