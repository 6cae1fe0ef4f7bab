"""The one computation of where a target stands: latest value, % complete, expected % (序时进度),
gap and status, as of any date, in SQL. Every page, table, export and API reads it through
`Target.objects.with_progress(as_of=...)`; nothing recomputes it in Python."""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
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
        expected_percent, gap, growth_gap, status.
        """
        as_of = as_of or timezone.localdate()
        tolerance = settings.REPORTGOV_TOLERANCE
        ProgressEntry = apps.get_model("targets", "ProgressEntry")
        Checkpoint = apps.get_model("targets", "Checkpoint")

        counted = [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED] if include_pending else [ReviewStatus.APPROVED]
        pointer = "latest_entry" if include_pending else "latest_approved_entry"
        history = ProgressEntry.objects.filter(
            target=OuterRef("pk"), reported_on__lte=as_of, review_status__in=counted
        ).order_by("-reported_on", "-id")

        def latest(field, output_field):
            # The kept pointer answers whenever it is not after as_of; only a replay of an
            # earlier day looks into the history, through the (target, reported_on, id) index.
            return Case(
                When(**{f"{pointer}__isnull": True}, then=Value(None)),
                When(**{f"{pointer}__reported_on__lte": as_of}, then=F(f"{pointer}__{field}")),
                default=Subquery(history.values(field)[:1]),
                output_field=output_field,
            )

        as_of_value = Value(as_of, output_field=models.DateField())
        qs = self.annotate(
            latest_value=latest("value", DECIMAL),
            latest_growth_rate=latest("growth_rate", DECIMAL),
            latest_stage=latest("stage", models.CharField()),
            latest_reported_on=latest("reported_on", models.DateField()),
        ).alias(
            # An approved extension (延期/调整) moves the deadline or the target value that progress
            # is judged against; the report's own values stay in their columns.
            _deadline=Coalesce(F("adjusted_deadline"), F("deadline")),
            _target_value=Coalesce(F("adjusted_target_value"), F("target_value")),
            _base=Case(
                When(measure=Measure.LEVEL, then=Coalesce(F("baseline_value"), Value(0, output_field=DECIMAL))),
                default=Value(0, output_field=DECIMAL),
                output_field=DECIMAL,
            ),
            # Targets given only as a growth rate ("增长17%以上") are judged on the reported rate.
            _growth_only=Q(target_value__isnull=True, growth_rate_target__isnull=False),
        )
        qs = qs.alias(
            _subject=Case(When(_growth_only=True, then=F("latest_growth_rate")), default=F("latest_value")),
            _goal=Case(When(_growth_only=True, then=F("growth_rate_target")), default=F("_target_value")),
            _from=Case(When(_growth_only=True, then=Value(0, output_field=DECIMAL)), default=F("_base")),
        )
        qs = qs.alias(
            _linear_percent=Least(
                Value(100.0),
                Greatest(
                    Value(0.0),
                    100.0
                    * _as_float(DaysBetween(as_of_value, F("period_start")) + 1)
                    / _as_float(DaysBetween(F("_deadline"), F("period_start")) + 1),
                ),
            ),
        )
        qs = qs.annotate(
            percent_complete=Case(
                When(direction__in=[Direction.AT_MOST], then=Value(None)),
                When(direction=Direction.QUALITATIVE, latest_stage=Stage.COMPLETED, then=Value(100.0)),
                When(direction=Direction.QUALITATIVE, then=Value(None)),
                default=_round1(
                    100.0 * _as_float(F("_subject") - F("_from")) / NullIf(_as_float(F("_goal") - F("_from")), 0.0)
                ),
                output_field=FLOAT,
            ),
            expected_percent=_round1(
                Case(
                    When(direction__in=[Direction.AT_MOST, Direction.QUALITATIVE], then=Value(None)),
                    When(_growth_only=True, then=Value(100.0)),
                    When(
                        Exists(Checkpoint.objects.filter(target=OuterRef("pk"))),
                        then=_checkpoint_percent(Checkpoint, as_of),
                    ),
                    default=F("_linear_percent"),
                    output_field=FLOAT,
                )
            ),
        )
        reached_band = APPROXIMATE_BAND * Abs(F("_goal"))
        qs = qs.alias(
            _reached=Case(
                When(_subject__isnull=True, then=Value(False)),
                When(direction=Direction.APPROXIMATELY, then=Q(_subject__gte=F("_goal") - reached_band)),
                When(direction=Direction.AT_LEAST, then=Q(_subject__gte=F("_goal"))),
                When(direction=Direction.AT_MOST, then=Q(_subject__lte=F("_goal"))),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )
        qs = qs.annotate(
            gap=Case(
                When(_subject__isnull=True, then=Value(None)),
                When(direction=Direction.QUALITATIVE, then=Value(None)),
                When(_reached=True, then=Value(0, output_field=DECIMAL)),
                When(direction=Direction.AT_MOST, then=F("_subject") - F("_goal")),
                default=F("_goal") - F("_subject"),
                output_field=DECIMAL,
            ),
            growth_gap=Case(
                When(
                    latest_growth_rate__isnull=False,
                    growth_rate_target__isnull=False,
                    then=Greatest(F("growth_rate_target") - F("latest_growth_rate"), Value(0, output_field=DECIMAL)),
                ),
                default=Value(None),
                output_field=DECIMAL,
            ),
            status=Case(
                *_status_rules(as_of, tolerance),
                default=Value(Status.NO_DATA),
                output_field=models.CharField(),
            ),
        )
        return qs

    def for_report(self, report):
        return self.filter(report=report)


def _status_rules(as_of, tolerance):
    past_deadline = Q(_deadline__lt=as_of)
    qualitative = Q(direction=Direction.QUALITATIVE)
    nothing_counted = Q(latest_reported_on__isnull=True) | (qualitative & Q(latest_stage=""))
    return [
        When(nothing_counted & past_deadline & ~Q(direction=Direction.AT_MOST), then=Value(Status.OVERDUE)),
        When(nothing_counted, then=Value(Status.NO_DATA)),
        When(~qualitative & Q(_subject__isnull=True), then=Value(Status.NO_DATA)),
        When(direction=Direction.AT_MOST, _reached=True, then=Value(Status.MET)),
        When(direction=Direction.AT_MOST, then=Value(Status.BREACHED)),
        When(direction=Direction.QUALITATIVE, latest_stage=Stage.COMPLETED, then=Value(Status.DONE)),
        When(direction=Direction.QUALITATIVE, _deadline__lt=as_of, then=Value(Status.OVERDUE)),
        When(direction=Direction.QUALITATIVE, latest_stage=Stage.IN_PROGRESS, then=Value(Status.IN_PROGRESS)),
        When(direction=Direction.QUALITATIVE, then=Value(Status.NOT_STARTED)),
        When(_reached=True, then=Value(Status.DONE)),
        When(past_deadline, then=Value(Status.OVERDUE)),
        When(percent_complete__gte=F("expected_percent") - tolerance, then=Value(Status.ON_TRACK)),
        When(percent_complete__gte=F("expected_percent") - 2 * tolerance, then=Value(Status.LAGGING)),
        When(percent_complete__isnull=False, then=Value(Status.FAR_BEHIND)),
    ]


def _checkpoint_percent(Checkpoint, as_of):
    """Expected % from checkpoints: the planned value interpolated between the checkpoints on
    either side of as_of (the period's start at the baseline and the deadline at the target
    stand in where there is none), as a share of the way from baseline to target."""
    before = Checkpoint.objects.filter(target=OuterRef("pk"), due_on__lte=as_of).order_by("-due_on")
    after = Checkpoint.objects.filter(target=OuterRef("pk"), due_on__gt=as_of).order_by("due_on")
    day_before_start = Func(F("period_start"), template="(%(expressions)s - 1)", output_field=models.DateField())
    prev_on = Coalesce(Subquery(before.values("due_on")[:1]), day_before_start)
    prev_value = Coalesce(Subquery(before.values("planned_value")[:1]), F("_base"))
    next_on = Coalesce(Subquery(after.values("due_on")[:1]), F("_deadline"))
    next_value = Coalesce(Subquery(after.values("planned_value")[:1]), F("_target_value"))
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
            100.0 * (planned - _as_float(F("_base"))) / NullIf(_as_float(F("_target_value") - F("_base")), 0.0),
        ),
    )
