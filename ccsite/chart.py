"""The programme progress chart: an SVG drawn at build time, so it needs no JavaScript.

It is a picture of a table that the page also prints (for screen readers and for anyone
who prefers numbers), so the SVG carries a short text alternative and the detail lives in
the table next to it.
"""
from __future__ import annotations

import datetime as dt
from html import escape

from .graph import ProgressStep, TargetProgress

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 32, 36  # (RIGHT: room for half the last year's label)


def progress_chart(progress: list[ProgressStep], targets: list[TargetProgress],
                   today: dt.date, title: str) -> str:
    """An accessible SVG line chart of centres open over time against the targets."""
    dates = [s.date for s in progress] + [t.target.date for t in targets]
    if not dates:
        return ""
    start = dt.date(min(dates).year, 1, 1)
    end = dt.date(max([*dates, min(today, max(dates))]).year + 1, 1, 1)
    top = max([s.centres for s in progress] + [t.target.centres for t in targets] + [1])
    top = _nice_ceiling(top)

    def x(day: dt.date) -> float:
        return LEFT + (day - start).days / (end - start).days * (WIDTH - LEFT - RIGHT)

    def y(count: int) -> float:
        return TOP + (1 - count / top) * (HEIGHT - TOP - BOTTOM)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title">{escape(title)}</title>']
    for tick in _ticks(top):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
                     f'text-anchor="end">{tick}</text>')
    for year in range(start.year, end.year + 1):
        if (end.year - start.year) > 8 and year % 2:
            continue
        px = x(dt.date(year, 1, 1))
        parts.append(f'<text class="axis" x="{px:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle">{year}</text>')
    if progress:
        points = [(x(start), y(0))]
        for step in progress:
            points.append((x(step.date), points[-1][1]))
            points.append((x(step.date), y(step.centres)))
        points.append((x(min(today, end)), y(progress[-1].centres)))
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline class="actual" points="{path}"/>')
    for t in targets:
        cx, cy = x(t.target.date), y(t.target.centres)
        parts.append(f'<g class="target{" met" if t.met else ""}">'
                     f'<path d="M{cx:.1f} {cy - 7:.1f} L{cx + 7:.1f} {cy:.1f} L{cx:.1f} '
                     f'{cy + 7:.1f} L{cx - 7:.1f} {cy:.1f} Z"/>'
                     f'{_label(cx, cy, f"{t.target.label}: {t.target.centres}")}</g>')
    parts.append(f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                 f'y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _label(cx: float, cy: float, text: str) -> str:
    """A target's label beside its marker, on the side with room, inside the picture."""
    if cx > (LEFT + WIDTH - RIGHT) / 2:
        return f'<text x="{cx - 10:.1f}" y="{max(cy - 10, 12):.1f}" text-anchor="end">' \
               f'{escape(text)}</text>'
    return f'<text x="{cx + 10:.1f}" y="{max(cy - 10, 12):.1f}" text-anchor="start">' \
           f'{escape(text)}</text>'


def _nice_ceiling(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def _ticks(top: int) -> list[int]:
    step = max(1, top // 5)
    return list(range(0, top + 1, step))
