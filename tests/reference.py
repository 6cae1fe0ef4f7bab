"""docs/figures.md restated in plain Python: a witness for the differential test, never read by a
page. Each rule that decides a figure names itself in `Standing.rules`, so that the test can prove
every rule of the spec was exercised.

The arithmetic follows the database's where it matters for the last digit: percentages are computed
in floating point and rounded to one decimal half away from zero, as PostgreSQL's ROUND(float::numeric, 1)
does (a float becomes numeric through its 15 significant digits)."""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DONE, ON_TRACK, LAGGING, FAR_BEHIND = "done", "on_track", "lagging", "far_behind"
OVERDUE, NO_DATA, MET, BREACHED = "overdue", "no_data", "met", "breached"
NOT_STARTED, IN_PROGRESS = "not_started", "in_progress"
RANKS = {DONE: 1, ON_TRACK: 2, LAGGING: 3, FAR_BEHIND: 4}
BAND = Decimal("0.05")  # 左右: within 5 % of the goal, below it


@dataclass
class Standing:
    latest_value: Decimal | None = None
    latest_growth_rate: Decimal | None = None
    latest_reported_on: datetime.date | None = None
    percent_complete: float | None = None
    completion_rate: float | None = None
    expected_percent: float | None = None
    growth_percent: float | None = None
    growth_expected_percent: float | None = None
    gap: Decimal | None = None
    growth_gap: Decimal | None = None
    status: str = NO_DATA
    reached: bool = False  # its goal reached (a qualitative target: at stage 已完成)
    rules: set = field(default_factory=set)


def round1(x):
    if x is None:
        return None
    return float(Decimal(f"{x:.15g}").quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def share(day, start, end):
    """The share of the days from start to end (both counted) gone by on day, within 0…1."""
    days = (end - start).days + 1
    return 0.0 if days == 0 else min(1.0, max(0.0, ((day - start).days + 1) / days))


def reached(direction, subject, goal):
    if subject is None or goal is None:
        return False
    if direction == "approximately":
        return subject >= goal - BAND * abs(goal)
    if direction == "at_least":
        return subject >= goal
    if direction == "at_most":
        return subject <= goal
    return False


def rank_by(percent, expected, tolerance):
    if percent is not None and expected is not None and percent >= expected - tolerance:
        return ON_TRACK
    if percent is not None and expected is not None and percent >= expected - 2 * tolerance:
        return LAGGING
    return FAR_BEHIND


def counted_entry(entries, *, as_of, include_pending):
    """The latest entry on or before as_of among the approved ones (and pending, if asked)."""
    states = {"approved", "submitted"} if include_pending else {"approved"}
    counted = [e for e in entries if e.reported_on <= as_of and e.review_status in states]
    return max(counted, key=lambda e: (e.reported_on, e.id), default=None)


def standing(t, entries, checkpoints, *, as_of, include_pending=False, tolerance=10):  # noqa: C901
    """Where target t stands on as_of, by docs/figures.md."""
    out = Standing()
    rules = out.rules
    e = counted_entry(entries, as_of=as_of, include_pending=include_pending)
    v, g = (e.value, e.growth_rate) if e else (None, None)
    stage = e.stage if e else ""
    out.latest_value, out.latest_growth_rate = v, g
    out.latest_reported_on = e.reported_on if e else None

    qualitative = t.direction == "qualitative"
    rated = t.direction not in ("at_most", "qualitative")
    over_period = t.growth_basis == "over_period"
    G = t.growth_rate_target
    goal = next((x for x in (t.adjusted_target_value, t.target_value, G) if x is not None), None)
    deadline = t.adjusted_deadline or t.deadline
    start_from = (t.baseline_value or Decimal(0)) if t.measure == "level" and t.target_value is not None else Decimal(0)
    if t.target_value is None:
        subject = g
    elif t.measure == "annual" and e and e.reported_on < datetime.date(as_of.year, 1, 1):
        subject = None
        rules.add("yearly goal: an earlier year's figure does not count")
    else:
        subject = v
    day = out.latest_reported_on if subject is not None else as_of  # D, the day the figure describes
    whole = share(day, t.period_start, deadline)

    # 进度, 完成率
    if t.direction == "at_most":
        pass
    elif qualitative:
        out.percent_complete = 100.0 if stage == "completed" else None
    elif subject is not None and goal - start_from != 0:
        out.percent_complete = round1(100.0 * float(subject - start_from) / float(goal - start_from))
        rules.add("进度 from the baseline" if start_from else "进度 from 0")
    if rated and t.target_value is not None and subject is not None and goal != 0:
        out.completion_rate = round1(100.0 * float(subject) / float(goal))

    # 序时
    growth_goal = float(G) / 100.0 if G is not None else None
    compound_growth = 100.0 * (math.pow(1.0 + growth_goal, whole) - 1.0) / growth_goal if G and G > 0 else None
    cps_before = [c for c in checkpoints if c.due_on <= day]
    cps_after = [c for c in checkpoints if c.due_on > day]
    if not rated:
        expected = None
    elif t.target_value is None and over_period and G > 0:
        expected = compound_growth
        rules.add("序时: growth over the period compounds")
    elif t.target_value is None:
        expected = 100.0
        rules.add("序时: a rate is never prorated")
    elif t.measure == "annual":
        expected = 100.0 * share(
            day, max(t.period_start, datetime.date(day.year, 1, 1)), min(deadline, datetime.date(day.year, 12, 31))
        )
        rules.add("序时: the calendar of the figure's year")
    elif cps_before or cps_after:
        expected = checkpoint_percent(t, cps_before, cps_after, day, start_from, goal, deadline)
        rules.add("序时: between checkpoints")
    elif over_period and start_from > 0 and goal > start_from:
        ratio = float(goal) / float(start_from)
        expected = None if ratio - 1.0 == 0 else 100.0 * (math.pow(ratio, whole) - 1.0) / (ratio - 1.0)
        rules.add("序时: a level on the compounding path")
    else:
        expected = 100.0 * whole
        rules.add("序时: a straight line")
    out.expected_percent = round1(expected)
    if rated and G is not None and G > 0:
        out.growth_percent = round1(100.0 * float(g) / float(G)) if g is not None else None
        out.growth_expected_percent = round1(compound_growth) if over_period else 100.0

    # gaps
    is_reached = reached(t.direction, subject, goal)
    out.reached = stage == "completed" if qualitative else is_reached
    if subject is not None and not qualitative:
        if is_reached:
            out.gap = Decimal(0)
        else:
            out.gap = subject - goal if t.direction == "at_most" else goal - subject
    if g is not None and G is not None and not qualitative:
        out.growth_gap = max(g - G, Decimal(0)) if t.direction == "at_most" else max(G - g, Decimal(0))

    out.status = status(
        t, out, rules, as_of=as_of, deadline=deadline, day=day, subject=subject, goal=goal, stage=stage,
        is_reached=is_reached, tolerance=tolerance,
    )  # fmt: skip
    return out


def status(t, out, rules, *, as_of, deadline, day, subject, goal, stage, is_reached, tolerance):
    qualitative = t.direction == "qualitative"
    past = deadline < as_of
    if out.latest_reported_on is None or (qualitative and stage == ""):
        rules.add("nothing counted")
        return OVERDUE if past and t.direction != "at_most" else NO_DATA
    if not qualitative and subject is None:
        return NO_DATA
    if t.direction == "at_most":
        rules.add("a ceiling")
        return MET if is_reached else BREACHED
    if qualitative:
        rules.add("qualitative")
        if stage == "completed":
            return DONE
        if past:
            return OVERDUE
        return IN_PROGRESS if stage == "in_progress" else NOT_STARTED
    parts = []
    if t.target_value is not None:
        parts.append(DONE if is_reached else rank_by(out.percent_complete, out.expected_percent, tolerance))
    g, G = out.latest_growth_rate, t.growth_rate_target
    if G is not None and g is not None:
        if reached(t.direction, g, G):
            done = t.growth_basis == "over_period" or day >= deadline
            parts.append(DONE if done else ON_TRACK)
            rules.add("growth reached" + (" and settled" if done else " before the final figure"))
        else:
            parts.append(rank_by(out.growth_percent, out.growth_expected_percent, tolerance))
    if len(parts) == 2:
        rules.add("a level and a rate: the worse decides")
    worst = max(parts, key=RANKS.__getitem__)
    if worst == DONE:
        rules.add("rank done")
        return DONE
    if past:
        rules.add("past the deadline")
        return OVERDUE
    rules.add(f"rank {worst}")
    return worst


def checkpoint_percent(t, before, after, day, start_from, goal, deadline):
    """The planned value between the checkpoints either side of day, as a share of the way."""
    prev = max(before, key=lambda c: c.due_on, default=None)
    nxt = min(after, key=lambda c: c.due_on, default=None)
    prev_on = prev.due_on if prev else t.period_start - datetime.timedelta(days=1)
    prev_value = prev.planned_value if prev else start_from
    next_on = nxt.due_on if nxt else deadline
    next_value = nxt.planned_value if nxt else goal
    days = (next_on - prev_on).days
    along = 1.0 if days == 0 else min(1.0, (day - prev_on).days / days)
    planned = float(prev_value) + float(next_value - prev_value) * along
    if goal - start_from == 0:
        return 0.0
    return min(100.0, max(0.0, 100.0 * (planned - float(start_from)) / float(goal - start_from)))


def tasks_done(tasks):
    """为民兴办实事: the number of tasks (each a list of its targets' standings) every target of
    which has reached its goal."""
    return sum(1 for metrics in tasks if metrics and all(s.reached for s in metrics))
