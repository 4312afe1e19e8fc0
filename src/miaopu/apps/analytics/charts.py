"""Charts as inline SVG, drawn on the server: horizontal bars, stacked bars and a donut.

Why SVG from Python and no chart library: government intranets have no internet (nothing from a CDN), the
Content Security Policy allows no inline script or style, and the same markup goes into the printable
report unchanged. Colours are SVG presentation attributes (not ``style``), every mark is wrapped in a link to
the list behind it and carries a ``<title>`` (hover text and screen readers), and text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Colours that stay distinguishable in greyscale print, the party red first.
PALETTE = ("#a8231d", "#d9822b", "#2f6fb3", "#3c8d4f", "#7a4fa8", "#8c6d3f", "#1f8a8a", "#b5487a", "#6b7280")
LEVEL_COLOURS = {"red": "#a8231d", "yellow": "#d99a00", "green": "#3c8d4f"}
INK, MUTED, GRID = "#1f2328", "#6b7280", "#e5e7eb"


@dataclass(frozen=True)
class Datum:
    label: str
    value: float
    link: str | None = None
    colour: str | None = None


def _width(text: str) -> float:
    """Rough rendered width at 12 px: CJK characters are square, Latin about half as wide."""
    return sum(12.0 if ord(ch) > 0x2E7F else 6.6 for ch in text)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _wrap(mark: str, link: str | None, title: str) -> str:
    inner = f"<title>{escape(title)}</title>{mark}"
    if link:
        return f'<a href="{escape(link)}" class="chart-link">{inner}</a>'
    return f"<g>{inner}</g>"


def _svg(width: float, height: float, title: str, body: str, cls: str) -> SafeString:
    label = escape(title)
    return mark_safe(  # noqa: S308 - every piece of text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{label}" font-size="12" '
        f'font-family="sans-serif"><title>{label}</title>{body}</svg>'
    )


def bar_chart(data: Sequence[Datum], *, title: str, width: int = 480) -> SafeString:
    """One horizontal bar per datum, value (and share of the total) at the end of the bar."""
    row, gap, top = 22, 6, 4
    label_w = min(max((_width(d.label) for d in data), default=40) + 10, width * 0.4)
    total = sum(d.value for d in data) or 0
    texts = [f"{_number(d.value)}（{d.value * 100 / total:.1f}%）" if total else _number(d.value) for d in data]
    value_w = max((_width(t) for t in texts), default=20) + 10
    plot = max(width - label_w - value_w, 40)
    peak = max((d.value for d in data), default=0) or 1
    parts = []
    for i, d in enumerate(data):
        y = top + i * (row + gap)
        length = plot * d.value / peak
        colour = d.colour or PALETTE[0]
        text = texts[i]
        mark = (
            f'<text x="{label_w - 8:.1f}" y="{y + row / 2 + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(d.label)}</text>'
            f'<rect x="{label_w:.1f}" y="{y:.1f}" width="{max(length, 0.5):.1f}" height="{row}" rx="2" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + row / 2 + 4:.1f}" fill="{MUTED}">{escape(text)}</text>'
        )
        parts.append(_wrap(mark, d.link, f"{d.label}：{text}"))
    height = top * 2 + max(len(data), 1) * (row + gap)
    if not data:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2 + 4:.0f}" text-anchor="middle" fill="{MUTED}">—</text>')
    return _svg(width, height, title, "".join(parts), "chart-bar")


@dataclass(frozen=True)
class StackedRow:
    label: str
    segments: Sequence[Datum]  # one per series, in series order
    link: str | None = None


def stacked_bar_chart(rows: Sequence[StackedRow], series: Sequence[str], *, title: str, width: int = 560,
                      colours: Sequence[str] | None = None) -> SafeString:  # fmt: skip
    """One bar per row split into the series (e.g. a template's batches by step), with a legend on top."""
    colours = list(colours or PALETTE)
    row, gap = 22, 6
    legend_h = 22
    label_w = min(max((_width(r.label) for r in rows), default=40) + 10, width * 0.35)
    total_w = 56
    plot = max(width - label_w - total_w, 40)
    peak = max((sum(s.value for s in r.segments) for r in rows), default=0) or 1
    parts = []
    x = 0.0
    for i, name in enumerate(series):
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
            f'<text x="{x + 14:.1f}" y="13" fill="{INK}">{escape(name)}</text>'
        )
        x += 14 + _width(name) + 14
    legend_rows = max(1, math.ceil(x / width))
    if legend_rows > 1:  # wrap the legend: redraw it on several lines
        parts, x, line = [], 0.0, 0
        for i, name in enumerate(series):
            item = 14 + _width(name) + 14
            if x + item > width and x > 0:
                x, line = 0.0, line + 1
            y = 4 + line * 18
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
                f'<text x="{x + 14:.1f}" y="{y + 9}" fill="{INK}">{escape(name)}</text>'
            )
            x += item
        legend_h = 4 + (line + 1) * 18
    for r_i, r in enumerate(rows):
        y = legend_h + 6 + r_i * (row + gap)
        label = (
            f'<text x="{label_w - 8:.1f}" y="{y + row / 2 + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(r.label)}</text>'
        )
        parts.append(_wrap(label, r.link, r.label))
        x = label_w
        total = sum(s.value for s in r.segments)
        for s_i, seg in enumerate(r.segments):
            if not seg.value:
                continue
            length = plot * seg.value / peak
            colour = seg.colour or colours[s_i % len(colours)]
            name = series[s_i] if s_i < len(series) else seg.label
            mark = f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{row}" fill="{colour}"/>'
            if length >= 22:
                mark += (
                    f'<text x="{x + length / 2:.1f}" y="{y + row / 2 + 4:.1f}" text-anchor="middle" '
                    f'fill="#ffffff">{_number(seg.value)}</text>'
                )
            parts.append(_wrap(mark, seg.link, f"{r.label} · {name}：{_number(seg.value)}"))
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + row / 2 + 4:.1f}" fill="{MUTED}">{_number(total)}</text>')
    height = legend_h + 12 + max(len(rows), 1) * (row + gap)
    return _svg(width, height, title, "".join(parts), "chart-stacked")


def _arc(cx: float, cy: float, r: float, start: float, end: float) -> tuple[float, float, float, float, int]:
    x1, y1 = cx + r * math.sin(start), cy - r * math.cos(start)
    x2, y2 = cx + r * math.sin(end), cy - r * math.cos(end)
    return x1, y1, x2, y2, 1 if end - start > math.pi else 0


def donut_chart(data: Sequence[Datum], *, title: str, centre: str = "") -> SafeString:
    """A ring split by share, the total (or ``centre``) in the middle, a legend with counts and shares."""
    size, ring = 150, 28
    cx = cy = size / 2
    r_out, r_in = size / 2 - 2, size / 2 - 2 - ring
    total = sum(d.value for d in data)
    parts = [
        f'<circle cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2:.1f}" fill="none" stroke="{GRID}" stroke-width="{ring}"/>'
    ]
    angle = 0.0
    shown = [d for d in data if d.value > 0]
    for i, d in enumerate(data):
        colour = d.colour or PALETTE[i % len(PALETTE)]
        if d.value <= 0 or not total:
            continue
        pct = d.value * 100 / total
        if len(shown) == 1:
            mark = (
                f'<circle cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2:.1f}" fill="none" stroke="{colour}" '
                f'stroke-width="{ring}"/>'
            )
        else:
            sweep = 2 * math.pi * d.value / total
            a1 = _arc(cx, cy, r_out, angle, angle + sweep)
            a2 = _arc(cx, cy, r_in, angle + sweep, angle)
            mark = (
                f'<path d="M{a1[0]:.2f},{a1[1]:.2f} A{r_out:.1f},{r_out:.1f} 0 {a1[4]} 1 {a1[2]:.2f},{a1[3]:.2f} '
                f'L{a2[0]:.2f},{a2[1]:.2f} A{r_in:.1f},{r_in:.1f} 0 {a1[4]} 0 {a2[2]:.2f},{a2[3]:.2f} Z" '
                f'fill="{colour}"/>'
            )
            angle += sweep
        parts.append(_wrap(mark, d.link, f"{d.label}：{_number(d.value)}（{pct:.1f}%）"))
    middle = centre or _number(total)
    parts.append(
        f'<text x="{cx}" y="{cy + 6}" text-anchor="middle" font-size="18" font-weight="600" fill="{INK}">'
        f"{escape(middle)}</text>"
    )
    lx = size + 16
    values = [f"{_number(d.value)}（{d.value * 100 / total:.1f}%）" if total else _number(d.value) for d in data]
    vx = lx + 16 + max((_width(d.label) for d in data), default=0) + 12
    width = vx + max((_width(v) for v in values), default=0) + 4
    for i, d in enumerate(data):
        y = 12 + i * 20
        colour = d.colour or PALETTE[i % len(PALETTE)]
        mark = (
            f'<rect x="{lx}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{y}" fill="{INK}">{escape(d.label)}</text>'
            f'<text x="{vx:.1f}" y="{y}" fill="{MUTED}">{escape(values[i])}</text>'
        )
        parts.append(_wrap(mark, d.link, f"{d.label}：{_number(d.value)}"))
    height = max(size, 12 + len(data) * 20) + 4
    return _svg(width, height, title, "".join(parts), "chart-donut")
