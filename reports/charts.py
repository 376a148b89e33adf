"""Bar charts as plain SVG, the same markup on the web page and in the PDF.

Why by hand: the charts of the final report are a few bars with labels, and they must be
deterministic (a document renders to the same bytes twice), readable without JavaScript or
CSS (presentation attributes only, so a strict CSP and WeasyPrint both take them), and
accessible (a ``<title>`` and ``<desc>`` that state every figure). Chart libraries bring
scripts, stylesheets and fonts to switch off for each of those; this is less code.

Callers pass labels already translated and numbers as Decimal or int; the functions escape
every label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

# Colour-blind-safe pair (Okabe-Ito): blue for the plan, vermillion for what happened.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
TEXT = "#1a1a1a"
GRID = "#c8c8c8"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | int]


def _fmt(value: Decimal | int) -> str:
    """12 345 or 12 345.50: thin groups that read in every language of the product."""
    value = Decimal(value)
    text = f"{int(value):,}" if value == value.to_integral() else f"{value:,.2f}"
    return text.replace(",", "\u202f")


def _max(series: Sequence[Series]) -> Decimal:
    top = max((Decimal(v) for s in series for v in s.values), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 640,
    bar_height: int = 14,
    unit: str = "",
) -> str:
    """Horizontal grouped bars: per label, the label on its own line and one bar per
    series under it, the value at the bar's end.

    Labels above the bars rather than beside them: they are words of up to two languages
    (a bilingual document) that would not fit beside the bars on paper or on a phone.
    """
    n = len(series)
    label_line = 16
    group = label_line + n * bar_height + 8
    legend = 22 if n > 1 else 0
    height = 28 + legend + group * len(labels)
    plot = width - 80  # room for the value after the longest bar
    top = _max(series)
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_fmt(s.values[i])}{unit}" for s in series)
        for i, label in enumerate(labels)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="Doc Sans, DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{TEXT}">'
        f"{escape(title)}</text>",
    ]
    y = 28
    if n > 1:
        x = 0
        for k, s in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
            out.append(f'<text x="{x + 16}" y="{y + 10}" fill="{TEXT}">{escape(s.name)}</text>')
            x += 32 + 8 * len(s.name)
        y += legend
    for i, label in enumerate(labels):
        fits = width // 7  # characters of 12 px DejaVu Sans across the chart
        label = label if len(label) <= fits else label[: fits - 1] + "…"
        out.append(f'<text x="0" y="{y + 12}" fill="{TEXT}">{escape(label)}</text>')
        y += label_line
        for k, s in enumerate(series):
            value = Decimal(s.values[i])
            length = float(value / top) * plot if value > 0 else 0
            colour = PALETTE[k % len(PALETTE)]
            out.append(
                f'<rect x="0" y="{y}" width="{length:.1f}" height="{bar_height - 2}" '
                f'fill="{colour}"><title>{escape(s.name)}: {_fmt(value)}{escape(unit)}</title>'
                "</rect>"
            )
            out.append(
                f'<text x="{length + 4:.1f}" y="{y + bar_height - 4}" fill="{TEXT}" '
                f'font-size="11">{_fmt(value)}</text>'
            )
            y += bar_height
        out.append(
            f'<line x1="0" y1="{y + 4}" x2="{width}" y2="{y + 4}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        y += 8
    out.append("</svg>")
    return "".join(out)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence]], **kw):
    """``bars`` for templates: series as (name, values) pairs."""
    return bars(title, labels, [Series(name, values) for name, values in series], **kw)
