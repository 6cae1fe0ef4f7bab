"""Server-rendered chart geometry for the dashboard (看板): positions in a 0–100 wide SVG viewBox,
drawn with preserveAspectRatio="none" so the bars stretch to any width and print as vectors.
Every figure placed here was computed by Target.objects.with_progress; this only scales it."""

from dataclasses import dataclass

from targets.choices import Direction

SPAN = 100.0


def _x(value, top):
    return round(min(max(value / top, 0.0), 1.0) * SPAN, 2)


@dataclass(frozen=True)
class Bullet:
    """A bullet chart: the actual bar against the target marker and, for targets with a plan,
    the expected-by-now (序时进度) marker. `ceiling` charts plot the value against its upper limit."""

    actual: float | None
    target: float
    expected: float | None = None
    ceiling: bool = False
    limit: object = None  # a ceiling's limit, as judged: an approved adjustment's value, else the target value


def bullet(target) -> Bullet | None:
    if target.direction == Direction.QUALITATIVE:
        return None
    if target.is_ceiling:
        if target.target_value is None:
            return None
        goal = float(target.effective_target_value)  # an approved adjustment moves the limit
        value = None if target.latest_value is None else float(target.latest_value)
        top = max(goal, value or 0.0) * 1.25 or 1.0
        return Bullet(
            actual=None if value is None else _x(value, top),
            target=_x(goal, top),
            ceiling=True,
            limit=target.effective_target_value,
        )
    percent, expected = target.percent_complete, target.expected_percent
    if percent is None and expected is None:
        return None
    top = max(100.0, percent or 0.0, expected or 0.0) * 1.1
    return Bullet(
        actual=None if percent is None else _x(percent, top),
        target=_x(100.0, top),
        expected=None if expected is None else _x(expected, top),
    )


@dataclass(frozen=True)
class Bar:
    """A progress bar: the share done (capped at the full width) and the expected-by-now tick, with
    the figures themselves for the text alternative."""

    done: float
    expected: float | None
    percent: float | None
    expected_percent: float | None


def progress_bar(percent_complete, expected_percent) -> Bar:
    return Bar(
        done=_x(percent_complete or 0.0, 100.0),
        expected=None if expected_percent is None else _x(expected_percent, 100.0),
        percent=percent_complete,
        expected_percent=expected_percent,
    )


@dataclass(frozen=True)
class Segment:
    status: object
    count: int
    x: float
    width: float
    url: str = ""


def segments(counts, total, url_for=None) -> list[Segment]:
    """A stacked bar of a status mix: one segment per status with targets, in the statuses' order."""
    out, x = [], 0.0
    for status, count in counts:
        if not count or not total:
            continue
        width = round(count / total * SPAN, 2)
        out.append(Segment(status, count, round(x, 2), width, url_for(status) if url_for else ""))
        x += width
    return out
