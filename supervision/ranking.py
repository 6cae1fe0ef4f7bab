"""考核: the departments ranked by on-track share, overdue count and timeliness of reporting, on any date.

A department answers for the targets it leads or supports (as the dashboard counts them). The
standing of each target comes from the one computation (`targets.selectors.target_ledger`); this
module only counts what it returned. Timeliness (按时填报率) looks at the reporting periods closed by
`as_of`: for every target active in such a period, was an entry dated inside the period submitted
before the period was first closed? (A reopening does not make a late entry timely.)

The ranking: the larger on-track share first, then the fewer overdue, then the better timeliness;
departments equal on all three share a rank.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DateTimeField, F, Min, OuterRef, Subquery
from django.db.models.functions import TruncDate

from targets import selectors
from targets.choices import ON_TRACK_STATUSES, ReviewStatus, Status
from targets.models import Department, ProgressEntry, ReportingPeriodLock, Target
from targets.periods import Period


@dataclass
class DepartmentScore:
    department: Department
    targets: int = 0
    on_track: int = 0
    overdue: int = 0
    due_reports: int = 0  # (target, closed period) pairs that called for a report
    timely_reports: int = 0  # of those, reported before the period closed
    last_reported_on: datetime.date | None = None
    rank: int = 0
    target_ids: set = field(default_factory=set, repr=False)

    @property
    def on_track_share(self) -> float | None:
        return round(100.0 * self.on_track / self.targets, 1) if self.targets else None

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
    closed_periods: list
    scores: list


def closed_periods(report, as_of: datetime.date) -> list[tuple[Period, datetime.datetime]]:
    """The periods of `report` closed on or before `as_of`, each with the time it was first closed."""
    first_closes = (
        ReportingPeriodLock.objects.filter(report=report)
        .values("period_start", "period_end")
        .annotate(first_closed_at=Min("closed_at"))
        .annotate(first_closed_on=TruncDate("first_closed_at"))
        .filter(first_closed_on__lte=as_of)
        .order_by("period_start")
    )
    return [(Period(row["period_start"], row["period_end"]), row["first_closed_at"]) for row in first_closes]


def timely_reports(target_ids, closed: list) -> set[tuple[int, datetime.date]]:
    """(target id, period start) for each target that reported inside a closed period before its first
    close. Returned entries do not count (a report sent back was not a report); one query."""
    if not closed:
        return set()
    first_close = (
        ReportingPeriodLock.objects.filter(
            report_id=OuterRef("target__report_id"),
            period_start__lte=OuterRef("reported_on"),
            period_end__gte=OuterRef("reported_on"),
        )
        .order_by("closed_at")
        .values("closed_at")[:1]
    )
    period_start = (
        ReportingPeriodLock.objects.filter(
            report_id=OuterRef("target__report_id"),
            period_start__lte=OuterRef("reported_on"),
            period_end__gte=OuterRef("reported_on"),
        )
        .order_by("closed_at")
        .values("period_start")[:1]
    )
    latest_close = max(closed_at for _period, closed_at in closed)
    entries = (
        ProgressEntry.objects.filter(
            target_id__in=target_ids,
            review_status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
            reported_on__gte=closed[0][0].start,
            reported_on__lte=closed[-1][0].end,
            created_at__lte=latest_close,
        )
        .annotate(first_close=Subquery(first_close, output_field=DateTimeField()), period=Subquery(period_start))
        .filter(created_at__lt=F("first_close"))
        .values_list("target_id", "period")
        .distinct()
    )
    closed_starts = {period.start for period, _closed_at in closed}
    return {(target_id, start) for target_id, start in entries if start in closed_starts}


def department_ranking(*, user, report, as_of: datetime.date, include_pending: bool = False) -> Ranking:
    """Every department with visible targets, scored and ranked; four queries in all."""
    co_units = Target.co_departments.through.objects.filter(target=OuterRef("pk")).values("department_id")
    targets = list(
        selectors.target_ledger(user=user, report=report, as_of=as_of, include_pending=include_pending)
        .annotate(co_department_ids=ArraySubquery(co_units))
        .select_related(None)
        .only("pk", "period_start", "deadline", "adjusted_deadline", "lead_department_id", "report_id")
        .order_by()
    )
    closed = closed_periods(report, as_of)
    timely = timely_reports([t.pk for t in targets], closed)

    scores: dict[int, DepartmentScore] = {}
    for target in targets:
        due = [
            period.start
            for period, _closed_at in closed
            if period.start <= target.effective_deadline and period.end >= target.period_start
        ]
        reported = sum(1 for start in due if (target.pk, start) in timely)
        for department_id in {target.lead_department_id, *target.co_department_ids}:
            score = scores.setdefault(department_id, DepartmentScore(department=None))
            score.targets += 1
            score.on_track += target.status in ON_TRACK_STATUSES
            score.overdue += target.status == Status.OVERDUE
            score.due_reports += len(due)
            score.timely_reports += reported
            if target.latest_reported_on and (
                score.last_reported_on is None or target.latest_reported_on > score.last_reported_on
            ):
                score.last_reported_on = target.latest_reported_on

    for department in Department.objects.filter(pk__in=scores).only("code", "name", "order"):
        scores[department.pk].department = department
    ranked = sorted(scores.values(), key=lambda s: (s.sort_key(), s.department.order, s.department.code))
    previous_key, rank = None, 0
    for position, score in enumerate(ranked, 1):
        if score.sort_key() != previous_key:
            rank, previous_key = position, score.sort_key()
        score.rank = rank
    return Ranking(
        report=report,
        as_of=as_of,
        include_pending=include_pending,
        closed_periods=[period for period, _closed_at in closed],
        scores=ranked,
    )
