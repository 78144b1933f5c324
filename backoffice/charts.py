"""Charts drawn on the server as SVG: no script, no network, no library to fetch. Pure
functions of their figures (no database); styled by static/css/backoffice.css through
class names (the Content-Security-Policy allows no inline style).

Coordinates are whole numbers of SVG user units (a fraction of a pixel is invisible), so
the scaling is Decimal arithmetic rounded to integers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 220
LEFT = 64  # room for the axis labels
RIGHT = 12
TOP = 12
BOTTOM = 28


@dataclass(frozen=True)
class Series:
    label: str
    css_class: str  # line colour, in backoffice.css
    values: Sequence[Decimal]


def _int(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def nice_ceiling(value: Decimal) -> Decimal:
    """The axis top: the smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (at least 1)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover - the loop always returns


def _amount_label(value: Decimal) -> str:
    """An axis label: 12,500 or 1.2M (figures of the axis, not money to the fen)."""
    if value >= 1_000_000:
        return f"{(value / 1_000_000).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}M"
    if value >= 10_000:
        return f"{(value / 1_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)}k"
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,}"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}"


def _y(value: Decimal, top: Decimal) -> int:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot - _int(Decimal(plot) * value / top)


def _grid(top: Decimal) -> SafeString:
    lines = []
    for step in range(5):
        value = top * step / 4
        y = _y(value, top)
        lines.append((LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, _amount_label(value)))
    return format_html_join(
        "",
        '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        lines,
    )


def line_chart(*, title: str, days: Sequence[dt.date], series: Sequence[Series]) -> SafeString:
    """One line per series over the days, with a legend, the first, middle and last day
    on the x axis, and a <title> per point (the figure on hover)."""
    top = nice_ceiling(max((v for s in series for v in s.values), default=Decimal(0)))
    count = len(days)
    span = WIDTH - LEFT - RIGHT

    def x(index: int) -> int:
        return LEFT + (span * index // (count - 1) if count > 1 else span // 2)

    paths = []
    for s in series:
        points = " ".join(f"{x(i)},{_y(v, top)}" for i, v in enumerate(s.values))
        dots = format_html_join(
            "",
            '<circle class="dot {}" cx="{}" cy="{}" r="2"><title>{} {}: {}</title></circle>',
            (
                (s.css_class, x(i), _y(v, top), days[i].isoformat(), s.label, f"{v:,}")
                for i, v in enumerate(s.values)
            ),
        )
        paths.append(
            format_html(
                '<polyline class="line {}" points="{}"></polyline>{}', s.css_class, points, dots
            )
        )
    ticks = sorted({0, count // 2, count - 1}) if count else []
    x_labels = format_html_join(
        "",
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(i), HEIGHT - 8, f"{days[i]:%m-%d}") for i in ticks),
    )
    legend = format_html_join(
        "",
        '<span class="legend-item"><span class="swatch {}"></span>{}</span>',
        ((s.css_class, s.label) for s in series),
    )
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>'
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}{}</svg>'
        '<div class="legend">{}</div></figure>',
        title,
        WIDTH,
        HEIGHT,
        title,
        _grid(top),
        format_html_join("", "{}", ((p,) for p in paths)),
        x_labels,
        legend,
    )


def bar_chart(
    *, title: str, labels: Sequence[str], values: Sequence[Decimal], css_classes: Sequence[str]
) -> SafeString:
    """One bar per label (e.g. the aging buckets' principal), the figure above each."""
    top = nice_ceiling(max(values, default=Decimal(0)))
    count = max(len(values), 1)
    slot = (WIDTH - LEFT - RIGHT) // count
    bar = slot * 3 // 5
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        left = LEFT + slot * index + (slot - bar) // 2
        y = _y(value, top)
        bars.append(
            (
                css_classes[index % len(css_classes)],
                left,
                y,
                bar,
                HEIGHT - BOTTOM - y,
                label,
                f"{value:,}",
                left + bar // 2,
                max(y - 4, TOP + 8),
                _amount_label(value),
                left + bar // 2,
                HEIGHT - 8,
                label,
            )
        )
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>'
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}</svg></figure>',
        title,
        WIDTH,
        HEIGHT,
        title,
        _grid(top),
        format_html_join(
            "",
            '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>"
            '<text class="figure" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
            bars,
        ),
    )
