"""Bar charts drawn on the server as SVG (pure): readable without JavaScript, in the page's
own markup (no script, no style attribute: the colours and sizes are SVG attributes), each
with a text equivalent for those who do not see it (`aria-label`, and the table beside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PLEDGED = "#0b5d4b"  # the site's accent, 7.6:1 on white
MATCHED = "#b35c00"  # 4.6:1 on white: a bar against the page, with its legend in text
TRACK = "#f4f1ea"
WIDTH = 320  # the drawing's own units; it scales to the column (viewBox)
BAR = 18
GAP = 34


@dataclass(frozen=True)
class Bar:
    label: str
    pledged: int  # cents
    matched: int  # cents
    said: str  # the bar in words: "2 026 : 800,00 EUR promis, 700,00 EUR abondés"


def _width(cents: int, scale: int) -> float:
    return round(WIDTH * cents / scale, 2) if scale > 0 else 0.0


def bars_svg(bars: list[Bar], title: str, words: str) -> str:
    """Horizontal stacked bars (pledged, then matched), one per line, its label above it.
    `title`: what the chart shows; `words`: the whole chart said in a sentence."""
    scale = max((b.pledged + b.matched for b in bars), default=0)
    height = GAP * len(bars) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img"'
        f' aria-label="{escape(title)} : {escape(words)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for n, bar in enumerate(bars):
        y = n * GAP
        pledged = _width(bar.pledged, scale)
        matched = _width(bar.matched, scale)
        parts.append(f"<g><title>{escape(bar.said)}</title>")
        parts.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#1d1d1f">'
                     f"{escape(bar.label)}</text>")  # fmt: skip
        parts.append(f'<rect x="0" y="{y + 16}" width="{WIDTH}" height="{BAR - 4}" '
                     f'fill="{TRACK}"/>')  # fmt: skip
        parts.append(f'<rect x="0" y="{y + 16}" width="{pledged}" height="{BAR - 4}" '
                     f'fill="{PLEDGED}"/>')  # fmt: skip
        parts.append(f'<rect x="{pledged}" y="{y + 16}" width="{matched}" height="{BAR - 4}" '
                     f'fill="{MATCHED}"/>')  # fmt: skip
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def progress_svg(pledged: int, matched: int, budget: int, words: str) -> str:
    """A step's progress towards its budget: pledged, then matched, on the budget's track
    (beyond the budget, the bar is full and `words` says by how much)."""
    scale = max(budget, pledged + matched, 1)
    first = _width(pledged, scale)
    second = _width(matched, scale)
    mark = _width(budget, scale)
    return (
        f'<svg class="progress" viewBox="0 0 {WIDTH} 24" width="100%" role="img"'
        f' aria-label="{escape(words)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(words)}</title>"
        f'<rect x="0" y="4" width="{WIDTH}" height="16" fill="{TRACK}" stroke="#4a4a50"/>'
        f'<rect x="0" y="4" width="{first}" height="16" fill="{PLEDGED}"/>'
        f'<rect x="{first}" y="4" width="{second}" height="16" fill="{MATCHED}"/>'
        f'<line x1="{mark}" y1="0" x2="{mark}" y2="24" stroke="#1d1d1f" stroke-width="2"/>'
        "</svg>"
    )
