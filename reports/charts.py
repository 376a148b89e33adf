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

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont

# Colour-blind-safe pair (Okabe-Ito): blue for the plan, vermillion for what happened.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
TEXT = "#1a1a1a"
GRID = "#c8c8c8"

# Charts on web pages are drawn for a phone: a 360 px screen leaves about 330 px of
# content, so a chart this wide keeps its 12 px labels at nearly 12 px there (at 440 they
# shrank to 9 px) and shows at its own size on a desktop. Documents use the default width.
WEB = {"width": 340}


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


FONTS = Path(__file__).parent / "fonts"


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    """Advance widths of the bundled DejaVu Sans by code point, its units per em, and the
    widest advance (for characters it lacks). Read once per process."""
    with TTFont(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")) as font:
        metrics = font["hmtx"].metrics
        widths = {cp: metrics[name][0] for cp, name in font.getBestCmap().items()}
        per_em = font["head"].unitsPerEm
    return widths, per_em, max(widths.values())


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in pixels of ``text`` set in the documents' font at ``size`` (no kerning)."""
    widths, per_em, widest = _advances(bold)
    return sum(widths.get(ord(ch), widest) for ch in text) * size / per_em


def _lines(text: str, size: int, width: float, *, bold: bool = False) -> list[str]:
    """``text`` broken between words into lines no wider than ``width`` at ``size``.

    Why: a bilingual document's labels ("Ден соолугунун мүмкүнчүлүктөрү чектелген адамдар /
    Лица с ограниченными возможностями здоровья") are wider than any chart, and SVG text
    does not wrap by itself: it was cut at the chart's edge. Measured with the font the
    documents embed, the widest of those a browser would pick, so it fits on pages too.
    A single word wider than the chart (none in the catalogues) keeps its own line.
    """
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _text(lines: list[str], x: float, y: float, size: int, line: int, attrs: str = "") -> str:
    """One ``<text>`` with a ``<tspan>`` per line, the first baseline at ``y``."""
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if k == 0 else line}">{escape(t)}</tspan>'
        for k, t in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}" font-size="{size}" fill="{TEXT}"{attrs}>{spans}</text>'


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 640,
    bar_height: int = 14,
    unit: str = "",
) -> str:
    """Horizontal grouped bars: per label, the label on its own lines and one bar per
    series under it, the value at the bar's end.

    Labels above the bars rather than beside them: they are words of up to two languages
    (a bilingual document) that would not fit beside the bars on paper or on a phone.
    Titles, legends and labels wrap between words; the height follows.
    """
    n = len(series)
    label_line = 15
    title_line = 18
    top = _max(series)
    plot = width - 80  # room for the value after the longest bar
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_fmt(s.values[i])}{unit}" for s in series)
        for i, label in enumerate(labels)
    )
    body = []
    title_lines = _lines(title, 14, width, bold=True)
    body.append(_text(title_lines, 0, 15, 14, title_line, ' font-weight="bold"'))
    y = 4 + title_line * len(title_lines) + 6
    if n > 1:
        x = 0
        for k, s in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            advance = 16 + int(text_width(s.name, 12)) + 16
            if x and x + advance > width:  # the next entry on a line of its own
                x, y = 0, y + 18
            body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
            body.append(_text([s.name], x + 16, y + 10, 12, label_line))
            x += advance
        y += 22
    for i, label in enumerate(labels):
        label_lines = _lines(label, 12, width)
        body.append(_text(label_lines, 0, y + 12, 12, label_line))
        y += 4 + label_line * len(label_lines)
        for k, s in enumerate(series):
            value = Decimal(s.values[i])
            length = float(value / top) * plot if value > 0 else 0
            colour = PALETTE[k % len(PALETTE)]
            body.append(
                f'<rect x="0" y="{y}" width="{length:.1f}" height="{bar_height - 2}" '
                f'fill="{colour}"><title>{escape(s.name)}: {_fmt(value)}{escape(unit)}</title>'
                "</rect>"
            )
            body.append(
                f'<text x="{length + 4:.1f}" y="{y + bar_height - 4}" fill="{TEXT}" '
                f'font-size="11">{_fmt(value)}</text>'
            )
            y += bar_height
        body.append(
            f'<line x1="0" y1="{y + 4}" x2="{width}" y2="{y + 4}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        y += 8
    height = y + 4
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="Doc Sans, DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]
    return "".join(head + body + ["</svg>"])


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence]], **kw):
    """``bars`` for templates: series as (name, values) pairs."""
    return bars(title, labels, [Series(name, values) for name, values in series], **kw)
