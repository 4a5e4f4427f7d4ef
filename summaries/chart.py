"""The talk-balance-over-time chart, drawn on the server as SVG, with its text alternative.

One stacked bar per bucket of time: the first person's share from the bottom, the second's on
top; a bucket where nobody spoke is an empty frame. Prompts of the facilitator are dots on a
strip under the bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summaries.talk import clock, shares_and_status

WIDTH, HEIGHT = 640, 210
LEFT, RIGHT, TOP = 40, 8, 8
PLOT_HEIGHT = 150
STRIP_Y = TOP + PLOT_HEIGHT + 14
LABEL_Y = STRIP_Y + 22
MAX_LABELS = 7


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    first_y: float
    first_height: float
    second_height: float
    spoke: bool
    label: str  # what a screen reader and the table say about this bar
    span: str
    shares: tuple[int, int] | None


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Mark:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: int
    middle_y: float
    bottom_y: float
    strip_y: int
    label_y: int
    bars: list[Bar]
    ticks: list[Tick]
    marks: list[Mark]
    names: tuple[str, str]
    description: str


def build(
    talk: dict[str, Any], names: tuple[str, str], marks: list[tuple[int, str]]
) -> Chart | None:
    buckets = talk.get("buckets") or []
    size = talk.get("bucketMs") or 0
    if not buckets or not size:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / len(buckets)
    bars = []
    for index, (first_ms, second_ms) in enumerate(buckets):
        span = f"{clock(index * size)} to {clock((index + 1) * size)}"
        spoke = first_ms + second_ms > 0
        shares = _pair(shares_and_status(first_ms, second_ms)[0]) if spoke else None
        first_height = PLOT_HEIGHT * first_ms / (first_ms + second_ms) if spoke else 0.0
        label = (
            f"{span}: {names[0]} {shares[0]} %, {names[1]} {shares[1]} %"
            if shares
            else f"{span}: nobody spoke"
        )
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                width=round(slot * 0.8, 2),
                first_y=round(TOP + PLOT_HEIGHT - first_height, 2),
                first_height=round(first_height, 2),
                second_height=round(PLOT_HEIGHT - first_height, 2) if spoke else 0.0,
                spoke=spoke,
                label=label,
                span=span,
                shares=shares,
            )
        )
    every = max(1, -(-len(buckets) // MAX_LABELS))
    ticks = [
        Tick(round(LEFT + index * slot, 2), clock(index * size))
        for index in range(0, len(buckets), every)
    ]
    total_ms = len(buckets) * size
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        plot_width=plot_width,
        plot_height=PLOT_HEIGHT,
        middle_y=TOP + PLOT_HEIGHT / 2,
        bottom_y=TOP + PLOT_HEIGHT,
        strip_y=STRIP_Y,
        label_y=LABEL_Y,
        bars=bars,
        ticks=ticks,
        marks=[
            Mark(round(LEFT + plot_width * min(at_ms, total_ms) / total_ms, 2), label)
            for at_ms, label in marks
        ],
        names=names,
        description=_describe(talk, names, bars),
    )


def _describe(talk: dict[str, Any], names: tuple[str, str], bars: list[Bar]) -> str:
    shares = talk.get("shares") or []
    if not shares:
        return "Nobody's speech was measured."
    parts = [f"Over the whole session {names[0]} spoke {shares[0]} % and {names[1]} {shares[1]} %."]
    spoken = [(bar.span, bar.shares) for bar in bars if bar.shares is not None]
    if spoken:
        span, widest = max(spoken, key=lambda item: max(item[1]))
        top = 0 if widest[0] >= widest[1] else 1
        parts.append(
            f"The most one-sided stretch was {span}, when {names[top]} spoke {widest[top]} %."
        )
    return " ".join(parts)


def _pair(shares: list[int]) -> tuple[int, int]:
    return shares[0], shares[1]
