"""The one computation of where a target stands: latest value, % complete, expected % (序时进度),
gap and status, as of any date, in SQL. Every page, table, export and API reads it through
`Target.objects.with_progress(as_of=...)`; nothing recomputes it in Python."""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Case, F, FilteredRelation, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Least, NullIf, Power
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone

from .choices import Direction, GrowthBasis, Measure, ReviewStatus, Stage, Status

DECIMAL = models.DecimalField(max_digits=24, decimal_places=4)
FLOAT = models.FloatField()


class DaysBetween(Func):
    """`later - earlier` for two dates, in days (PostgreSQL's date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


class Once(Func):
    """A figure compiled once. Django writes a referenced annotation out in full wherever it is used,
    and compiles the whole computation again for every query cloned from the one it was built in
    (the ledger's base query is built once a day, see targets.selectors._standing, and every page
    clones it). A Once keeps its SQL text and parameters and hands them out at each use, so that
    compiling a page's query costs what its own filters and order cost.

    The SQL names the tables the figure reads by their aliases in the query: a copy relabelled for
    another query (as a subquery) compiles afresh."""

    template = "%(expressions)s"

    def resolve_expression(self, *args, **kwargs):
        # A lookup resolves its left-hand side again each time it is compiled: resolved already,
        # the figure would be copied whole for nothing.
        if getattr(self, "_resolved", False):
            return self
        resolved = super().resolve_expression(*args, **kwargs)
        resolved._resolved = True
        return resolved

    def relabeled_clone(self, change_map):
        clone = super().relabeled_clone(change_map)
        clone.__dict__.pop("_sql", None)
        return clone

    def as_sql(self, compiler, connection, **extra_context):
        kept = self.__dict__.setdefault("_sql", {})
        if connection.alias not in kept:
            sql, params = super().as_sql(compiler, connection, **extra_context)
            kept[connection.alias] = (sql, tuple(params))
        sql, params = kept[connection.alias]
        return sql, list(params)


def _as_float(expression):
    return models.functions.Cast(expression, FLOAT)


def _round1(expression):
    return Func(expression, template="ROUND((%(expressions)s)::numeric, 1)::float", output_field=FLOAT)


# Values nobody types (Target.derivation): each is a SQL function of (report id, as_of,
# include_pending) registered at start-up by the app that owns what it counts (projects: the
# practical tasks done, for 为民兴办20件实事). targets knows only the name.
DERIVED_VALUES: dict[str, str] = {}

# The parts of a target judged on their own; the worse decides its status (docs/figures.md).
RANK_DONE, RANK_ON_TRACK, RANK_LAGGING, RANK_FAR_BEHIND = 1, 2, 3, 4


class TargetQuerySet(models.QuerySet):
    def with_progress(self, as_of: datetime.date | None = None, include_pending: bool = False):
        """Annotate each target with its standing on `as_of` (default: today), by the rules of
        docs/figures.md.

        Counted entries are the approved ones, or also those awaiting review when
        `include_pending`; returned entries never count. Annotations: latest_value,
        latest_growth_rate, latest_stage, latest_reported_on, percent_complete (进度),
        completion_rate (完成率), expected_percent (序时, at the figure's own date), growth_percent,
        growth_expected_percent, goal_reached, gap, growth_gap, status.
        """
        # targets.selectors._standing keeps what this builds, keyed by these inputs (as_of, today,
        # include_pending, the tolerance): anything else read here must join that key.
        as_of = as_of or timezone.localdate()
        tolerance = settings.REPORTGOV_TOLERANCE
        ProgressEntry = apps.get_model("targets", "ProgressEntry")
        Checkpoint = apps.get_model("targets", "Checkpoint")

        counted = [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED] if include_pending else [ReviewStatus.APPROVED]
        pointer = "latest_entry" if include_pending else "latest_approved_entry"
        history = ProgressEntry.objects.filter(
            target=OuterRef("pk"), reported_on__lte=as_of, review_status__in=counted
        ).order_by("-reported_on", "-id")

        # The entry that counts on as_of is joined once, and every figure below reads its columns.
        # (Written as an expression repeated in each figure, the SQL grew to 40 KB and took longer
        # to compile and plan than to run.) The kept pointer answers whenever it is not after as_of;
        # only a replay of an earlier day looks into the history, through the
        # (target, reported_on, id) index.
        if as_of >= timezone.localdate():
            # Nothing is dated after the day it is recorded (validate_progress refuses it), so from
            # today on the pointer is the entry that counts: one primary-key join, whatever the history.
            counted_entry_id = F(f"{pointer}_id")
        else:
            counted_entry_id = Case(
                When(**{f"{pointer}__isnull": True}, then=Value(None)),
                When(**{f"{pointer}__reported_on__lte": as_of}, then=F(f"{pointer}_id")),
                default=Subquery(history.values("pk")[:1]),
                output_field=models.BigIntegerField(),
            )
        qs = self.alias(
            _counted_entry_id=counted_entry_id,
            _counted=FilteredRelation("entries", condition=Q(entries__pk=F("_counted_entry_id"))),
        )

        as_of_value = Value(as_of, output_field=models.DateField())
        value, reported_on = F("_counted__value"), F("_counted__reported_on")
        if DERIVED_VALUES:
            # A derived value is the count on as_of itself.
            derived = [
                When(derivation=name, then=Func(F("report_id"), as_of_value, Value(include_pending), function=sql))
                for name, sql in DERIVED_VALUES.items()
            ]
            value = Case(*derived, default=value, output_field=DECIMAL)
            reported_on = Case(
                When(derivation__in=list(DERIVED_VALUES), then=as_of_value),
                default=reported_on,
                output_field=models.DateField(),
            )
        qs = qs.annotate(
            latest_value=value,
            latest_growth_rate=F("_counted__growth_rate"),
            latest_stage=F("_counted__stage"),
            latest_reported_on=reported_on,
        ).alias(
            # An approved extension (延期/调整) moves the deadline or the target value that progress
            # is judged against; the report's own values stay in their columns.
            _deadline=Once(Coalesce(F("adjusted_deadline"), F("deadline")), output_field=models.DateField()),
            # The value judged, the goal and where the way to it starts (reportgov_subject and
            # reportgov_goal, targets/migrations/0010: the same rules the practical tasks use).
            _subject=Once(
                Func(
                    F("target_value"),
                    F("measure"),
                    F("latest_value"),
                    F("latest_growth_rate"),
                    F("latest_reported_on"),
                    as_of_value,
                    function="reportgov_subject",
                ),
                output_field=DECIMAL,
            ),
            _goal=Once(
                Func(F("adjusted_target_value"), F("target_value"), F("growth_rate_target"), function="reportgov_goal"),
                output_field=DECIMAL,
            ),
            _from=Once(
                Case(
                    When(
                        measure=Measure.LEVEL,
                        target_value__isnull=False,
                        then=Coalesce(F("baseline_value"), Value(0, output_field=DECIMAL)),
                    ),
                    default=Value(0, output_field=DECIMAL),
                ),
                output_field=DECIMAL,
            ),
        )
        qs = qs.alias(
            # The day the figure judged describes: it is judged against the calendar of that day
            # (as_of when nothing counts, for instance last year's figure of a yearly goal).
            _judged_on=Once(
                Case(When(_subject__isnull=False, then=F("latest_reported_on")), default=as_of_value),
                output_field=models.DateField(),
            ),
        )
        judged_on = F("_judged_on")
        qs = qs.alias(
            _share=_calendar_share(judged_on, F("period_start"), F("_deadline")),
            # A yearly goal's calendar is the figure's year (within the period).
            _annual_share=_calendar_share(
                judged_on, Greatest(F("period_start"), YearStart(judged_on)), Least(F("_deadline"), YearEnd(judged_on))
            ),
        )
        # The checkpoints on either side of the figure's day, joined once each (one per date).
        checkpoints = Checkpoint.objects.filter(target=OuterRef("pk")).values("due_on")
        qs = qs.alias(
            _before_due=Subquery(checkpoints.filter(due_on__lte=OuterRef("_judged_on")).order_by("-due_on")[:1]),
            _after_due=Subquery(checkpoints.filter(due_on__gt=OuterRef("_judged_on")).order_by("due_on")[:1]),
            _checkpoint_before=FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F("_before_due"))),
            _checkpoint_after=FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F("_after_due"))),
        )
        over_period = Q(growth_basis=GrowthBasis.OVER_PERIOD)
        judged_by_rate = ~Q(direction__in=[Direction.AT_MOST, Direction.QUALITATIVE])
        growth_goal = _as_float(F("growth_rate_target")) / 100.0
        qs = qs.alias(
            # Growth over the period compounds: (1 + G)^share − 1 of it is expected by the figure's day.
            _compound_growth_percent=Once(
                100.0 * (Power(1.0 + growth_goal, F("_share")) - 1.0) / NullIf(growth_goal, 0.0),
                output_field=FLOAT,
            ),
        )
        qs = qs.annotate(
            percent_complete=Once(
                Case(
                    When(direction__in=[Direction.AT_MOST], then=Value(None)),
                    When(direction=Direction.QUALITATIVE, latest_stage=Stage.COMPLETED, then=Value(100.0)),
                    When(direction=Direction.QUALITATIVE, then=Value(None)),
                    default=_round1(
                        100.0 * _as_float(F("_subject") - F("_from")) / NullIf(_as_float(F("_goal") - F("_from")), 0.0)
                    ),
                    output_field=FLOAT,
                ),
                output_field=FLOAT,
            ),
            # 完成率: the value as a share of the goal (v / t), the figure a report quotes beside 进度
            # (percent_complete, measured from the baseline) wherever a baseline exists.
            completion_rate=Once(
                Case(
                    When(~judged_by_rate | Q(target_value__isnull=True), then=Value(None)),
                    default=_round1(100.0 * _as_float(F("_subject")) / NullIf(_as_float(F("_goal")), 0.0)),
                    output_field=FLOAT,
                ),
                output_field=FLOAT,
            ),
            expected_percent=Once(
                _round1(
                    Case(
                        When(~judged_by_rate, then=Value(None)),
                        When(
                            over_period,
                            target_value__isnull=True,
                            growth_rate_target__gt=0,
                            then=F("_compound_growth_percent"),
                        ),
                        When(target_value__isnull=True, then=Value(100.0)),  # a rate is never prorated
                        When(measure=Measure.ANNUAL, then=100.0 * F("_annual_share")),
                        When(
                            Q(_checkpoint_before__pk__isnull=False) | Q(_checkpoint_after__pk__isnull=False),
                            then=_checkpoint_percent(),
                        ),
                        When(over_period, _from__gt=0, _goal__gt=F("_from"), then=_compound_level_percent()),
                        default=100.0 * F("_share"),
                        output_field=FLOAT,
                    )
                ),
                output_field=FLOAT,
            ),
            growth_percent=Once(
                Case(
                    When(
                        judged_by_rate,
                        growth_rate_target__gt=0,
                        then=_round1(100.0 * _as_float(F("latest_growth_rate")) / _as_float(F("growth_rate_target"))),
                    ),
                    default=Value(None),
                    output_field=FLOAT,
                ),
                output_field=FLOAT,
            ),
            growth_expected_percent=Once(
                Case(
                    When(
                        judged_by_rate & over_period,
                        growth_rate_target__gt=0,
                        then=_round1(F("_compound_growth_percent")),
                    ),
                    When(judged_by_rate, growth_rate_target__gt=0, then=Value(100.0)),
                    default=Value(None),
                    output_field=FLOAT,
                ),
                output_field=FLOAT,
            ),
        )
        qs = qs.alias(
            _reached=Once(
                Func(F("direction"), F("_subject"), F("_goal"), function="reportgov_reached"),
                output_field=models.BooleanField(),
            ),
            _growth_reached=Once(
                Func(F("direction"), F("latest_growth_rate"), F("growth_rate_target"), function="reportgov_reached"),
                output_field=models.BooleanField(),
            ),
        )
        qs = qs.alias(
            _level_rank=Once(
                Case(
                    When(target_value__isnull=True, then=Value(None)),
                    When(_reached=True, then=Value(RANK_DONE)),
                    *_rank_by(F("percent_complete"), F("expected_percent"), tolerance),
                    default=Value(RANK_FAR_BEHIND),
                    output_field=models.IntegerField(),
                ),
                output_field=models.IntegerField(),
            ),
            _growth_rank=Once(
                Case(
                    When(Q(growth_rate_target__isnull=True) | Q(latest_growth_rate__isnull=True), then=Value(None)),
                    # A rate that meets its goal is settled by the period's final figure; growth over
                    # the period that reached its goal is done.
                    When(
                        _growth_reached=True,
                        then=Case(
                            When(over_period | Q(_judged_on__gte=F("_deadline")), then=Value(RANK_DONE)),
                            default=Value(RANK_ON_TRACK),
                        ),
                    ),
                    *_rank_by(F("growth_percent"), F("growth_expected_percent"), tolerance),
                    default=Value(RANK_FAR_BEHIND),
                    output_field=models.IntegerField(),
                ),
                output_field=models.IntegerField(),
            ),
        )
        zero = Value(0, output_field=DECIMAL)
        qs = qs.annotate(
            # Its goal reached (a qualitative target: at stage 已完成): what a practical task's
            # targets must all be for the task to be done (as reportgov_practical_tasks_done counts).
            goal_reached=Once(
                Case(
                    When(direction=Direction.QUALITATIVE, latest_stage=Stage.COMPLETED, then=Value(True)),
                    When(direction=Direction.QUALITATIVE, then=Value(False)),
                    default=F("_reached"),
                    output_field=models.BooleanField(),
                ),
                output_field=models.BooleanField(),
            ),
            gap=Once(
                Case(
                    When(_subject__isnull=True, then=Value(None)),
                    When(direction=Direction.QUALITATIVE, then=Value(None)),
                    When(_reached=True, then=zero),
                    When(direction=Direction.AT_MOST, then=F("_subject") - F("_goal")),
                    default=F("_goal") - F("_subject"),
                    output_field=DECIMAL,
                ),
                output_field=DECIMAL,
            ),
            growth_gap=Once(
                Case(
                    When(Q(latest_growth_rate__isnull=True) | Q(growth_rate_target__isnull=True), then=Value(None)),
                    When(direction=Direction.QUALITATIVE, then=Value(None)),
                    When(
                        direction=Direction.AT_MOST,
                        then=Greatest(
                            F("latest_growth_rate") - F("growth_rate_target"), Value(0, output_field=DECIMAL)
                        ),
                    ),
                    default=Greatest(F("growth_rate_target") - F("latest_growth_rate"), zero),
                    output_field=DECIMAL,
                ),
                output_field=DECIMAL,
            ),
            status=Once(Case(*_status_rules(as_of), default=Value(Status.NO_DATA)), output_field=models.CharField()),
        )
        return qs

    def for_report(self, report):
        return self.filter(report=report)


class YearStart(Func):
    """1 January of a date's year."""

    template = "make_date(extract(year FROM %(expressions)s)::int, 1, 1)"
    output_field = models.DateField()


class YearEnd(Func):
    """31 December of a date's year."""

    template = "make_date(extract(year FROM %(expressions)s)::int, 12, 31)"
    output_field = models.DateField()


def _calendar_share(day, start, end):
    """序时 on a straight line: the share of the days from `start` to `end` (both counted) gone by
    on `day`, from 0 to 1."""
    # A yearly goal read in a year outside its period has no days: nothing of it is gone by.
    elapsed = _as_float(DaysBetween(day, start) + 1) / NullIf(_as_float(DaysBetween(end, start) + 1), 0.0)
    return Once(Least(Value(1.0), Greatest(Value(0.0), elapsed)), output_field=FLOAT)


def _rank_by(percent, expected, tolerance):
    """How far a part is behind where it should be: within the tolerance, within twice it, or
    beyond (the Case's default, RANK_FAR_BEHIND, which also takes a part that cannot be measured)."""
    return [
        When(GreaterThanOrEqual(percent, expected - tolerance), then=Value(RANK_ON_TRACK)),
        When(GreaterThanOrEqual(percent, expected - 2 * tolerance), then=Value(RANK_LAGGING)),
    ]


def _status_rules(as_of):
    """The status rules, in order; the first that holds decides."""
    past_deadline = Q(_deadline__lt=as_of)
    qualitative = Q(direction=Direction.QUALITATIVE)
    nothing_counted = Q(latest_reported_on__isnull=True) | (qualitative & Q(latest_stage=""))
    rank = Greatest(F("_level_rank"), F("_growth_rank"))
    return [
        When(nothing_counted & past_deadline & ~Q(direction=Direction.AT_MOST), then=Value(Status.OVERDUE)),
        When(nothing_counted, then=Value(Status.NO_DATA)),
        When(~qualitative & Q(_subject__isnull=True), then=Value(Status.NO_DATA)),
        When(direction=Direction.AT_MOST, _reached=True, then=Value(Status.MET)),
        When(direction=Direction.AT_MOST, then=Value(Status.BREACHED)),
        When(qualitative & Q(latest_stage=Stage.COMPLETED), then=Value(Status.DONE)),
        When(qualitative & past_deadline, then=Value(Status.OVERDUE)),
        When(qualitative & Q(latest_stage=Stage.IN_PROGRESS), then=Value(Status.IN_PROGRESS)),
        When(qualitative, then=Value(Status.NOT_STARTED)),
        When(Exact(rank, RANK_DONE), then=Value(Status.DONE)),
        When(past_deadline, then=Value(Status.OVERDUE)),
        When(Exact(rank, RANK_ON_TRACK), then=Value(Status.ON_TRACK)),
        When(Exact(rank, RANK_LAGGING), then=Value(Status.LAGGING)),
        When(Exact(rank, RANK_FAR_BEHIND), then=Value(Status.FAR_BEHIND)),
    ]


def _compound_level_percent():
    """The share of the way from the baseline b to the goal t expected on the compounding path
    b · (t / b)^share (a level that doubles over the plan's years)."""
    ratio = _as_float(F("_goal")) / _as_float(F("_from"))
    return 100.0 * (Power(ratio, F("_share")) - 1.0) / NullIf(ratio - 1.0, 0.0)


def _checkpoint_percent():
    """Expected % from checkpoints: the planned value interpolated between the checkpoints on
    either side of the figure's day (the period's start at the baseline and the deadline at the
    target stand in where there is none), as a share of the way from baseline to target."""
    day_before_start = Func(F("period_start"), template="(%(expressions)s - 1)", output_field=models.DateField())
    prev_on = Coalesce(F("_checkpoint_before__due_on"), day_before_start)
    # Only targets with a target value get here: their goal is the (adjusted) target value and they
    # start from the baseline of a level measure, or from zero.
    prev_value = Coalesce(F("_checkpoint_before__planned_value"), F("_from"))
    next_on = Coalesce(F("_checkpoint_after__due_on"), F("_deadline"))
    next_value = Coalesce(F("_checkpoint_after__planned_value"), F("_goal"))
    share = Least(
        Value(1.0),
        _as_float(DaysBetween(F("_judged_on"), prev_on)) / NullIf(_as_float(DaysBetween(next_on, prev_on)), 0.0),
    )
    planned = _as_float(prev_value) + _as_float(next_value - prev_value) * share
    return Least(
        Value(100.0),
        Greatest(
            Value(0.0),
            100.0 * (planned - _as_float(F("_from"))) / NullIf(_as_float(F("_goal") - F("_from")), 0.0),
        ),
    )
