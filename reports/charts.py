"""Charts as geometry for server-rendered SVG (templates/reports/_chart.html): no JavaScript,
no third-party code, colours by CSS class (the CSP forbids inline style). Every chart has a
title and a description for screen readers, and the table it was drawn from follows it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 26, 40
ROW_HEIGHT = 30
ROW_LABEL_WIDTH = 190


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str  # what a pointer hover (and some screen readers) shows


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # start | middle | end
    css: str = "axis"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    table_key: str  # the table below the chart that holds its numbers
    height: float
    width: float = WIDTH
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css, label)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "min":
        return f"{round(value)} min"
    return f"{value:g} {unit}".strip()


def columns(
    key: str,
    title: str,
    description: str,
    table_key: str,
    labels: list[str],
    values: list[float | None],
    unit: str,
    *,
    target: float | None = None,
    target_text: str = "",
    height: float = 240,
    titles: list[str] | None = None,
) -> Chart:
    """Vertical bars over categories (days, weeks, hours), with an optional target line;
    bars over the target get their own class."""
    chart = Chart(key, title, description, table_key, height)
    present = [v for v in values if v is not None]
    top = nice_max(max([*present, target or 0, 0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bar_w = max(1.5, slot * 0.72)

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    for tick in (0, top / 2, top):
        y = y_of(tick)
        chart.lines.append(Line(LEFT, y, WIDTH - RIGHT, y, "grid"))
        chart.texts.append(Text(LEFT - 6, y + 4, f"{tick:g}", "end"))
    chart.texts.append(Text(4, 12, unit, "start", "axis unit"))
    every = max(1, math.ceil(len(labels) / 12))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        if value is None:  # nobody measured: a dash on the axis, unlike a bar of zero
            chart.texts.append(Text(x + bar_w / 2, TOP + plot_h - 4, "–", "middle", "axis"))
        else:
            over = target is not None and value > target
            bar_h = max(1.5, TOP + plot_h - y_of(value))  # zero still shows as a line
            chart.rects.append(
                Rect(
                    x,
                    TOP + plot_h - bar_h,
                    bar_w,
                    bar_h,
                    "bar over" if over else "bar",
                    f"{(titles or labels)[i]}: {fmt(value, unit)}",
                )
            )
        if i % every == 0:
            chart.texts.append(Text(x + bar_w / 2, height - BOTTOM + 16, label))
    if target is not None:
        y = y_of(target)
        chart.lines.append(Line(LEFT, y, WIDTH - RIGHT, y, "target"))
        # Named above the plot, where no bar can cover it.
        chart.lines.append(Line(WIDTH - RIGHT - 150, 8, WIDTH - RIGHT - 126, 8, "target"))
        chart.texts.append(Text(WIDTH - RIGHT, 12, f"target {target_text}", "end", "target"))
        chart.legend.extend([("bar", "at or under target"), ("bar over", "over target")])
    return chart


def bars(
    key: str,
    title: str,
    description: str,
    table_key: str,
    labels: list[str],
    values: list[float | None],
    unit: str,
    *,
    css: list[str] | None = None,
) -> Chart:
    """Horizontal bars, one per labelled row, the value written at the end of each."""
    height = TOP + ROW_HEIGHT * len(labels) + 8
    chart = Chart(key, title, description, table_key, height)
    present = [v for v in values if v is not None]
    top = nice_max(max([*present, 0]))
    plot_w = WIDTH - ROW_LABEL_WIDTH - 70
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * ROW_HEIGHT
        chart.texts.append(Text(ROW_LABEL_WIDTH - 8, y + 18, label, "end", "label"))
        width = plot_w * (value or 0) / top
        if value is not None:
            chart.rects.append(
                Rect(
                    ROW_LABEL_WIDTH,
                    y + 5,
                    max(width, 1),
                    ROW_HEIGHT - 10,
                    (css[i] if css else "bar"),
                    f"{label}: {fmt(value, unit)}",
                )
            )
        chart.texts.append(
            Text(ROW_LABEL_WIDTH + width + 6, y + 18, fmt(value, unit), "start", "value")
        )
    return chart


def stacked(
    key: str,
    title: str,
    description: str,
    table_key: str,
    labels: list[str],
    parts: list[list[float]],
    part_labels: list[str],
    part_css: list[str],
) -> Chart:
    """Horizontal 100 % bars, each split into parts (shares of the row's total)."""
    height = TOP + ROW_HEIGHT * len(labels) + 8
    chart = Chart(key, title, description, table_key, height)
    plot_w = WIDTH - ROW_LABEL_WIDTH - 70
    for i, (label, values) in enumerate(zip(labels, parts, strict=True)):
        y = TOP + i * ROW_HEIGHT
        total = sum(values)
        chart.texts.append(Text(ROW_LABEL_WIDTH - 8, y + 18, label, "end", "label"))
        chart.texts.append(Text(WIDTH - 64, y + 18, f"n = {total:g}", "start", "value"))
        x = ROW_LABEL_WIDTH
        for value, part, css in zip(values, part_labels, part_css, strict=True):
            if not total or not value:
                continue
            width = plot_w * value / total
            chart.rects.append(
                Rect(
                    x,
                    y + 5,
                    width,
                    ROW_HEIGHT - 10,
                    css,
                    f"{label}, {part}: {value:g} ({100 * value / total:.1f} %)",
                )
            )
            x += width
    chart.legend.extend(zip(part_css, part_labels, strict=True))
    return chart


def heatmap(
    key: str,
    title: str,
    description: str,
    table_key: str,
    row_labels: list[str],
    grid: list[list[int]],
) -> Chart:
    """Counts by row (weekday) x hour as shaded cells: five steps from none to the busiest."""
    label_w, cell_h = 44, 26
    cell_w = (WIDTH - label_w - RIGHT) / 24
    height = TOP + cell_h * len(row_labels) + 28
    chart = Chart(key, title, description, table_key, height)
    busiest = max((max(r) for r in grid), default=0)
    for r, (label, counts) in enumerate(zip(row_labels, grid, strict=True)):
        y = TOP + r * cell_h
        chart.texts.append(Text(label_w - 6, y + 17, label[:3], "end", "label"))
        for hour, count in enumerate(counts):
            step = 0 if not count or not busiest else min(4, 1 + int(3 * count / busiest))
            chart.rects.append(
                Rect(
                    label_w + hour * cell_w,
                    y,
                    cell_w - 1,
                    cell_h - 1,
                    f"heat heat-{step}",
                    f"{label} {hour:02d}:00–{hour:02d}:59: {count} "
                    + ("arrival" if count == 1 else "arrivals"),
                )
            )
    for hour in range(0, 24, 3):
        chart.texts.append(
            Text(label_w + hour * cell_w + cell_w / 2, height - 8, f"{hour:02d}", "middle")
        )
    chart.legend.extend(
        [("heat heat-0", "none"), ("heat heat-1", "few"), ("heat heat-4", "busiest")]
    )
    return chart
