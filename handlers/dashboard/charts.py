"""Charts as data for server-rendered SVG (messages/templates/dashboard/charts.j2 draws them).

Pure arithmetic: the bars' positions and sizes in a fixed viewBox that the browser scales
to the screen, so a chart works on a phone as on an office PC, without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 460
ROW = 26  # height of one horizontal bar's row
LABEL_WIDTH = 170  # room for the labels at the left of horizontal bars
VALUE_ROOM = 60  # room for the value at the right of the longest bar


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of a bar (one series), `series` indexes the chart's colours and legend."""

    series: int
    value: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]

    @property
    def end(self) -> float:
        return self.segments[-1].x + self.segments[-1].width if self.segments else LABEL_WIDTH


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, stacked when a row holds several series."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    row: int


def bar_chart(rows: Sequence[tuple[str, Sequence[int]]], *, width: int = WIDTH) -> BarChart:
    """One bar per (label, values per series); lengths are proportional to the largest total."""
    largest = max((sum(values) for _, values in rows), default=0) or 1
    room = width - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for index, (label, values) in enumerate(rows):
        x = float(LABEL_WIDTH)
        segments = []
        for series, value in enumerate(values):
            length = room * value / largest
            if value:
                segments.append(Segment(series, value, round(x, 1), round(length, 1)))
            x += length
        bars.append(Bar(label, sum(values), index * ROW, tuple(segments)))
    return BarChart(tuple(bars), width, max(len(bars), 1) * ROW, LABEL_WIDTH, ROW)


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class ColumnChart:
    """Vertical columns over time (registrations per week)."""

    columns: tuple[Column, ...]
    width: int
    height: int
    baseline: float


def column_chart(points: Sequence[tuple[str, int]], *, width: int = WIDTH, height: int = 180) -> ColumnChart:
    top, bottom = 18.0, 22.0  # room for the values above and the labels below
    baseline = height - bottom
    largest = max((value for _, value in points), default=0) or 1
    step = width / max(len(points), 1)
    columns = []
    for index, (label, value) in enumerate(points):
        length = (baseline - top) * value / largest
        columns.append(
            Column(
                label,
                value,
                round(index * step + step * 0.15, 1),
                round(baseline - length, 1),
                round(step * 0.7, 1),
                round(length, 1),
            )
        )
    return ColumnChart(tuple(columns), width, height, baseline)
