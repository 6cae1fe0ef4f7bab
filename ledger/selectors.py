"""The dashboard's figures (看板): counts by status, overall completion, how many targets are behind
序时进度, the main indicators, the 20 practical tasks, the six areas of part 三, the departments'
standing, laggards and stale reporting.

Everything is read in one pass over the annotated ledger (`targets.selectors.target_ledger`): one
query for the targets with their standing, plus the small tables that name things (practical tasks,
areas, departments). A target's status, % complete and expected % are never recomputed here; this
module only counts, averages and sorts what the one computation returned. The user scopes it:
reporters see their department's targets (led or supported), officials, supervisors and admins
see everything."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.urls import reverse

from projects.models import PracticalTask
from supervision import cycles
from targets import columns, roles, selectors
from targets.choices import ACHIEVED_STATUSES, BEHIND_ORDER, BEHIND_STATUSES, ON_TRACK_STATUSES, Kind, Status
from targets.models import Department, Section, Target
from targets.tables import target_url

from . import charts, rows

AREAS_PART = "3"  # 三、…的主要工作: its numbered areas (3.1 … 3.6) and their sub-sections
# Stale (docs/figures.md): no counted report for 30 days or more; the one rule for the list, its KPI and
# the department table's column.
STALE_AFTER_DAYS = 30
LIST_LIMIT = 15
# The headline always shows these, even at zero; the others only when some target has them.
HEADLINE_STATUSES = frozenset(
    {Status.DONE, Status.ON_TRACK, Status.LAGGING, Status.FAR_BEHIND, Status.OVERDUE, Status.NO_DATA}
)


class ListLink:
    """The URL of the target list behind a figure: its filters plus the dashboard's report, as-of
    date and pending switch (filter names as targets.filters.TargetFilter spells them)."""

    def __init__(self, report, as_of, include_pending):
        base = {"report": report.code, "as_of": as_of.isoformat()}
        if include_pending:
            base["pending"] = "1"
        self.path = reverse("target-list")
        self.base = urlencode(base)

    def __call__(self, **filters):
        query = urlencode({key: value for key, value in filters.items() if value not in (None, "")})
        return f"{self.path}?{query}&{self.base}" if query else f"{self.path}?{self.base}"


@dataclass
class Tally:
    """The standing of a group of targets: counts by status, the average % complete of those with a
    plan (capped at 100, a target with nothing counted as 0) against their average expected %,
    and the date of the latest counted report."""

    total: int = 0
    counts: Counter = field(default_factory=Counter)
    planned: int = 0
    percent_sum: float = 0.0
    expected_sum: float = 0.0
    last_reported_on: datetime.date | None = None

    def add(self, target):
        self.count(target.status)
        if target.expected_percent is not None:
            self.planned += 1
            self.percent_sum += min(max(target.percent_complete or 0.0, 0.0), 100.0)
            self.expected_sum += target.expected_percent
        if target.latest_reported_on and (
            self.last_reported_on is None or target.latest_reported_on > self.last_reported_on
        ):
            self.last_reported_on = target.latest_reported_on

    def count(self, status):
        """One more target of `status` (all that on_track_share reads)."""
        self.total += 1
        self.counts[status] += 1

    @property
    def average_percent(self):
        return round(self.percent_sum / self.planned, 1) if self.planned else None

    @property
    def average_expected(self):
        return round(self.expected_sum / self.planned, 1) if self.planned else None

    @property
    def achieved(self):
        return sum(self.counts[status] for status in ACHIEVED_STATUSES)

    @property
    def on_track(self):
        return sum(self.counts[status] for status in ON_TRACK_STATUSES)

    @property
    def behind(self):
        return sum(self.counts[status] for status in BEHIND_STATUSES)

    @property
    def overdue(self):
        return self.counts[Status.OVERDUE]

    def share(self, count):
        return round(100.0 * count / self.total, 1) if self.total else None

    @property
    def achieved_share(self):
        return self.share(self.achieved)

    @property
    def on_track_share(self):
        return self.share(self.on_track)

    def status_counts(self):
        """(status, count) for every status, in the statuses' order."""
        return [(status, self.counts[status]) for status in Status]

    def bar(self):
        return charts.progress_bar(self.average_percent, self.average_expected)


@dataclass
class StatusFigure:
    status: Status
    count: int
    share: float | None
    url: str


@dataclass
class Area:
    """One of part 三's areas (3.1 … 3.6) and the targets in it or below it."""

    section: Section
    tally: Tally
    url: str
    segments: list = field(default_factory=list)
    behind_url: str = ""


@dataclass
class DepartmentStanding:
    """A department's targets, led or supported (as the list's 责任单位 filter counts them)."""

    department: Department
    tally: Tally
    url: str
    overdue_url: str
    segments: list = field(default_factory=list)
    days_since_report: int | None = None
    on_track_change: float | None = None  # 环比

    @property
    def is_stale(self) -> bool:
        """None of its targets reported for STALE_AFTER_DAYS days or more."""
        return self.days_since_report is None or self.days_since_report >= STALE_AFTER_DAYS


@dataclass
class PracticalTaskCard:
    """A practical task (实事) and its metrics; it is done when all its metrics reached their goals
    (goal_reached, the rule M10's count of tasks done reads too)."""

    task: PracticalTask
    metrics: list
    url: str

    @property
    def metrics_done(self):
        return sum(1 for metric in self.metrics if metric.goal_reached)

    @property
    def done(self):
        return bool(self.metrics) and self.metrics_done == len(self.metrics)

    @property
    def worst_status(self):
        """The colour of the card: done when done, otherwise its most urgent metric's status."""
        if self.done:
            return Status.DONE
        statuses = {metric.status for metric in self.metrics}
        for status in (*BEHIND_ORDER, Status.NO_DATA, Status.NOT_STARTED, Status.IN_PROGRESS, Status.ON_TRACK):
            if status in statuses:
                return Status(status)
        return Status.NO_DATA


@dataclass
class Dashboard:
    report: object
    as_of: datetime.date
    include_pending: bool
    sees_everything: bool
    department: Department | None
    overall: Tally
    statuses: list
    main_indicators: list
    practical_tasks: list
    areas: list
    departments: list
    laggards: list
    laggards_total: int
    stale: list
    stale_total: int
    stale_since: datetime.date
    list_url: ListLink
    previous_as_of: datetime.date  # 环比's day: the end of the month before as_of
    on_track_change: float | None  # 环比 of 正常推进占比, in percentage points
    reports: cycles.Tally  # what is due, on time, late and missing of the latest periods

    @property
    def headline_statuses(self):
        return [figure for figure in self.statuses if figure.count or figure.status in HEADLINE_STATUSES]

    @property
    def status_urls(self):
        """The list of each status, by value (for the template: board.status_urls.overdue)."""
        return {figure.status.value: figure.url for figure in self.statuses}

    @property
    def practical_tasks_done(self):
        return sum(1 for card in self.practical_tasks if card.done)

    @property
    def laggard_statuses(self):
        """The laggards' statuses with their counts, worst first, each linking to its list."""
        by_status = {figure.status: figure for figure in self.statuses}
        return [by_status[status] for status in BEHIND_ORDER if by_status[status].count]

    @property
    def segments(self):
        return charts.segments(self.overall.status_counts(), self.overall.total, lambda s: self.list_url(status=s))


# The department table's orders. It is not a ranking: the one ranking of departments (考核排名) is
# supervision.ranking's, which weighs led and supported targets and counts timeliness.
DEPARTMENT_SORTS = {
    # The larger on-track share first (descending), then the fewer overdue, then the report's order.
    "share": lambda d: (d.tally.on_track_share or 0.0, -d.tally.overdue, d.tally.total, -d.department.order),
    "overdue": lambda d: (d.tally.overdue, d.tally.behind),
    "behind": lambda d: (d.tally.behind, d.tally.overdue),
    "days": lambda d: d.days_since_report if d.days_since_report is not None else 10**6,
    "total": lambda d: d.tally.total,
    "name": lambda d: (d.department.order, d.department.code),
}
DEFAULT_DEPARTMENT_SORT = "-share"


def parse_sort(value):
    """`?sort=<key>` or `?sort=-<key>` (descending); an unknown key means the default."""
    key = (value or "").lstrip("-")
    if key not in DEPARTMENT_SORTS:
        return parse_sort(DEFAULT_DEPARTMENT_SORT)
    return key, value.startswith("-")


def dashboard(*, user, report, as_of, include_pending=False, sort=DEFAULT_DEPARTMENT_SORT) -> Dashboard:
    link = ListLink(report, as_of, include_pending)
    previous_as_of = previous_month_end(as_of)
    targets = _ledger_rows(
        user=user, report=report, as_of=as_of, include_pending=include_pending, previous_as_of=previous_as_of
    )
    everything = user is roles.COMMAND_LINE or roles.sees_everything(user)

    overall, overall_before = Tally(), Tally()
    sections = {section.pk: section for section in Section.objects.filter(report=report).defer("body")}
    area_sections = sorted(
        (s for s in sections.values() if s.parent_id and sections[s.parent_id].code == AREAS_PART),
        key=lambda section: (section.order, section.pk),
    )
    areas = {section.pk: Tally() for section in area_sections}
    by_department, before_by_department = {}, {}
    metrics_by_task = {}
    stale_since = as_of - datetime.timedelta(days=STALE_AFTER_DAYS - 1)
    laggards, stale, main_indicators = [], [], []

    for target in targets:
        overall.add(target)
        overall_before.count(target.previous_status)
        area = _area_of(target, areas, sections)
        if area is not None:
            areas[area].add(target)
        for department_id in {target.lead_department_id, *target.co_department_ids}:
            by_department.setdefault(department_id, Tally()).add(target)
            before_by_department.setdefault(department_id, Tally()).count(target.previous_status)
        for task_no in target.task_nos:
            metrics_by_task.setdefault(task_no, []).append(target)
        if target.kind == Kind.MAIN_INDICATOR:
            target.bullet = charts.bullet(target)
            main_indicators.append(target)
        if target.status in BEHIND_STATUSES:
            laggards.append(target)
        if _is_stale(target, as_of, stale_since):
            stale.append(target)
        target.days_since_report = (as_of - target.latest_reported_on).days if target.latest_reported_on else None

    departments = _departments(by_department, as_of, link, sort)
    for row in departments:
        row.on_track_change = change(row.tally.on_track_share, before_by_department[row.department.pk].on_track_share)
    lead_departments = {standing.department.pk: standing.department for standing in departments}
    laggards.sort(key=_laggard_order)
    stale.sort(key=lambda t: (t.latest_reported_on or datetime.date.min, t.order, t.code))
    # Links and bars only for the targets the page shows: a reverse() per target of the report
    # cost more than the rest of this loop.
    metrics = [metric for task_metrics in metrics_by_task.values() for metric in task_metrics]
    for target in (*main_indicators, *metrics, *laggards[:LIST_LIMIT], *stale[:LIST_LIMIT]):
        if not hasattr(target, "url"):
            Target.report.field.set_cached_value(target, report)
            Target.lead_department.field.set_cached_value(target, lead_departments[target.lead_department_id])
            target.url = target_url(target)
            target.bar = charts.progress_bar(target.percent_complete, target.expected_percent)

    return Dashboard(
        report=report,
        as_of=as_of,
        include_pending=include_pending,
        sees_everything=everything,
        department=None if everything else roles.department_of(user),
        overall=overall,
        statuses=[
            StatusFigure(status, count, overall.share(count), link(status=status))
            for status, count in overall.status_counts()
        ],
        main_indicators=main_indicators,
        practical_tasks=_practical_tasks(report, metrics_by_task, everything, link),
        areas=[_area(section, areas[section.pk], link) for section in area_sections if areas[section.pk].total],
        departments=departments,
        laggards=laggards[:LIST_LIMIT],
        laggards_total=len(laggards),
        stale=stale[:LIST_LIMIT],
        stale_total=len(stale),
        stale_since=stale_since,
        list_url=link,
        previous_as_of=previous_as_of,
        on_track_change=change(overall.on_track_share, overall_before.on_track_share),
        reports=cycles.tally(cycles.owed(report=report, targets=targets, as_of=as_of)),
    )


def previous_month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=1) - datetime.timedelta(days=1)


def change(now, before) -> float | None:
    """环比: the change in percentage points, or None when either side has no figure."""
    return None if now is None or before is None else round(now - before, 1)


def signed_change(value) -> str:
    """环比 as written: +1.2, −0.5 as -0.5, 0.0 as +0.0; — without a figure."""
    return "—" if value is None else f"{value:+.1f}"


# The reading of 环比 (with_progress's `reading`): the status at the end of the month before, beside
# today's figures in the same statement (previous_status).
PREVIOUS = "previous"
# The figures the board reads: those its JSON publishes (as_json), and whether each practical task's
# metric reached its goal (PracticalTaskCard).
BOARD_FIGURES = (*columns.read_on(columns.JSON), "goal_reached")


def _ledger_rows(*, user, report, as_of, include_pending, previous_as_of):
    """The visible targets with their standing, their co-units and practical tasks, in one query:
    their figures on `as_of`, their status on `previous_as_of` (环比) and what the reports owed read
    (supervision.cycles).

    The query reads the targets' own columns (the long texts left behind). The report, sections
    and departments they point to are few: the dashboard attaches them from the small tables it
    reads anyway. Joined into each of the report's rows they made the query slower to plan than to
    run, and building four related objects per target cost more than the figures themselves. Each
    reading in a query of its own cost a query built, compiled and planned, and 300 targets read."""
    tasks = PracticalTask.targets.through.objects.filter(target=OuterRef("pk")).values("practicaltask__no")
    co_units = Target.co_departments.through.objects.filter(target=OuterRef("pk")).values("department_id")
    queryset = (
        selectors.target_ledger(
            user=user, report=report, as_of=as_of, include_pending=include_pending, figures=BOARD_FIGURES
        )
        .with_progress(as_of=previous_as_of, include_pending=include_pending, figures=("status",), reading=PREVIOUS)
        .select_related(None)
    )
    return list(
        cycles.with_owed_standing(queryset, as_of)
        .defer("source_text", "baseline_source")
        .annotate(co_department_ids=ArraySubquery(co_units), task_nos=ArraySubquery(tasks))
        .order_by("order", "code")
    )


def _area_of(target, areas, sections):
    section = sections[target.section_id]
    parent = sections.get(section.parent_id)
    for candidate in (section.pk, section.parent_id, parent.parent_id if parent else None):
        if candidate in areas:
            return candidate
    return None


def _is_stale(target, as_of, stale_since):
    """No counted report in the last 30 days, for a target whose period has begun and that is not done."""
    if target.status == Status.DONE or target.period_start > as_of:
        return False
    return target.latest_reported_on is None or target.latest_reported_on < stale_since


def _laggard_order(target):
    shortfall = 0.0
    if target.expected_percent is not None and target.percent_complete is not None:
        shortfall = target.expected_percent - target.percent_complete
    return (BEHIND_ORDER.index(target.status), -shortfall, target.order, target.code)


def _area(section, tally, link):
    return Area(
        section=section,
        tally=tally,
        url=link(section=section.pk),
        segments=charts.segments(tally.status_counts(), tally.total, lambda s: link(section=section.pk, status=s)),
    )


def _departments(by_department, as_of, link, sort):
    departments = Department.objects.filter(pk__in=by_department).only("code", "name", "order")
    standings = [
        DepartmentStanding(
            department=department,
            tally=by_department[department.pk],
            url=link(department=department.pk),
            overdue_url=link(department=department.pk, status=Status.OVERDUE),
            segments=charts.segments(
                by_department[department.pk].status_counts(),
                by_department[department.pk].total,
                lambda status, pk=department.pk: link(department=pk, status=status),
            ),
        )
        for department in departments
    ]
    for standing in standings:
        last = standing.tally.last_reported_on
        standing.days_since_report = (as_of - last).days if last else None
    standings.sort(key=lambda standing: (standing.department.order, standing.department.code))
    key, descending = parse_sort(sort)
    standings.sort(key=DEPARTMENT_SORTS[key], reverse=descending)
    return standings


def _practical_tasks(report, metrics_by_task, everything, link):
    tasks = PracticalTask.objects.filter(report=report).only("no", "title").order_by("no")
    return [
        PracticalTaskCard(task=task, metrics=metrics_by_task.get(task.no, []), url=link(practical_task=task.no))
        for task in tasks
        # A reporter sees the tasks their department works on; the officials see all twenty.
        if everything or task.no in metrics_by_task
    ]


def as_json(board: Dashboard) -> dict:
    """The dashboard's figures for a big screen (GET /api/v1/dashboard): the same objects the page shows."""
    date, number = rows.date, rows.number

    def tally(t: Tally):
        return {
            "targets": t.total,
            "achieved": t.achieved,
            "on_track": t.on_track,
            "behind": t.behind,
            "overdue": t.overdue,
            "average_percent_complete": t.average_percent,
            "average_expected_percent": t.average_expected,
            "status_counts": {status.value: count for status, count in t.status_counts()},
            "last_reported_on": date(t.last_reported_on),
        }

    def target(t):
        return {
            "code": t.code,
            "name": t.name,
            "unit": t.unit,
            "direction": t.direction,
            "target_value": number(t.target_value),
            "target_value_max": number(t.target_value_max),
            "growth_rate_target": number(t.growth_rate_target),
            **rows.figures(t),
            "adjusted_target_value": number(t.adjusted_target_value),
            "adjusted_deadline": date(t.adjusted_deadline),
        }

    return {
        "report": {"code": board.report.code, "title": board.report.title, "year": board.report.year},
        "as_of": date(board.as_of),
        "include_pending": board.include_pending,
        "scope": "all" if board.sees_everything else "department",
        "department": board.department.code if board.department else None,
        "totals": {
            **tally(board.overall),
            "stale": board.stale_total,
            "stale_since": date(board.stale_since),
            "on_track_change": board.on_track_change,
            "previous_as_of": date(board.previous_as_of),
        },
        "reports": {
            "due": board.reports.due,
            "on_time": board.reports.on_time,
            "late": board.reports.late,
            "missing": board.reports.missing,
            "total": board.reports.total,
        },
        "main_indicators": [target(t) for t in board.main_indicators],
        "practical_tasks": [
            {
                "no": card.task.no,
                "title": card.task.title,
                "done": card.done,
                "metrics_done": card.metrics_done,
                "metrics": [target(t) for t in card.metrics],
            }
            for card in board.practical_tasks
        ],
        "areas": [{"code": a.section.code, "title": a.section.title, **tally(a.tally)} for a in board.areas],
        "departments": [
            {
                "code": d.department.code,
                "name": d.department.name,
                "on_track_share": d.tally.on_track_share,
                "on_track_change": d.on_track_change,
                "days_since_report": d.days_since_report,
                **tally(d.tally),
            }
            for d in board.departments
        ],
        "laggards": {"total": board.laggards_total, "targets": [target(t) for t in board.laggards]},
        "stale": {"total": board.stale_total, "targets": [target(t) for t in board.stale]},
    }
