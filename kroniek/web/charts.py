"""Charts as SVG, rendered on the server: counts per month as bars, with an accessible title per bar.

Every label and link is escaped here; the result is safe to place in a page as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Bar:
    """One bar: its label (a month such as 2019-02), its count, and where it links (or nowhere)."""

    label: str
    count: int
    href: str | None = None


def fill_months(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Monthly counts from the first to the last month present, with empty months as zero."""
    months = sorted(k for k in counts if _is_month(k))
    if not months:
        return []
    (y, m), (y_end, m_end) = _ym(months[0]), _ym(months[-1])
    out: list[tuple[str, int]] = []
    # A cap keeps a stray far-off date from making a chart of thousands of empty months.
    while (y, m) <= (y_end, m_end) and len(out) < 1200:
        key = f"{y:04d}-{m:02d}"
        out.append((key, int(counts.get(key, 0))))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _is_month(key: str) -> bool:
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()


def _ym(key: str) -> tuple[int, int]:
    return int(key[:4]), int(key[5:7])


def month_bars(counts: dict[str, int], link: Callable[[str], str] | None = None) -> list[Bar]:
    """Bars for a mapping of month -> count, gaps filled, each linked by `link(month)` when given."""
    return [Bar(label, n, link(label) if link and n else None) for label, n in fill_months(counts)]


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 640, height: int = 160,
              unit: str = "") -> Markup:
    """A bar chart as inline SVG; an empty sequence gives an empty chart that says so."""
    pad_left, pad_bottom, pad_top = 36, 22, 8
    plot_w, plot_h = width - pad_left - 4, height - pad_bottom - pad_top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
             f"<title>{escape(title)}</title>"]
    if not bars:
        parts.append(f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" class="chart-empty">–</text>')
        parts.append("</svg>")
        return Markup("".join(parts))
    top = max(max(b.count for b in bars), 1)
    step = plot_w / len(bars)
    bar_w = min(max(step * 0.8, 1.0), 48.0)
    base = pad_top + plot_h
    parts.append(f'<line x1="{pad_left}" y1="{base}" x2="{width - 4}" y2="{base}" class="axis"/>')
    parts.append(f'<text x="{pad_left - 4}" y="{pad_top + 10}" text-anchor="end" class="tick">{top}</text>')
    parts.append(f'<text x="{pad_left - 4}" y="{base}" text-anchor="end" class="tick">0</text>')
    for i, bar in enumerate(bars):
        h = plot_h * bar.count / top
        x = pad_left + i * step + (step - bar_w) / 2
        tip = f"{bar.label}: {bar.count}{(' ' + unit) if unit else ''}"
        rect = (f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" class="bar">'
                f"<title>{escape(tip)}</title></rect>")
        if bar.href:
            rect = f'<a href="{escape(bar.href, quote=True)}">{rect}</a>'
        parts.append(rect)
    for i in _tick_positions(len(bars)):
        x = pad_left + i * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" class="tick">'
                     f"{escape(bars[i].label)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick_positions(n: int, most: int = 6) -> list[int]:
    """Indices of the bars that get a label under the axis: the first, the last and a few evenly between."""
    if n <= most:
        return list(range(n))
    step = (n - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})
