"""Server-rendered SVG geometry: the chart of a target's cumulative value against its plan."""

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 560, 200, 36


@dataclass
class Chart:
    actual: str  # SVG polyline points
    plan: str
    dots: list
    y_max: float
    start: datetime.date
    end: datetime.date
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def progress_chart(target, points) -> Chart | None:
    """Plot reported values (points: dicts with reported_on and value) and the plan: the straight
    line, or the checkpoints, from the baseline at the start to the target at the deadline."""
    if target.target_value is None:
        return None
    base = float(target.baseline_value or 0) if target.measure == "level" else 0.0
    plan = [(target.period_start, base)]
    plan += [(c.due_on, float(c.planned_value)) for c in target.checkpoints.all()]
    plan.append((target.deadline, float(target.target_value)))
    values = [float(p["value"]) for p in points] + [v for _, v in plan]
    y_max = max(values) * 1.1 or 1.0
    y_min = min(0.0, min(values))
    span_days = max((target.deadline - target.period_start).days, 1)

    def x(day):
        share = min(max((day - target.period_start).days / span_days, 0.0), 1.0)
        return round(PAD + share * (WIDTH - 2 * PAD), 1)

    def y(value):
        return round(HEIGHT - PAD - (value - y_min) / (y_max - y_min) * (HEIGHT - 2 * PAD), 1)

    dots = [
        {"x": x(p["reported_on"]), "y": y(float(p["value"])), "on": p["reported_on"], "value": p["value"]}
        for p in points
    ]
    return Chart(
        actual=" ".join(f"{d['x']},{d['y']}" for d in dots),
        plan=" ".join(f"{x(day)},{y(value)}" for day, value in plan),
        dots=dots,
        y_max=y_max,
        start=target.period_start,
        end=target.deadline,
    )
