"""The impact of a change drawn for the preview site: inline SVG, no script.

Two small charts per program the change moves: MQLs by week before and after
(two lines), and emails sent per email before and after (pairs of bars). Every
series carries its numbers in ``data-values`` as well, so the page can be read
by a tool and a reviewer can hover a point for its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from campaignkit.review.impact import ProgramImpact

_WIDTH, _HEIGHT, _PAD = 480, 160, 28
_BAR, _GAP, _LABEL = 10, 8, 14
_COLOURS = {"before": "#9ca3af", "after": "#2563eb"}


def mqls_chart(impact: ProgramImpact) -> Markup:
    """MQLs by week as two lines, before (grey) and after (blue), on one scale."""
    before = _summary(impact, "before").get("mqls_by_week", [])
    after = _summary(impact, "after")["mqls_by_week"]
    peak = max([*before, *after], default=0)
    top = max(peak, 1)
    weeks = max(len(before), len(after), 2)
    lines = "".join(_line(side, values, top, weeks) for side, values in (("before", before), ("after", after))
                    if values)
    axis = (f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - 4}" y2="{_HEIGHT - _PAD}" stroke="#e5e7eb"/>'
            f'<text x="{_PAD}" y="{_HEIGHT - 8}" font-size="11">week 1</text>'
            f'<text x="{_WIDTH - 4}" y="{_HEIGHT - 8}" font-size="11" text-anchor="end">week {weeks}</text>'
            f'<text x="4" y="{_PAD - 8}" font-size="11">{peak:,} MQLs in the busiest week</text>')
    return _svg("mqls", f"MQLs by week of {impact.program}, before and after", _WIDTH, _HEIGHT, axis + lines)


def emails_chart(impact: ProgramImpact) -> Markup:
    """Emails sent per email: its address, then a grey bar (before) above a blue one (after), on one scale."""
    before = _summary(impact, "before").get("emails", {})
    after = _summary(impact, "after")["emails"]
    names = sorted(before.keys() | after.keys())
    top = max([*before.values(), *after.values(), 1])
    row = _LABEL + 2 * _BAR + _GAP
    rows = "".join(_bars(index * row, name, before.get(name, 0), after.get(name, 0), top)
                   for index, name in enumerate(names))
    return _svg("emails", f"Emails sent per email by {impact.program}, before and after", _WIDTH,
                max(len(names) * row, row), rows)


def _summary(impact: ProgramImpact, side: str) -> dict[str, Any]:
    return impact.as_json()[side] or {}


def _line(side: str, values: Sequence[int], top: int, weeks: int) -> str:
    step = (_WIDTH - _PAD - 4) / (weeks - 1)
    points = " ".join(f"{_PAD + i * step:.1f},{_y(v, top):.1f}" for i, v in enumerate(values))
    return (f'<polyline class="{side}" data-series="{side}" data-values="{_numbers(values)}" fill="none" '
            f'stroke="{_COLOURS[side]}" stroke-width="2"{_dashed(side)} points="{points}">'
            f'<title>{side}: {_numbers(values)}</title></polyline>')


def _y(value: int, top: int) -> float:
    return _HEIGHT - _PAD - value / top * (_HEIGHT - 2 * _PAD)


def _bars(y: int, name: str, before: int, after: int, top: int) -> str:
    width = _WIDTH - 60
    bars = "".join(
        f'<rect class="{side}" data-series="{side}" data-email="{escape(name)}" data-values="{count}" '
        f'x="0" y="{y + _LABEL + offset}" width="{count / top * width:.1f}" height="{_BAR - 1}" '
        f'fill="{_COLOURS[side]}"><title>{side}: {count:,}</title></rect>'
        f'<text x="{count / top * width + 4:.1f}" y="{y + _LABEL + offset + _BAR - 1}" font-size="10">{count:,}</text>'
        for side, count, offset in (("before", before, 0), ("after", after, _BAR)))
    return f'<text x="0" y="{y + _LABEL - 3}" font-size="11">{escape(name)}</text>{bars}'


def _dashed(side: str) -> str:
    return ' stroke-dasharray="4 3"' if side == "before" else ""


def _numbers(values: Sequence[int]) -> str:
    return " ".join(str(v) for v in values)


def _svg(kind: str, title: str, width: int, height: int, body: str) -> Markup:
    return Markup(f'<svg class="impact-chart {kind}" role="img" viewBox="0 0 {width} {height}" width="{width}" '
                  f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
                  f'{body}</svg>')
