"""Charts drawn on the server as inline SVG: no external service, no CDN, no JavaScript. Pure
functions from numbers to markup (every label escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ("#1f6fb2", "#d9534f", "#f0ad4e", "#5cb85c", "#6f42c1")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(*, title: str, labels: list[str], series: list[Series], width: int = 560, height: int = 220) -> str:
    """A line per series over the labels (days), with the maximum and the first and last labels marked."""
    left, right, top, bottom = 44, 12, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for s in series for v in s.values), default=0))
    n = max(len(labels), 2)

    def x(i: int) -> float:
        return left + plot_w * i / (n - 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        gy = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{gy + 4:.1f}" class="axis" text-anchor="end">{peak * fraction:g}</text>')
    if labels:
        parts.append(f'<text x="{left}" y="{height - 8}" class="axis">{escape(labels[0])}</text>')
        parts.append(
            f'<text x="{width - right}" y="{height - 8}" class="axis" text-anchor="end">{escape(labels[-1])}</text>'
        )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"><title>'
            f"{escape(s.name)}</title></polyline>"
        )
    legend_x = width - right
    for k, s in enumerate(reversed(series)):
        colour = PALETTE[(len(series) - 1 - k) % len(PALETTE)]
        parts.append(
            f'<text x="{legend_x - 90 * k}" y="16" class="legend" text-anchor="end" fill="{colour}">'
            f"■ {escape(s.name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def label_width(text: str, size: float = 10) -> float:
    """The drawn width of a label at the axis font size: a CJK character is about one em, a Latin one half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def bar_chart(*, title: str, items: list[tuple], width: int = 560, bar: int = 18) -> str:
    """Horizontal bars, one per item (label, number[, link]), each label in full: the left margin is as
    wide as the longest label (up to half the chart); a bar with a link opens what it counts."""
    top = 28
    left = min(max((label_width(item[0]) for item in items), default=0) + 14, width / 2)
    height = top + len(items) * (bar + 6) + 8
    peak = max((item[1] for item in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value, *link) in enumerate(items):
        y = top + i * (bar + 6)
        w = (width - left - 50) * value / peak
        drawn = (
            f'<text x="{left - 8:.1f}" y="{y + bar - 5}" class="axis" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[0]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar - 5}" class="axis">{value}</text>'
        )
        if link and link[0]:
            drawn = f'<a href="{escape(link[0])}"><title>{escape(label)}：{value}</title>{drawn}</a>'
        parts.append(drawn)
    parts.append("</svg>")
    return "".join(parts)
