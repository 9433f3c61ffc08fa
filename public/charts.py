"""Server-side SVG bar charts (pure Python, no JS, no CDN): value bars with a target mark."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart_svg(
    title: str,
    rows: Sequence[tuple[str, float, float | None]],
    *,
    unit: str = "",
    colour: str = "#1e88e5",
    target_label: str = "目标",
) -> str:
    """Horizontal bars, one per ``(label, value, target)``; the target is a dark tick.

    The SVG scales to its container (``viewBox`` + ``width=100%``), so it works on a
    phone. All text is escaped.
    """
    bar_h, gap, label_w, width, top = 22, 8, 110, 600, 34
    height = top + len(rows) * (bar_h + gap) + 10
    vmax = max([1.0] + [max(v, t or 0) for _, v, t in rows])
    scale = (width - label_w - 70) / vmax
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value, target) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(0.0, value * scale)
        shown = f"{value:,.0f}{unit}"
        if target is not None:
            shown += f" / {target_label} {target:,.0f}{unit}"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" '
            f'text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{escape(colour)}"><title>{escape(shown)}</title></rect>'
        )
        if target is not None:
            tx = label_w + target * scale
            out.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" '
                f'stroke="#263238" stroke-width="2"/>'
            )
        out.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="11" '
            f'fill="#37474f">{escape(shown)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
