"""考核排名: each department scored on the targets it leads and supports, ranked, on any date.

The rule, stated on the page and in docs/figures.md: a target the department leads (牵头) weighs
LED_WEIGHT, one it supports (配合) SUPPORTED_WEIGHT. 正常推进占比 is the weighted share of its targets
on track (status from with_progress); 逾期 counts the led targets overdue; 按时填报率 is the share of
the reports its led targets owed (their cycles' periods whose due day had passed by the date) that
came in by the due day (supervision.cycles), so it means something before any period is closed.
Departments rank by 正常推进占比 (higher first), then 逾期 (fewer first), then 按时填报率 (higher first).
"""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from targets import selectors
from targets.choices import ON_TRACK_STATUSES, Status
from targets.models import Department, Target

from . import cycles

LED_WEIGHT = 1.0
SUPPORTED_WEIGHT = 0.5


@dataclass
class DepartmentScore:
    department: Department
    led: int = 0
    supported: int = 0
    weight: float = 0.0  # Σ weight of its targets
    on_track: int = 0  # its targets on track, led or supported
    on_track_weight: float = 0.0
    overdue: int = 0  # led targets overdue
    due_reports: int = 0  # reports its led targets owed by the date
    timely_reports: int = 0  # of those, in by the due day
    last_reported_on: datetime.date | None = None
    rank: int = 0

    @property
    def targets(self) -> int:
        return self.led + self.supported

    @property
    def on_track_share(self) -> float | None:
        return round(100.0 * self.on_track_weight / self.weight, 1) if self.weight else None

    @property
    def timeliness(self) -> float | None:
        return round(100.0 * self.timely_reports / self.due_reports, 1) if self.due_reports else None

    def sort_key(self):
        # Ascending sorts best first: a department with nothing due is neither rewarded nor punished
        # for timeliness (it sorts after every department that reported on time).
        timeliness = self.timeliness
        return (-(self.on_track_share or 0.0), self.overdue, -(timeliness if timeliness is not None else -1.0))


@dataclass
class Ranking:
    report: object
    as_of: datetime.date
    include_pending: bool
    scores: list


def department_ranking(*, user, report, as_of: datetime.date, include_pending: bool = False) -> Ranking:
    """Every department with visible targets, scored and ranked; six queries in all."""
    co_units = Target.co_departments.through.objects.filter(target=OuterRef("pk")).values("department_id")
    targets = list(
        selectors.target_ledger(user=user, report=report, as_of=as_of, include_pending=include_pending)
        .annotate(co_department_ids=ArraySubquery(co_units))
        .select_related(None)
        .only("pk", "lead_department_id", "report_id")
        .order_by()
    )
    scores: dict[int, DepartmentScore] = {}

    def score_of(department_id):
        return scores.setdefault(department_id, DepartmentScore(department=None))

    for target in targets:
        on_track = target.status in ON_TRACK_STATUSES
        for department_id, weight in (
            (target.lead_department_id, LED_WEIGHT),
            *((co, SUPPORTED_WEIGHT) for co in target.co_department_ids if co != target.lead_department_id),
        ):
            score = score_of(department_id)
            if weight == LED_WEIGHT:
                score.led += 1
                score.overdue += target.status == Status.OVERDUE
            else:
                score.supported += 1
            score.weight += weight
            score.on_track += on_track
            score.on_track_weight += weight * on_track
            if target.latest_reported_on and (
                score.last_reported_on is None or target.latest_reported_on > score.last_reported_on
            ):
                score.last_reported_on = target.latest_reported_on

    owed = cycles.obligations(
        report=report, as_of=as_of, targets=Target.objects.filter(pk__in=[t.pk for t in targets]), history=True
    )
    for obligation in owed:
        if obligation.is_judged:
            score = score_of(obligation.target.lead_department_id)
            score.due_reports += 1
            score.timely_reports += obligation.state == cycles.DueState.ON_TIME

    for department in Department.objects.filter(pk__in=scores).only("code", "name", "order"):
        scores[department.pk].department = department
    ranked = sorted(scores.values(), key=lambda s: (s.sort_key(), s.department.order, s.department.code))
    previous_key, rank = None, 0
    for position, score in enumerate(ranked, 1):
        if score.sort_key() != previous_key:
            rank, previous_key = position, score.sort_key()
        score.rank = rank
    return Ranking(report=report, as_of=as_of, include_pending=include_pending, scores=ranked)
