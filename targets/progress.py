"""The one computation of where a target stands: latest value, % complete, expected % (序时进度),
gap and status, as of any date, in SQL. Every page, table, export and API reads it through
`Target.objects.with_progress(as_of=...)`; nothing recomputes it in Python."""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Case, F, FilteredRelation, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Abs, Coalesce, Greatest, Least, NullIf
from django.utils import timezone

from .choices import Direction, Measure, ReviewStatus, Stage, Status

DECIMAL = models.DecimalField(max_digits=24, decimal_places=4)
FLOAT = models.FloatField()
APPROXIMATE_BAND = 0.05  # 左右: within ±5% of the target counts as reached


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


class TargetQuerySet(models.QuerySet):
    def with_progress(self, as_of: datetime.date | None = None, include_pending: bool = False):
        """Annotate each target with its standing on `as_of` (default: today).

        Counted entries are the approved ones, or also those awaiting review when
        `include_pending`; returned entries never count. Annotations: latest_value,
        latest_growth_rate, latest_stage, latest_reported_on, percent_complete,
        completion_rate, expected_percent, gap, growth_gap, status.
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
        year_start = Value(datetime.date(as_of.year, 1, 1), output_field=models.DateField())
        year_end = Value(datetime.date(as_of.year, 12, 31), output_field=models.DateField())
        qs = qs.annotate(
            latest_value=F("_counted__value"),
            latest_growth_rate=F("_counted__growth_rate"),
            latest_stage=F("_counted__stage"),
            latest_reported_on=F("_counted__reported_on"),
        ).alias(
            # An approved extension (延期/调整) moves the deadline or the target value that progress
            # is judged against; the report's own values stay in their columns.
            _deadline=Once(Coalesce(F("adjusted_deadline"), F("deadline")), output_field=models.DateField()),
            # The value judged (the reported rate for a target given only as a growth rate, "增长17%以上"),
            # the goal it is judged against and where it started (the baseline for a level measure). A
            # target without a target value is judged on its growth rate or is qualitative (the model
            # constrains it), and an adjusted target value needs the original one.
            _subject=Once(
                Case(
                    When(target_value__isnull=True, then=F("latest_growth_rate")),
                    # A yearly goal counts only this year's figure: last year's total is not this year's.
                    When(measure=Measure.ANNUAL, latest_reported_on__lt=year_start, then=Value(None)),
                    default=F("latest_value"),
                ),
                output_field=DECIMAL,
            ),
            _goal=Once(
                Coalesce(F("adjusted_target_value"), F("target_value"), F("growth_rate_target")), output_field=DECIMAL
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
            _linear_percent=_calendar_percent(as_of_value, F("period_start"), F("_deadline")),
            # A yearly goal's calendar is as_of's year (within the period).
            _annual_percent=_calendar_percent(
                as_of_value, Greatest(F("period_start"), year_start), Least(F("_deadline"), year_end)
            ),
        )
        # The checkpoints on either side of as_of, joined once each (a target has one per date).
        checkpoints = Checkpoint.objects.filter(target=OuterRef("pk")).values("due_on")
        qs = qs.alias(
            _before_due=Subquery(checkpoints.filter(due_on__lte=as_of).order_by("-due_on")[:1]),
            _after_due=Subquery(checkpoints.filter(due_on__gt=as_of).order_by("due_on")[:1]),
            _checkpoint_before=FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F("_before_due"))),
            _checkpoint_after=FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F("_after_due"))),
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
                    When(direction__in=[Direction.AT_MOST, Direction.QUALITATIVE], then=Value(None)),
                    default=_round1(100.0 * _as_float(F("_subject")) / NullIf(_as_float(F("_goal")), 0.0)),
                    output_field=FLOAT,
                ),
                output_field=FLOAT,
            ),
            expected_percent=Once(
                _round1(
                    Case(
                        When(direction__in=[Direction.AT_MOST, Direction.QUALITATIVE], then=Value(None)),
                        When(target_value__isnull=True, then=Value(100.0)),  # judged on the rate alone
                        When(measure=Measure.ANNUAL, then=F("_annual_percent")),
                        When(
                            Q(_checkpoint_before__pk__isnull=False) | Q(_checkpoint_after__pk__isnull=False),
                            then=_checkpoint_percent(as_of),
                        ),
                        default=F("_linear_percent"),
                        output_field=FLOAT,
                    )
                ),
                output_field=FLOAT,
            ),
        )
        reached_band = APPROXIMATE_BAND * Abs(F("_goal"))
        qs = qs.alias(
            _reached=Once(
                Case(
                    When(_subject__isnull=True, then=Value(False)),
                    When(direction=Direction.APPROXIMATELY, then=Q(_subject__gte=F("_goal") - reached_band)),
                    When(direction=Direction.AT_LEAST, then=Q(_subject__gte=F("_goal"))),
                    When(direction=Direction.AT_MOST, then=Q(_subject__lte=F("_goal"))),
                    default=Value(False),
                    output_field=models.BooleanField(),
                ),
                output_field=models.BooleanField(),
            ),
        )
        qs = qs.annotate(
            gap=Once(
                Case(
                    When(_subject__isnull=True, then=Value(None)),
                    When(direction=Direction.QUALITATIVE, then=Value(None)),
                    When(_reached=True, then=Value(0, output_field=DECIMAL)),
                    When(direction=Direction.AT_MOST, then=F("_subject") - F("_goal")),
                    default=F("_goal") - F("_subject"),
                    output_field=DECIMAL,
                ),
                output_field=DECIMAL,
            ),
            growth_gap=Once(
                Case(
                    When(
                        latest_growth_rate__isnull=False,
                        growth_rate_target__isnull=False,
                        then=Greatest(
                            F("growth_rate_target") - F("latest_growth_rate"), Value(0, output_field=DECIMAL)
                        ),
                    ),
                    default=Value(None),
                    output_field=DECIMAL,
                ),
                output_field=DECIMAL,
            ),
            status=Once(
                Case(*_status_rules(as_of, tolerance), default=Value(Status.NO_DATA)), output_field=models.CharField()
            ),
        )
        return qs

    def for_report(self, report):
        return self.filter(report=report)

    def __getitem__(self, k):
        """A slice past the first row (a page after the first) picks its rows' ids in a subquery
        that selects no figure, then computes the figures for those rows only: PostgreSQL evaluates
        every selected expression for each row an OFFSET skips (page 12 of 我的目标, 25 rows of
        300: 9.8 ms, and 3.7 ms this way). Both queries filter and order as this one does.

        The subquery goes in as the SQL Django compiles for it: handed over as a queryset, it is
        copied with every annotation relabelled, which took longer than the SQL it saved."""
        if (
            isinstance(k, slice)
            and k.start
            and k.stop is not None
            and k.step is None
            and self.query.annotations
            and not self.query.is_sliced
            and not self.query.distinct  # its ORDER BY columns would join the subquery's select
            and self._result_cache is None
        ):
            page = models.QuerySet.__getitem__(self.values("pk"), k)
            return self.filter(pk__in=RawSQL(*page.query.get_compiler(self.db).as_sql()))
        return super().__getitem__(k)


def _calendar_percent(as_of, start, end):
    """序时进度 on a straight line: the share of the days from `start` to `end` (both counted) gone
    by on as_of, from 0 to 100."""
    elapsed = _as_float(DaysBetween(as_of, start) + 1) / _as_float(DaysBetween(end, start) + 1)
    return Once(Least(Value(100.0), Greatest(Value(0.0), 100.0 * elapsed)), output_field=FLOAT)


def _status_rules(as_of, tolerance):
    """The status rules, in order; the first that holds decides."""
    past_deadline = Q(_deadline__lt=as_of)
    qualitative = Q(direction=Direction.QUALITATIVE)
    nothing_counted = Q(latest_reported_on__isnull=True) | (qualitative & Q(latest_stage=""))
    return [
        When(nothing_counted & past_deadline & ~Q(direction=Direction.AT_MOST), then=Value(Status.OVERDUE)),
        When(nothing_counted, then=Value(Status.NO_DATA)),
        When(~qualitative & Q(_subject__isnull=True), then=Value(Status.NO_DATA)),
        # Reached: a ceiling is met, anything else is done (a qualitative target is never "reached").
        When(
            ~qualitative & Q(_reached=True),
            then=Case(When(direction=Direction.AT_MOST, then=Value(Status.MET)), default=Value(Status.DONE)),
        ),
        When(direction=Direction.AT_MOST, then=Value(Status.BREACHED)),
        When(direction=Direction.QUALITATIVE, latest_stage=Stage.COMPLETED, then=Value(Status.DONE)),
        When(direction=Direction.QUALITATIVE, _deadline__lt=as_of, then=Value(Status.OVERDUE)),
        When(direction=Direction.QUALITATIVE, latest_stage=Stage.IN_PROGRESS, then=Value(Status.IN_PROGRESS)),
        When(direction=Direction.QUALITATIVE, then=Value(Status.NOT_STARTED)),
        When(past_deadline, then=Value(Status.OVERDUE)),
        When(percent_complete__gte=F("expected_percent") - tolerance, then=Value(Status.ON_TRACK)),
        When(percent_complete__gte=F("expected_percent") - 2 * tolerance, then=Value(Status.LAGGING)),
        When(percent_complete__isnull=False, then=Value(Status.FAR_BEHIND)),
    ]


def _checkpoint_percent(as_of):
    """Expected % from checkpoints: the planned value interpolated between the checkpoints on
    either side of as_of (the period's start at the baseline and the deadline at the target
    stand in where there is none), as a share of the way from baseline to target."""
    day_before_start = Func(F("period_start"), template="(%(expressions)s - 1)", output_field=models.DateField())
    prev_on = Coalesce(F("_checkpoint_before__due_on"), day_before_start)
    # Only targets with a target value get here: their goal is the (adjusted) target value and they
    # start from the baseline of a level measure, or from zero.
    prev_value = Coalesce(F("_checkpoint_before__planned_value"), F("_from"))
    next_on = Coalesce(F("_checkpoint_after__due_on"), F("_deadline"))
    next_value = Coalesce(F("_checkpoint_after__planned_value"), F("_goal"))
    as_of_value = Value(as_of, output_field=models.DateField())
    share = Least(
        Value(1.0),
        _as_float(DaysBetween(as_of_value, prev_on)) / NullIf(_as_float(DaysBetween(next_on, prev_on)), 0.0),
    )
    planned = _as_float(prev_value) + _as_float(next_value - prev_value) * share
    return Least(
        Value(100.0),
        Greatest(
            Value(0.0),
            100.0 * (planned - _as_float(F("_from"))) / NullIf(_as_float(F("_goal") - F("_from")), 0.0),
        ),
    )
