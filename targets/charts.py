"""Server-rendered SVG geometry of the target page's chart: the values reported (approved ones apart
from those awaiting review) against the goal and the 序时 path. Every figure placed here was computed
by the one computation (selectors.plan_path reads its functions); this only scales it. The SVG itself
is written in templates/targets/progress_chart.html."""

import datetime
import math
from dataclasses import dataclass, field

from .choices import ReviewStatus
from .forms import VALUE_LABELS

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 24, 36, 56  # room for the value ticks, the goal's label and the dates


@dataclass
class Chart:
    start: datetime.date
    end: datetime.date
    goal: object  # the goal line's value: the approved adjusted target value, else the target value
    goal_y: float
    value_label: str  # the y axis: what a value is (累计完成值, 当前值 …) and its unit
    plan: str = ""  # SVG polyline points of the 序时 path; empty for a ceiling (nothing is prorated)
    approved: str = ""  # SVG polyline points through the approved values
    dots: list = field(default_factory=list)  # each value reported: x, y, on, value, pending
    x_ticks: list = field(default_factory=list)  # (x, date)
    y_ticks: list = field(default_factory=list)  # (y, value)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def has_pending(self):
        return any(dot["pending"] for dot in self.dots)


def plotted(target) -> bool:
    """Whether a target has values to plot against a value goal: not a growth rate alone, a
    qualitative target or a value nobody types (为民兴办实事 counts its tasks)."""
    return target.target_value is not None and not target.derivation


def _round_up(value):
    """The top of the value axis: a round number (1, 1.2, 1.5 … 8 times a power of ten) at or above value."""
    if value <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if step * power >= value)


def progress_chart(target, points, plan) -> Chart | None:
    """points: dicts with reported_on, value and review_status, oldest first (selectors.chart_points);
    plan: the 序时 path, goal, start value and deadline (selectors.plan_path)."""
    if not plotted(target) or plan.goal is None:
        return None
    start, end = target.period_start, max(plan.deadline, *(p["reported_on"] for p in points), target.period_start)
    start_from, goal = float(plan.start_from or 0), float(plan.goal)
    # The expected % of the way from where it starts to the goal, as a value.
    path = [(day, start_from + pct / 100.0 * (goal - start_from)) for day, pct in plan.points if pct is not None]
    values = [float(p["value"]) for p in points] + [value for _, value in path] + [goal, start_from]
    top = _round_up(max(values) * 1.05) or 1.0
    low = min(0.0, *values)
    span = max((end - start).days, 1)

    def x(day):
        share = min(max((day - start).days / span, 0.0), 1.0)
        return round(LEFT + share * (WIDTH - RIGHT - LEFT), 1)

    def y(value):
        return round(HEIGHT - BOTTOM - (value - low) / (top - low) * (HEIGHT - BOTTOM - TOP), 1)

    dots = [
        {
            "x": x(p["reported_on"]),
            "y": y(float(p["value"])),
            "on": p["reported_on"],
            "value": p["value"],
            "pending": p["review_status"] == ReviewStatus.SUBMITTED,
        }
        for p in points
    ]
    label = VALUE_LABELS[target.measure]
    years = [datetime.date(year, 1, 1) for year in range(start.year + 1, end.year + 1)]
    return Chart(
        start=start,
        end=end,
        goal=plan.goal,
        goal_y=y(goal),
        value_label=f"{label}（{target.unit}）" if target.unit else str(label),
        plan=" ".join(f"{x(day)},{y(value)}" for day, value in path),
        approved=" ".join(f"{dot['x']},{dot['y']}" for dot in dots if not dot["pending"]),
        dots=dots,
        x_ticks=[(x(day), day) for day in (start, *years, end)],
        y_ticks=[(y(low), low), (y(top), top)],
    )
