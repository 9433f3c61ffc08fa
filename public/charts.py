"""Server-side SVG bar charts (pure Python, no JS, no CDN): value bars with a target mark."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext


def bar_chart_svg(
    title: str,
    rows: Sequence[tuple[str, float, float | None]],
    *,
    unit: str = "",
    colour: str = "#1e88e5",
    target_label: str | None = None,
) -> SafeString:
    """Horizontal bars, one per ``(label, value, target)``; the target is a dark tick.

    The SVG scales to its container (``viewBox`` + ``width=100%``), so it works on a
    phone. Built with ``format_html``: every label and number is escaped, and the result
    is safe markup the template shows without ``|safe``.
    """
    target_label = gettext("目标") if target_label is None else target_label
    bar_h, gap, label_w, width, top = 22, 8, 110, 600, 34
    height = top + len(rows) * (bar_h + gap) + 10
    vmax = max([1.0] + [max(v, t or 0) for _, v, t in rows])
    scale = (width - label_w - 70) / vmax

    def bar(i: int, label: str, value: float, target: float | None) -> SafeString:
        y = top + i * (bar_h + gap)
        w = max(0.0, value * scale)
        shown = f"{value:,.0f}{unit}"
        if target is not None:
            shown += f" / {target_label} {target:,.0f}{unit}"
        tick = ""
        if target is not None:
            tx = f"{label_w + target * scale:.1f}"
            tick = format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#263238" '
                'stroke-width="2"/>',
                tx,
                tx,
                y - 2,
                y + bar_h + 2,
            )
        return format_html(
            '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
            '{}<text x="{}" y="{}" font-size="11" fill="#37474f">{}</text>',
            label_w - 6,
            y + 15,
            str(label),
            label_w,
            y,
            f"{w:.1f}",
            bar_h,
            colour,
            shown,
            tick,
            f"{label_w + w + 4:.1f}",
            y + 15,
            shown,
        )

    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-label="{}" class="chart">'
        '<text x="0" y="18" font-size="15" font-weight="bold">{}</text>{}</svg>',
        width,
        height,
        title,
        title,
        format_html_join("", "{}", ((bar(i, *row),) for i, row in enumerate(rows))),
    )


def stacked_bar_svg(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    segments: Sequence[tuple[str, str]],
    *,
    unit: str = "",
) -> SafeString:
    """Horizontal 100 % bars, one per ``(label, values)``; ``segments`` are the
    ``(name, colour)`` of the values, drawn left to right with a legend.

    Each part carries a ``<title>`` with its name, amount and share; the page shows the
    same numbers in a table (the chart is not the only way to read them).
    """
    bar_h, gap, label_w, width, top = 22, 8, 130, 600, 56
    height = top + len(rows) * (bar_h + gap) + 10
    span = width - label_w - 10

    def legend() -> SafeString:
        step = span / max(1, len(segments))
        return format_html_join(
            "",
            '<rect x="{}" y="26" width="12" height="12" fill="{}"/>'
            '<text x="{}" y="36" font-size="12">{}</text>',
            (
                (
                    f"{label_w + i * step:.1f}",
                    colour,
                    f"{label_w + i * step + 16:.1f}",
                    name,
                )
                for i, (name, colour) in enumerate(segments)
            ),
        )

    def bar(i: int, label: str, values: Sequence[float]) -> SafeString:
        y = top + i * (bar_h + gap)
        total = sum(values)
        parts = []
        x = float(label_w)
        for (name, colour), value in zip(segments, values, strict=True):
            if value <= 0 or total <= 0:
                continue
            w = value / total * span
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}</title></rect>",
                    f"{x:.1f}",
                    y,
                    f"{w:.1f}",
                    bar_h,
                    colour,
                    f"{label} · {name} {value:,.0f}{unit} ({value / total:.0%})",
                )
            )
            x += w
        return format_html(
            '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>{}',
            label_w - 6,
            y + 15,
            str(label),
            format_html_join("", "{}", ((p,) for p in parts)),
        )

    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-label="{}" class="chart">'
        '<text x="0" y="18" font-size="15" font-weight="bold">{}</text>{}{}</svg>',
        width,
        height,
        title,
        title,
        legend(),
        format_html_join("", "{}", ((bar(i, *row),) for i, row in enumerate(rows))),
    )
