"""What is due (应报), on time (按时), late (迟报) and missing (逾期未报): computed here, once, from each
target's reporting cycle, and read by the reminders, the ranking, the dashboard and the reporter's 待办.

A target reports once per period of its cycle (a month, or a quarter for the statistics). The report
of a period is due on the cycle's due day of the month after it ends (the 5th by default): on 1
December nothing of December is due yet, November's report is due until 5 December. A period's
report is an entry dated inside it that review has not sent back; it is on time when it was submitted
on or before the due day. Derived targets (nobody types them) and retired ones (closed to reporting) owe no
report, nor does a completed target after the period of the report that completed it.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.choices import Derivation, Kind, ReviewStatus, Status
from targets.models import ProgressEntry, Target
from targets.periods import Period, period_containing, periods_between

from .models import DEFAULT_DUE_DAY, Cycle, EscalationStep, ReportingCycle

# A report missing for more than this many days after its due day goes from 催办 to 督办.
SUPERVISE_AFTER_DAYS = 5


class DueState(models.TextChoices):
    DUE = "due", _("待报送")
    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("迟报")
    MISSING = "missing", _("逾期未报")


@dataclass(frozen=True)
class Rule:
    months: int
    due_day: int

    def due_on(self, period: Period) -> datetime.date:
        return period.end + datetime.timedelta(days=self.due_day)


@dataclass
class Obligation:
    """One target's report for one period: when it is due and what became of it as of a day."""

    target: Target
    period: Period
    due_on: datetime.date
    state: DueState
    rule: Rule
    days_late: int = 0

    @property
    def step(self) -> EscalationStep | None:
        """The step of escalation this report is at: none once it is in."""
        if self.state == DueState.DUE:
            return EscalationStep.REMIND
        if self.state == DueState.MISSING:
            return EscalationStep.URGE if self.days_late <= SUPERVISE_AFTER_DAYS else EscalationStep.SUPERVISE
        return None

    @property
    def is_judged(self) -> bool:
        """Its due day has passed: it counts for timeliness."""
        return self.state != DueState.DUE

    @property
    def cycle_label(self) -> str:
        return str(Cycle(self.rule.months).label)


def rules_for(report, targets) -> dict[int, Rule]:
    """Each target's cycle: its own row, else the report's row, else monthly (quarterly for the
    主要预期目标), due on the 5th. One query."""
    rows = {row.target_id: row for row in ReportingCycle.objects.filter(report=report)}
    default = rows.get(None)
    rules = {}
    for target in targets:
        row = rows.get(target.pk)
        if row is not None:
            rules[target.pk] = Rule(row.months, row.due_day)
        elif default is not None:
            rules[target.pk] = Rule(default.months, default.due_day)
        else:
            months = Cycle.QUARTERLY if target.kind == Kind.MAIN_INDICATOR else Cycle.MONTHLY
            rules[target.pk] = Rule(months, DEFAULT_DUE_DAY)
    return rules


@functools.lru_cache(maxsize=1024)
def _ended_periods(start, finish, rule: Rule, as_of: datetime.date, history: bool) -> tuple[Period, ...]:
    """The periods of a span from `start` to `finish` that ended before `as_of`, or without `history` the
    latest of them. Cached: a report's targets mostly share their span (300 spans, one computation)."""
    last = min(finish, as_of - datetime.timedelta(days=1))
    if last < start:
        return ()
    if not history:
        latest = period_containing(last, rule.months)
        if latest.end < as_of:
            return (latest,)
        before = latest.start - datetime.timedelta(days=1)
        return (period_containing(before, rule.months),) if before >= start else ()
    return tuple(period for period in periods_between(start, last, rule.months) if period.end < as_of)


# What the reports owed read of their targets (the reminders, 待办, the ranking and the dashboard show
# no more): building a whole target of 300 cost more than computing its status.
OBLIGATION_FIELDS = (
    "code",
    "name",
    "kind",
    "order",
    "derivation",
    "retired_at",
    "period_start",
    "deadline",
    "adjusted_deadline",
    "report_id",
    "lead_department__code",
    "lead_department__name",
    "lead_department__order",
)
# The reading of the figures the reports owed depend on (with_progress's `reading`): a period's report
# is in once submitted, so the entries awaiting review count. Annotated as owed_status and
# owed_latest_reported_on, so that a page can read them beside its own figures in one statement.
READING = "owed"


def with_owed_standing(queryset, as_of: datetime.date):
    """`queryset`'s targets with what the reports owed read on `as_of`: owed_status, owed_latest_reported_on."""
    return queryset.with_progress(
        as_of=as_of, include_pending=True, figures=("status", "latest_reported_on"), reading=READING
    )


def obligations(*, report, as_of: datetime.date | None = None, targets=None, history: bool = False) -> list:
    """The reports owed by the report's targets (or the `targets` queryset's) as of `as_of`: the latest
    ended period of each target, or with `history` every ended period (the ranking's timeliness).
    Three queries: the targets with their standing, the cycles, the reports of the periods."""
    as_of = as_of or timezone.localdate()
    queryset = targets if targets is not None else Target.objects.filter(report=report)
    queryset = (
        with_owed_standing(queryset, as_of)
        .select_related("lead_department")
        .only(*OBLIGATION_FIELDS)
        .order_by("lead_department__order", "lead_department__code", "order", "code")
    )
    return owed(report=report, targets=list(queryset), as_of=as_of, history=history)


def owed(*, report, targets, as_of: datetime.date, history: bool = False) -> list:
    """The reports owed by `targets` (the report's, read through with_owed_standing on `as_of`): see
    obligations. Two queries: the cycles, the reports of the periods."""
    owing = []
    targets = [t for t in targets if t.derivation == Derivation.REPORTED and t.retired_at is None]
    rules = rules_for(report, targets)
    for target in targets:
        Target.report.field.set_cached_value(target, report)
        periods = _ended_periods(target.period_start, target.effective_deadline, rules[target.pk], as_of, history)
        if target.owed_status == Status.DONE:  # the report that completed it was its last
            periods = [] if not history else [p for p in periods if p.start <= target.owed_latest_reported_on]
        owing.extend((target, period) for period in periods)
    if not owing:
        return []
    submitted = _submitted(owing, rules, as_of)
    result = []
    for target, period in owing:
        rule = rules[target.pk]
        due_on = rule.due_on(period)
        on_time = submitted.get((target.pk, period.start))
        if on_time is not None:
            state = DueState.ON_TIME if on_time else DueState.LATE
        else:
            state = DueState.DUE if as_of <= due_on else DueState.MISSING
        days_late = (as_of - due_on).days if state == DueState.MISSING else 0
        result.append(Obligation(target, period, due_on, state, rule, days_late))
    return result


# Whether each owed period has a report (an entry dated in it, not sent back, submitted by the end of
# as_of, local time), and whether one was submitted by the end of its due day: one row per period
# reported. Read from the (target, reported_on) index alone (it holds created_at and review_status),
# each search stopping at the first entry that answers it: the earliest moment of the period (all its
# entries read) is not needed to tell on time from late.
_SUBMITTED = f"""
    SELECT owed.target_id, owed.period_start, EXISTS (
        SELECT FROM {ProgressEntry._meta.db_table} AS e
        WHERE e.target_id = owed.target_id AND e.reported_on BETWEEN owed.period_start AND owed.period_end
            AND e.review_status <> %(returned)s
            AND e.created_at < least(owed.due_end, owed.as_of_end)
    )
    FROM (
        SELECT target_id, period_start, period_end, (due_on + 1)::timestamp AT TIME ZONE %(zone)s AS due_end,
            (%(as_of)s::date + 1)::timestamp AT TIME ZONE %(zone)s AS as_of_end
        FROM unnest(%(targets)s::bigint[], %(starts)s::date[], %(ends)s::date[], %(due_ons)s::date[])
            AS owed(target_id, period_start, period_end, due_on)
    ) AS owed
    WHERE EXISTS (
        SELECT FROM {ProgressEntry._meta.db_table} AS e
        WHERE e.target_id = owed.target_id AND e.reported_on BETWEEN owed.period_start AND owed.period_end
            AND e.review_status <> %(returned)s AND e.created_at < owed.as_of_end
    )
"""


def _submitted(owing, rules, as_of) -> dict:
    """{(target id, period start): whether it was reported by its due day}, of the owed periods reported."""
    columns = zip(*((t.pk, p.start, p.end, rules[t.pk].due_on(p)) for t, p in owing), strict=True)
    targets, starts, ends, due_ons = (list(column) for column in columns)
    arguments = {"targets": targets, "starts": starts, "ends": ends, "due_ons": due_ons, "as_of": as_of}
    with connection.cursor() as cursor:
        cursor.execute(
            _SUBMITTED, {**arguments, "zone": timezone.get_current_timezone_name(), "returned": ReviewStatus.RETURNED}
        )
        return {(target_id, start): on_time for target_id, start, on_time in cursor.fetchall()}


@dataclass
class Tally:
    """How many reports of the latest periods are in, by state (the dashboard's line)."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.due + self.on_time + self.late + self.missing


def tally(owed) -> Tally:
    counts = Tally()
    for obligation in owed:
        setattr(counts, obligation.state.value, getattr(counts, obligation.state.value) + 1)
    return counts
